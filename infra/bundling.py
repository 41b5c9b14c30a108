"""Build the Lambda code without Docker: wheels from uv.lock, the package, its bytecode.

The bundle is what `/var/task` holds on Lambda:

- the runtime dependencies at the versions in uv.lock (the ones the tests ran), as wheels
  for the function's platform (`manylinux2014_aarch64` or `_x86_64`) and Python version;
  no boto3 (the Lambda runtime provides it) and nothing of the dev group;
- the application package (`src/<package>/`); the development kit is a distribution of its
  own (`devkit/`, dev group only), so neither it nor its dependencies are ever bundled;
- bytecode compiled by the runtime's own Python version, in `unchecked-hash` mode. Lambda's
  code folder is read-only, so without `.pyc` files every cold start compiles every module
  again (2.5 times slower measured). Hash mode, because the CDK zips the asset with every
  file dated 1980-01-01: a timestamp-checked `.pyc` would look stale on Lambda.

The dependencies ship as bytecode only: each `mod.py` becomes a sourceless `mod.pyc` in its
place (the legacy layout, which Python imports without the source), with no `__pycache__`.
The trade-off: a dependency's frames in a traceback still name `/var/task/<file>`, the line
number and the function, but show no source line; the application package keeps its
sources, so its own frames read as usual. Nothing on Lambda reads a dependency's source but
the SELF_READING_SOURCES, which stay; tests/infra/test_asset.py runs every handler from the
built asset to prove it. Packages the app never imports, most of them Powertools', are left
out (UNUSED_PACKAGES). Both took the zip from 8.3 MB to 5.7 MB.

uv resolves nothing here: it installs exactly what `uv export` lists, reading wheels from its
cache first (`--offline`), so a synth after the first needs no network.
"""

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from .interpreter import find_python

# Bump when the layout of the bundle changes, so assets cached in cdk.out are rebuilt.
BUNDLE_FORMAT = "3"
# Distributions the Lambda Python runtime ships; never bundled, even when a dependency asks.
LAMBDA_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# Where Lambda unpacks the code: tracebacks name /var/task/... instead of the build folder.
LAMBDA_TASK_ROOT = "/var/task"
_CACHE_FOLDERS = ("__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache")
# Dependency files nothing on Lambda reads, left out of the zip: type stubs (for type
# checkers only), the installers' file lists (RECORD, read by an uninstall), and pydantic-core's
# software bill of materials. The licenses and METADATA stay (importlib.metadata reads it).
UNREAD_FILES = ("**/*.pyi", "*.dist-info/RECORD", "*.dist-info/sboms/*.json")
# Dependency modules that read their own source when imported, so they ship it (compiled into
# __pycache__ like the package): anyio's lazy importer parses the TYPE_CHECKING imports of
# these two, and without the text imports all of anyio at once (150 modules instead of 49).
SELF_READING_SOURCES = ("anyio/__init__.py", "anyio/abc/__init__.py")
# Dependency packages this app never imports, left out of the zip (about 1 MB of it). For
# Powertools, found by running every handler from the asset (tests/infra/test_asset.py) and
# by reading the imports of the modules kept: none imports these at module level, and the one
# lazy import into them (shared.functions.pydantic_to_dict -> event_handler.openapi.compat)
# runs only for a Pydantic model handed to Powertools' JSON encoder or idempotency, where
# this app hands dataclasses and dicts. Kept because something imports them: logging,
# metrics, tracing and middleware_factory (Powertools' own __init__), shared, and utilities
# batch, data_classes, idempotency (with jmespath_utils), parameters, typing, and parser
# (utilities.batch.types imports its models whenever pydantic is already imported).
UNUSED_PACKAGES = (
    # REST, GraphQL and Bedrock routing: FastAPI is this app's HTTP layer.
    "aws_lambda_powertools/event_handler",
    "aws_lambda_powertools/utilities/auth_alpha",
    "aws_lambda_powertools/utilities/circuit_breaker",
    "aws_lambda_powertools/utilities/data_masking",
    "aws_lambda_powertools/utilities/feature_flags",
    # The Kafka consumer; data_classes.kafka_event, which batch imports, stays.
    "aws_lambda_powertools/utilities/kafka",
    "aws_lambda_powertools/utilities/metadata",
    "aws_lambda_powertools/utilities/streaming",
    "aws_lambda_powertools/utilities/validation",
    # Pydantic 1's API, kept inside Pydantic 2 for migrations. FastAPI only imports it to
    # refuse v1 models and reads an ImportError as "none" (fastapi/_compat/shared.py).
    "pydantic/v1",
    # Documentation for coding agents, shipped inside the fastapi wheel.
    "fastapi/.agents",
)
_REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*==")


class BundlingError(RuntimeError):
    """A bundling step failed; the message names the step and carries its output."""


@dataclass(frozen=True)
class BundleSpec:
    """What to bundle, and for which Lambda runtime.

    Attributes:
        project_dir: The generated project's root (pyproject.toml, uv.lock, src/).
        package_name: The application's import name.
        python_version: The runtime's `major.minor`, e.g. `3.13`.
        architecture: `arm64` or `x86_64`.
    """

    project_dir: Path
    package_name: str
    python_version: str
    architecture: str

    @property
    def package_dir(self) -> Path:
        """The application package's source folder."""
        return self.project_dir / "src" / self.package_name

    @property
    def python_platform(self) -> str:
        """Uv's name of the Lambda platform, e.g. `aarch64-manylinux2014`."""
        machine = "aarch64" if self.architecture == "arm64" else "x86_64"
        return f"{machine}-manylinux2014"


def lambda_code(scope: Construct, spec: BundleSpec) -> lambda_.Code:
    """Return the functions' code asset, bundled locally on this machine.

    When the stack's bundling is skipped (unit tests pass the context
    `{"aws:cdk:bundling-stacks": []}`), nothing is read or built: the CDK stands in a
    placeholder hash.

    Args:
        scope: A construct inside the stack that uses the code.
        spec: What to bundle.

    Returns:
        One `Code` object; pass the same one to every function so the stack has one asset.
    """
    runtime = lambda_.Runtime(f"python{spec.python_version}", lambda_.RuntimeFamily.PYTHON)
    bundling = BundlingOptions(
        # Required by the CDK, never pulled: the local bundler always succeeds or raises.
        image=DockerImage.from_registry(runtime.bundling_image.image),
        local=LocalBundler(spec),
    )
    if not Stack.of(scope).bundling_required:
        return lambda_.Code.from_asset(
            str(spec.project_dir), asset_hash_type=AssetHashType.OUTPUT, bundling=bundling
        )
    return lambda_.Code.from_asset(
        str(spec.project_dir),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=fingerprint(spec),
        bundling=bundling,
    )


@jsii.implements(ILocalBundling)
class LocalBundler:
    """The CDK's hook for bundling without Docker.

    Args:
        spec: What to bundle.
    """

    def __init__(self, spec: BundleSpec) -> None:
        self._spec = spec

    def try_bundle(self, output_dir: str, *, image: DockerImage, **_options: Any) -> bool:
        """Build the bundle into `output_dir`; called by the CDK during synth.

        Returns:
            Always True (bundled); failures raise instead of falling back to Docker.

        Raises:
            BundlingError: A step failed.
            InterpreterNotFoundError: The runtime's Python version is not installed here.
        """
        build_bundle(self._spec, Path(output_dir))
        return True


def fingerprint(spec: BundleSpec) -> str:
    """Hash everything the bundle is built from: same inputs, same hash, no rebuild.

    Inputs: this module's own source, the target platform and version, pyproject.toml,
    uv.lock and every file of the package that ships.

    Returns:
        A hex SHA-256 digest.

    Raises:
        BundlingError: uv.lock or the package folder is missing.
    """
    lock = spec.project_dir / "uv.lock"
    if not lock.is_file() or not spec.package_dir.is_dir():
        raise BundlingError(
            f"{spec.project_dir} has no uv.lock or no src/{spec.package_name}: run cdk from "
            "the generated project's root"
        )
    digest = hashlib.sha256()
    for part in (BUNDLE_FORMAT, spec.package_name, spec.python_version, spec.architecture):
        digest.update(part.encode() + b"\0")
    for path in (Path(__file__), spec.project_dir / "pyproject.toml", lock):
        digest.update(path.read_bytes() + b"\0")
    for path in sorted(_shipped_files(spec.package_dir)):
        digest.update(path.relative_to(spec.package_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_bundle(spec: BundleSpec, output_dir: Path, *, dependency_sources: bool = False) -> None:
    """Fill `output_dir` with the dependencies' bytecode and the package with its bytecode.

    Args:
        spec: What to bundle.
        output_dir: An empty folder.
        dependency_sources: Keep the dependencies' sources too, compiled into `__pycache__`
            like the package's. Never for a deploy: `make bench` removes the bytecode of
            such a bundle to measure a cold start without any.

    Raises:
        BundlingError: A step failed.
        InterpreterNotFoundError: The runtime's Python version is not installed here.
    """
    python = find_python(spec.python_version)
    uv = find_uv()
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text(export_requirements(uv, spec.project_dir), encoding="utf-8")
        install_wheels(uv, python, spec, requirements, output_dir)
    # Console scripts name the build machine's interpreter; nothing on Lambda runs them. The
    # lock file is uv's own, taken while it installed into the folder.
    shutil.rmtree(output_dir / "bin", ignore_errors=True)
    (output_dir / ".lock").unlink(missing_ok=True)
    for pattern in UNREAD_FILES:
        for path in output_dir.glob(pattern):
            path.unlink()
    leave_out_unused(output_dir)
    if not dependency_sources:
        compile_dependencies(python, output_dir)
    copy_package(spec, output_dir)
    # What is left as sources: the package and the SELF_READING_SOURCES.
    compile_bytecode(python, output_dir)


def leave_out_unused(output_dir: Path, packages: tuple[str, ...] = UNUSED_PACKAGES) -> None:
    """Delete the `packages` folders below `output_dir`; one a release no longer has is skipped.

    Skipped rather than refused: a dependency update that drops or renames one of them must
    not stop a deploy (a renamed one ships again, which `make bench`'s zipped size shows).
    """
    for package in packages:
        folder = output_dir / package
        if folder.is_dir():
            shutil.rmtree(folder)


def copy_package(spec: BundleSpec, output_dir: Path) -> None:
    """Copy the application package into `output_dir`, without what never ships.

    Left out: tool caches, stale bytecode, and hidden files and folders such as a `.env`
    with local secrets, which would otherwise reach every deployed copy of the code.

    Raises:
        FileExistsError: `output_dir` already holds the package.
    """
    shutil.copytree(spec.package_dir, output_dir / spec.package_name, ignore=_not_shipped)


def export_requirements(uv: str, project_dir: Path) -> str:
    """List the runtime dependencies pinned in uv.lock, one `name==version` a line.

    No dependency group is included (dev, lambda-runtime, infra), nor the project itself.

    Raises:
        BundlingError: `uv export` failed (e.g. no uv.lock).
    """
    command = [
        uv, "export", "--frozen", "--no-default-groups", "--no-hashes", "--no-emit-project",
        "--no-header", "--no-annotate", "--format", "requirements.txt", "--quiet",
    ]  # fmt: skip
    return without_lambda_provided(
        _run("export the locked runtime dependencies", command, cwd=project_dir)
    )


def without_lambda_provided(requirements: str) -> str:
    """Drop the lines of `requirements` that name a distribution Lambda ships (boto3...).

    Args:
        requirements: requirements.txt text.

    Returns:
        The same text without those lines.
    """
    kept = []
    for line in requirements.splitlines():
        match = _REQUIREMENT.match(line.strip())
        if match and _normalised(match.group(1)) in LAMBDA_PROVIDED:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def install_wheels(
    uv: str, python: Path, spec: BundleSpec, requirements: Path, output_dir: Path
) -> None:
    """Install the pinned wheels for the Lambda platform into `output_dir`.

    Tries uv's cache alone first; only when a wheel is missing there does uv go to the
    index (unless `UV_OFFLINE` forbids it).

    Raises:
        BundlingError: A wheel is missing for the platform, or the index cannot be reached.
    """
    command = [
        uv, "pip", "install", "--target", str(output_dir), "--python", str(python),
        "--python-platform", spec.python_platform, "--python-version", spec.python_version,
        "--no-deps", "--only-binary", ":all:", "--no-compile-bytecode", "--quiet",
        "--requirement", str(requirements),
    ]  # fmt: skip
    cached = subprocess.run([*command, "--offline"], capture_output=True, text=True, check=False)
    if cached.returncode == 0:
        return
    _run(
        f"install the wheels for {spec.python_platform} / Python {spec.python_version} "
        "(the first synth downloads them; later ones read uv's cache)",
        command,
    )


def compile_dependencies(python: Path, output_dir: Path) -> None:
    """Replace every dependency module in `output_dir` by its sourceless bytecode.

    Each `mod.py` is compiled by the runtime's interpreter to `mod.pyc` beside it, then
    deleted; the SELF_READING_SOURCES stay sources (without their `.pyc`, which Python
    would not read beside them). Call it before the application package is copied in: that
    keeps its sources.

    Raises:
        BundlingError: A module does not compile.
    """
    _compile(python, output_dir, "-b")
    for source in output_dir.rglob("*.py"):
        bytecode = source.with_suffix(".pyc")
        if not bytecode.is_file():
            raise BundlingError(f"compileall left {source} without bytecode")
        kept = source.relative_to(output_dir).as_posix() in SELF_READING_SOURCES
        (bytecode if kept else source).unlink()


def compile_bytecode(python: Path, output_dir: Path) -> None:
    """Compile every source module in `output_dir` into its `__pycache__` folder.

    Args:
        python: The runtime's interpreter.
        output_dir: The folder, as `/var/task` holds it.

    Raises:
        BundlingError: A module does not compile.
    """
    _compile(python, output_dir)


def _compile(python: Path, output_dir: Path, *options: str) -> None:
    # Hash mode for the sourceless files too: no build time in them, the same bytes each build.
    command = [
        str(python), "-I", "-m", "compileall", "-q", "-j", "0", *options,
        "--invalidation-mode", "unchecked-hash", "-s", str(output_dir), "-p", LAMBDA_TASK_ROOT,
        str(output_dir),
    ]  # fmt: skip
    _run("compile the bundle's bytecode", command)


def find_uv() -> str:
    """Return the uv executable: the one running us (`uv run` sets UV), else uv on PATH.

    Raises:
        BundlingError: No uv found.
    """
    # A pyenv shim named uv on PATH may not run at all under another .python-version.
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise BundlingError("uv is needed to bundle the Lambda code; install it or set UV")
    return found


def _run(step: str, command: list[str], cwd: Path | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise BundlingError(f"could not {step}: {' '.join(command[:3])} ... failed:\n{output}")
    return done.stdout


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _shipped_files(package_dir: Path) -> list[Path]:
    files: list[Path] = []
    for folder, subfolders, names in os.walk(package_dir):
        skipped = _not_shipped(folder, [*subfolders, *names])
        subfolders[:] = [name for name in subfolders if name not in skipped]
        files.extend(Path(folder) / name for name in names if name not in skipped)
    return files


def _not_shipped(folder: str, names: list[str]) -> set[str]:
    """Name the entries of `folder` never bundled: caches, stale bytecode, hidden files."""
    return {
        name
        for name in names
        if name in _CACHE_FOLDERS or name.endswith(".pyc") or name.startswith(".")
    }
