"""Fixtures and helpers shared by the template tests."""

from __future__ import annotations

import importlib.util
import json
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context

# Folders a user's tools create inside a baked project; never part of the bake itself.
TOOL_FOLDERS = frozenset(
    {".venv", ".git", ".mypy_cache", ".pytest_cache", ".ruff_cache", "__pycache__", "cdk.out"}
)

HookLoader = Callable[..., ModuleType]


@dataclass(frozen=True)
class Bake:
    """One run of cookiecutter and what it left behind.

    Attributes:
        result: pytest-cookies' result (``exit_code``, ``exception``, ``project_path``).
        stderr: Everything written to stderr during the bake, hooks included.
        stdout: Everything written to stdout during the bake, hooks included.
        output_dir: The folder the project was generated into.
    """

    result: Any
    stderr: str
    stdout: str
    output_dir: Path

    @property
    def project_dir(self) -> Path:
        """The generated project folder; fails the test when the bake failed."""
        if self.result.exception is not None:
            pytest.fail(f"bake failed: {self.result.exception!r}\nstderr:\n{self.stderr}")
        return Path(self.result.project_path)

    @property
    def error_lines(self) -> list[str]:
        """The ``ERROR: ...`` lines the pre-generation hook printed."""
        return [line for line in self.stderr.splitlines() if line.startswith("ERROR: ")]

    def leftovers(self) -> list[Path]:
        """Everything below the output folder, e.g. after a refused bake."""
        return sorted(self.output_dir.rglob("*"))


@pytest.fixture(scope="session")
def template_dir(request: pytest.FixtureRequest) -> Path:
    """The template under test (pytest-cookies' ``--template``, default: this repo)."""
    return Path(request.config.option.template).resolve()


@pytest.fixture(scope="session")
def default_answers(template_dir: Path) -> dict[str, Any]:
    """The answers cookiecutter uses with ``--no-input``, derived names rendered."""
    return render_answers(template_dir)


@pytest.fixture
def load_hook(
    template_dir: Path, default_answers: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> HookLoader:
    """Return a function that renders a hook with answers and imports the result."""

    def _load(name: str = "pre_gen_project", **answers: str) -> ModuleType:
        context = {"cookiecutter": {**default_answers, **answers}}
        source = (template_dir / "hooks" / f"{name}.py").read_text(encoding="utf-8")
        rendered = create_env_with_context(context).from_string(source).render(**context)
        path = tmp_path_factory.mktemp("rendered_hooks") / f"{name}.py"
        path.write_text(rendered, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"{name}_{path.parent.name}", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return _load


def render_answers(template_dir: Path, **overrides: str) -> dict[str, Any]:
    """Render cookiecutter.json the way ``cookiecutter --no-input`` does.

    Args:
        template_dir: The template root, holding cookiecutter.json.
        **overrides: Answers given on the command line, e.g. ``project_name="X"``.

    Returns:
        The ``cookiecutter`` context: public answers and private ``_`` keys.
    """
    context = generate_context(
        context_file=str(template_dir / "cookiecutter.json"), extra_context=overrides
    )
    return dict(prompt_for_config(context, no_input=True))


@pytest.fixture
def bake(cookies: Any, capfd: pytest.CaptureFixture[str], tmp_path: Path) -> Callable[..., Bake]:
    """Return a function that bakes the template with the given answers.

    pytest-cookies generates each project into its own ``<tmp_path>/cookies/bakeNN``
    folder; the function finds that folder so a test can check what was left in it.
    """
    cookies_root = tmp_path / "cookies"

    def _bake(**answers: str) -> Bake:
        before = set(cookies_root.iterdir())
        capfd.readouterr()
        result = cookies.bake(extra_context=answers)
        captured = capfd.readouterr()
        (output_dir,) = set(cookies_root.iterdir()) - before
        return Bake(result, captured.err, captured.out, output_dir)

    return _bake


def generated_files(project_dir: Path) -> Iterator[Path]:
    """Yield every file of a baked project, tool caches and virtualenvs excluded.

    Args:
        project_dir: The baked project's root folder.

    Yields:
        Paths of regular files, sorted.
    """
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if TOOL_FOLDERS.isdisjoint(relative.parts) and path.is_file():
            yield path


def generated_text_files(project_dir: Path) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, text)`` for every generated file that is UTF-8 text.

    Args:
        project_dir: The baked project's root folder.

    Yields:
        Files without NUL bytes that decode as UTF-8, with their content.
    """
    for path in generated_files(project_dir):
        data = path.read_bytes()
        if b"\0" in data:
            continue
        try:
            yield path, data.decode("utf-8")
        except UnicodeDecodeError:
            continue


def find_python(version: str) -> Path | None:
    """Find an interpreter for ``version`` without downloading one.

    Looks at ``PATH`` first, then at pyenv's versions folder.

    Args:
        version: ``major.minor``, e.g. ``"3.13"``.

    Returns:
        The interpreter's path, or None when this machine has none.
    """
    on_path = shutil.which(f"python{version}")
    if on_path and ".pyenv/shims" not in on_path:
        return Path(on_path)
    candidates = sorted(
        (Path.home() / ".pyenv" / "versions").glob(f"{version}.*/bin/python{version}")
    )
    return candidates[-1] if candidates else None


def cookiecutter_choices(template_dir: Path) -> dict[str, list[str]]:
    """Map each choice prompt of cookiecutter.json to its allowed values.

    Args:
        template_dir: The template root.

    Returns:
        e.g. ``{"cloud": ["aws-lambda", ...], "python_version": ["3.13", "3.12"], ...}``.
    """
    raw = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    return {
        key: value
        for key, value in raw.items()
        if isinstance(value, list) and not key.startswith("_")
    }


# Where `make test` leaves the suite's wall time, for `make bench` (the benchmark reads it).
SUITE_TIMING = Path(__file__).resolve().parents[1] / "build" / "test-timing.json"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Note when the session started (the xdist controller and each worker alike)."""
    session.config.stash[_STARTED] = time.monotonic()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the whole suite's wall time after a full, passing run (not on a worker).

    A run narrowed with ``-m``, ``-k`` or paths would say nothing about the suite, so only
    a run of everything is recorded.
    """
    config = session.config
    if hasattr(config, "workerinput") or exitstatus != 0:
        return
    if config.option.markexpr or config.option.keyword or config.args != config.getini("testpaths"):
        return
    seconds = time.monotonic() - config.stash[_STARTED]
    SUITE_TIMING.parent.mkdir(exist_ok=True)
    SUITE_TIMING.write_text(
        json.dumps({"seconds": round(seconds, 1), "tests": session.testscollected}) + "\n",
        encoding="utf-8",
    )


_STARTED = pytest.StashKey[float]()
