"""The code folders the benchmark imports handlers from, built the way a deploy builds them.

- The ingest asset: infra's own bundler (`infra/bundling.py`, what `cdk synth` runs), for
  this machine's architecture (the Lambda one's compiled extensions cannot load here), with
  the project's Python version and uv.lock: the dependencies as bytecode only, the package
  as sources and bytecode. The same bundle with the dependencies' sources kept is what the
  no-bytecode and warm-cache copies are made from (bytecode-only modules cannot lose it).
- The runtime folder: boto3 and its dependencies at the lock's versions, with bytecode, as
  the Lambda runtime provides them outside the asset (the same folder for every handler,
  in every case: it is the runtime's, not the zip's).
- One folder per baseline: its module and its dependencies at the lock's versions, bytecode
  compiled exactly as the asset's.
- Copies without bytecode: read-only (the no-bytecode case) or writable (the warm-cache one).
"""

import json
import os
import platform
import shutil
import stat
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from infra.bundling import (
    BundleSpec,
    BundlingError,
    build_bundle,
    compile_bytecode,
    find_uv,
    install_wheels,
)
from infra.interpreter import find_python

#: What each baseline module needs besides boto3 (the runtime's): distributions of uv.lock.
BASELINE_REQUIREMENTS: dict[str, tuple[str, ...]] = {
    "bare": (),
    "jwt_boto3": ("pyjwt",),
    "framework": ("fastapi", "mangum"),
    "naive": ("fastapi", "mangum", "qstash"),
}
BASELINES_DIR = Path(__file__).with_name("baselines")


@dataclass(frozen=True)
class Folders:
    """The folders one run measures, and the interpreter that runs them.

    Attributes:
        python: The interpreter of the Lambda runtime's Python version.
        asset: The ingest asset, as infra's bundler builds it.
        asset_with_sources: The same with the dependencies' sources kept.
        runtime: boto3 and its dependencies (the Lambda runtime's folder).
        baselines: Each baseline's folder, by baseline name.
    """

    python: Path
    asset: Path
    asset_with_sources: Path
    runtime: Path
    baselines: dict[str, Path]


def python_version(project_dir: Path) -> str:
    """The Lambda runtime's Python version, as cdk.json records it."""
    cdk_json = json.loads((project_dir / "cdk.json").read_text(encoding="utf-8"))
    version: str = cdk_json["context"]["project"]["python_version"]
    return version


def host_spec(project_dir: Path, package_name: str) -> BundleSpec:
    """What to bundle: the project, for this machine's architecture."""
    machine = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
    return BundleSpec(project_dir, package_name, python_version(project_dir), machine)


def build_folders(project_dir: Path, package_name: str, work: Path) -> Folders:
    """Build every folder below `work` (an empty folder).

    Raises:
        BundlingError: A wheel, the lock export or the bytecode compilation failed.
        InterpreterNotFoundError: The runtime's Python version is not installed here.
    """
    spec = host_spec(project_dir, package_name)
    python = find_python(spec.python_version)
    uv = find_uv()
    asset, asset_with_sources = work / "asset", work / "asset-with-sources"
    asset.mkdir()
    build_bundle(spec, asset)
    asset_with_sources.mkdir()
    build_bundle(spec, asset_with_sources, dependency_sources=True)
    boto3_pins = _export(uv, project_dir, "--only-group", "lambda-runtime")
    runtime = _install(uv, python, spec, work / "runtime", boto3_pins)
    constraints = _export(uv, project_dir, "--all-groups")
    baselines = {}
    for name, requirements in BASELINE_REQUIREMENTS.items():
        folder = work / f"baseline-{name}"
        folder.mkdir()
        if requirements:
            _install(uv, python, spec, folder, "\n".join(requirements), constraints)
        shutil.copy(BASELINES_DIR / f"{name}.py", folder / f"{name}.py")
        compile_bytecode(python, folder)
        baselines[name] = folder
    compile_bytecode(python, runtime)
    return Folders(python, asset, asset_with_sources, runtime, baselines)


def without_bytecode(folder: Path, destination: Path, *, read_only: bool) -> Path:
    """Copy `folder` to `destination` without any `__pycache__` or `.pyc`.

    Args:
        folder: The folder to copy.
        destination: Where the copy goes (must not exist).
        read_only: Take write permission away, as on Lambda's `/var/task` (root writes
            anyway: the probe's `-B` is what keeps every process compiling every module).

    Returns:
        `destination`.
    """
    shutil.copytree(folder, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if read_only:
        _chmod_tree(destination, writable=False)
    return destination


def make_writable(folder: Path) -> None:
    """Give write permission back below `folder`, so that it can be deleted."""
    if folder.exists():
        _chmod_tree(folder, writable=True)


def zipped_size(folder: Path) -> int:
    """Return the size in bytes of `folder` zipped (deflate, level 9), as a deploy uploads it."""
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "asset.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zipped:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zipped.write(path, path.relative_to(folder).as_posix())
        return archive.stat().st_size


def _export(uv: str, project_dir: Path, *selection: str) -> str:
    command = [
        uv, "export", "--frozen", *selection, "--no-hashes", "--no-emit-project",
        "--no-emit-workspace", "--no-header", "--no-annotate", "--format", "requirements.txt",
        "--quiet",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=project_dir, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BundlingError(f"could not export uv.lock ({' '.join(selection)}): {done.stderr}")
    return done.stdout


def _install(
    uv: str,
    python: Path,
    spec: BundleSpec,
    folder: Path,
    requirements: str,
    constraints: str | None = None,
) -> Path:
    """Install `requirements` into `folder` for the runtime, at the lock's versions."""
    with tempfile.TemporaryDirectory() as scratch:
        listed = Path(scratch) / "requirements.txt"
        listed.write_text(requirements + "\n", encoding="utf-8")
        if constraints is None:
            install_wheels(uv, python, spec, listed, folder)
            return folder
        pinned = Path(scratch) / "constraints.txt"
        pinned.write_text(constraints, encoding="utf-8")
        command = [
            uv, "pip", "install", "--target", str(folder), "--python", str(python),
            "--python-platform", spec.python_platform, "--python-version", spec.python_version,
            "--only-binary", ":all:", "--no-compile-bytecode", "--quiet",
            "--requirement", str(listed), "--constraint", str(pinned),
        ]  # fmt: skip
        for attempt in ([*command, "--offline"], command):
            done = subprocess.run(attempt, capture_output=True, text=True, check=False)  # noqa: S603
            if done.returncode == 0:
                return folder
        raise BundlingError(f"could not install {requirements.split()}: {done.stderr}")


def _chmod_tree(folder: Path, *, writable: bool) -> None:
    write = stat.S_IWUSR
    for root, _, names in os.walk(folder):
        for path in (Path(root), *(Path(root) / name for name in names)):
            mode = path.stat().st_mode
            path.chmod(mode | write if writable else mode & ~(write | stat.S_IWGRP | stat.S_IWOTH))
