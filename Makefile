# The template repository's verbs. The generated project has its own Makefile.
#   make demo   bake a project with the default answers into build/demo and run its demo
#   make test   run the template's whole test suite (hooks, bakes, the generated project)
#   make lint   ruff on the template's own Python (hooks, tests, infra/), mypy --strict on infra/

PYTHON ?= python3
UV_VERSION := 0.13.9
# Absolute path of uv: the copy pip installed for $(PYTHON), else the one on PATH. Looked up
# at each use (=), so it is found right after the uv target installed it. Not a pyenv shim:
# a shim resolves differently inside a project that has its own .python-version.
UV ?= $(or $(shell $(PYTHON) -c "import uv; print(uv.find_uv_bin())" 2>/dev/null),$(shell command -v uv 2>/dev/null),uv)
DEMO_DIR := build/demo
DEMO_SLUG := qstash-jobs
PYTEST_ARGS ?=
# Test processes: the bakes are long and single-threaded, so two (one per core here) run two
# bakes at once; each bake's steps stay together on one worker. 0 runs everything in-process.
PYTEST_WORKERS ?= 2

# Never let uv download an interpreter: use the ones installed on this machine.
export UV_PYTHON_DOWNLOADS := never

.PHONY: help demo test bench lint format clean uv

help:
	@echo "make demo   bake the default project into $(DEMO_DIR) and run its demo"
	@echo "make test   run the template's tests (PYTEST_ARGS=... to pass pytest options)"
	@echo "make bench  bake the default project into build/bench and print its cold-start table"
	@echo "make lint   ruff check and format check of the template's own code, mypy on infra/"
	@echo "make format apply ruff fixes and formatting"
	@echo "make clean  remove $(DEMO_DIR) and caches"

# Install uv with pip when this machine has none (a fresh machine has python3 and pip).
uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)" \
	  || $(PYTHON) -m pip install --quiet --user --break-system-packages "uv==$(UV_VERSION)"

demo: uv
	$(UV) run --frozen cookiecutter --no-input --overwrite-if-exists --default-config -o $(DEMO_DIR) .
	$(MAKE) -C $(DEMO_DIR)/$(DEMO_SLUG) demo UV="$(UV)"

test: uv
	$(UV) run --frozen pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The suite's time comes from build/test-timing.json, which a full passing `make test` writes.
bench: uv
	$(UV) run --frozen cookiecutter --no-input --overwrite-if-exists --default-config -o build/bench .
	$(MAKE) -C build/bench/$(DEMO_SLUG) bench UV="$(UV)" \
	  BENCH_ARGS="--suite-timing $(CURDIR)/build/test-timing.json"

lint: uv
	$(UV) run --frozen ruff check
	$(UV) run --frozen ruff format --check
	$(UV) run --frozen mypy --strict infra

format: uv
	$(UV) run --frozen ruff check --fix
	$(UV) run --frozen ruff format

clean:
	rm -rf $(DEMO_DIR) .pytest_cache .ruff_cache
