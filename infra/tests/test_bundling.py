"""The Lambda bundle: what goes in, what stays out, bytecode for the runtime's Python."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra import bundling
from infra.app import build_app
from infra.bundling import (
    SELF_READING_SOURCES,
    UNUSED_PACKAGES,
    BundleSpec,
    BundlingError,
    compile_dependencies,
    copy_package,
    fingerprint,
    leave_out_unused,
    without_lambda_provided,
)
from infra.interpreter import find_python
from infra.settings import ProjectSettings
from infra.tests.conftest import default_declarations


def small_project(root: Path) -> BundleSpec:
    """A project folder with the files the fingerprint reads (no real dependencies)."""
    package = root / "src" / "jobs"
    devkit = root / "devkit" / "src" / "jobs_devkit"
    devkit.mkdir(parents=True)
    (package / "__pycache__").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "jobs"\n', encoding="utf-8")
    (root / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "handler.py").write_text("def handler(event, context): ...\n", encoding="utf-8")
    (devkit / "demo.py").write_text("print('demo')\n", encoding="utf-8")
    return BundleSpec(root, "jobs", python_version="3.13", architecture="arm64")


@pytest.fixture
def spec(tmp_path: Path) -> BundleSpec:
    return small_project(tmp_path)


# --- inputs ------------------------------------------------------------------------


def test_fingerprint_changes_when_a_shipped_module_changes(spec: BundleSpec) -> None:
    before = fingerprint(spec)
    (spec.package_dir / "handler.py").write_text("def handler(e, c): return 1\n")
    assert fingerprint(spec) != before


def test_fingerprint_changes_when_the_lock_changes(spec: BundleSpec) -> None:
    before = fingerprint(spec)
    (spec.project_dir / "uv.lock").write_text("version = 1\nrevision = 2\n")
    assert fingerprint(spec) != before


def test_fingerprint_ignores_the_dev_kit_and_bytecode_caches(spec: BundleSpec) -> None:
    before = fingerprint(spec)
    (spec.project_dir / "devkit" / "src" / "jobs_devkit" / "demo.py").write_text("print('x')\n")
    (spec.package_dir / "__pycache__" / "handler.cpython-313.pyc").write_bytes(b"\0")
    assert fingerprint(spec) == before


@pytest.mark.parametrize("change", [{"architecture": "x86_64"}, {"python_version": "3.12"}])
def test_fingerprint_differs_per_runtime(spec: BundleSpec, change: dict[str, str]) -> None:
    other = BundleSpec(**{**spec.__dict__, **change})
    assert fingerprint(other) != fingerprint(spec)


def test_hidden_files_in_the_package_are_neither_copied_nor_fingerprinted(
    spec: BundleSpec, tmp_path: Path
) -> None:
    # A .env with local secrets beside the code must not reach every deployed copy.
    before = fingerprint(spec)
    (spec.package_dir / ".env").write_text("QSTASH_TOKEN=local-secret\n", encoding="utf-8")
    (spec.package_dir / ".idea").mkdir()
    (spec.package_dir / ".idea" / "workspace.xml").write_text("<x/>", encoding="utf-8")
    assert fingerprint(spec) == before
    output = tmp_path / "asset"
    copy_package(spec, output)
    copied = sorted(p.relative_to(output).as_posix() for p in output.rglob("*"))
    assert copied == ["jobs", "jobs/__init__.py", "jobs/handler.py"]


def test_folder_without_a_lock_is_refused_with_where_to_run(spec: BundleSpec) -> None:
    (spec.project_dir / "uv.lock").unlink()
    with pytest.raises(BundlingError, match="run cdk from the generated project's root"):
        fingerprint(spec)


@pytest.mark.parametrize(
    ("architecture", "platform"),
    [("arm64", "aarch64-manylinux2014"), ("x86_64", "x86_64-manylinux2014")],
)
def test_wheels_are_chosen_for_the_lambda_platform(
    spec: BundleSpec, architecture: str, platform: str
) -> None:
    assert BundleSpec(**{**spec.__dict__, "architecture": architecture}).python_platform == (
        platform
    )


def test_distributions_lambda_ships_are_left_out() -> None:
    exported = "boto3==1.44.5\nBotoCore==1.44.5\ns3_transfer==0.1\njmespath==1.1.0\n"
    exported += "s3transfer==0.14.0\nfastapi==0.165.0\n"
    assert without_lambda_provided(exported) == (
        "s3_transfer==0.1\njmespath==1.1.0\nfastapi==0.165.0\n"
    )


def test_export_lists_the_locked_runtime_dependencies_only(project_dir: Path) -> None:
    exported = bundling.export_requirements(bundling.find_uv(), project_dir)
    names = {line.split("==")[0] for line in exported.splitlines() if "==" in line}
    assert {"fastapi", "mangum", "pyjwt", "pydantic"} <= names
    # Neither what Lambda ships (the lambda-runtime group) nor the dev group.
    assert not names & {"boto3", "botocore", "pytest", "moto", "ruff", "mypy", "uvicorn"}
    lock = (project_dir / "uv.lock").read_text(encoding="utf-8")
    for line in exported.splitlines():
        name, version = line.split("==")
        assert f'name = "{name}"\nversion = "{version}"' in lock, line


def test_unused_packages_are_deleted_and_one_a_release_dropped_is_skipped(
    tmp_path: Path,
) -> None:
    (tmp_path / "lib" / "unused").mkdir(parents=True)
    (tmp_path / "lib" / "unused" / "module.py").write_text("", encoding="utf-8")
    (tmp_path / "lib" / "kept.py").write_text("", encoding="utf-8")
    leave_out_unused(tmp_path, ("lib/unused", "lib/gone_in_this_release"))
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "lib",
        "lib/kept.py",
    ]


def test_dependencies_are_compiled_to_sourceless_bytecode_in_place(tmp_path: Path) -> None:
    (tmp_path / "dependency").mkdir()
    (tmp_path / "dependency" / "__init__.py").write_text("ANSWER = 42\n", encoding="utf-8")
    compile_dependencies(Path(sys.executable), tmp_path)
    files = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*"))
    assert files == ["dependency", "dependency/__init__.pyc"]


def test_sources_a_dependency_reads_itself_stay_sources(tmp_path: Path) -> None:
    (tmp_path / "anyio" / "abc").mkdir(parents=True)
    for source in SELF_READING_SOURCES:
        (tmp_path / source).write_text("", encoding="utf-8")
    compile_dependencies(Path(sys.executable), tmp_path)
    files = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.py*"))
    assert files == sorted(SELF_READING_SOURCES)


def test_a_dependency_that_does_not_compile_stops_the_build(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")
    with pytest.raises(BundlingError, match="compile the bundle's bytecode"):
        compile_dependencies(Path(sys.executable), tmp_path)


# --- the real bundle ------------------------------------------------------------------


@dataclass(frozen=True)
class Bundled:
    """A synth with bundling: the cloud assembly, the code asset's folder, the settings."""

    outdir: Path
    asset: Path
    settings: ProjectSettings


@pytest.fixture(scope="module")
def bundled(
    project_dir: Path, cdk_context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Bundled:
    """Synthesize the project's stack with bundling, once for this module."""
    outdir = tmp_path_factory.mktemp("bundled.out")
    app = build_app(
        cdk_context, project_dir=project_dir, outdir=outdir, declarations=default_declarations()
    )
    app.synth()
    settings = ProjectSettings.from_context(app.node)
    assets = json.loads((outdir / f"{settings.stack_name}.assets.json").read_text())
    # The app's one code asset, beside the custom resource framework's own (Node) code.
    (asset,) = (
        outdir / entry["source"]["path"]
        for entry in assets["files"].values()
        if entry["source"]["packaging"] == "zip"
        and (outdir / entry["source"]["path"] / settings.package_name).is_dir()
    )
    return Bundled(outdir, asset, settings)


def run_target_python(settings: ProjectSettings, code: str) -> str:
    python = find_python(settings.python_version)
    done = subprocess.run(
        [str(python), "-I", "-c", code], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.mark.slow
def test_bundle_holds_the_package_without_the_dev_kit(
    bundled: Bundled,
) -> None:
    asset, settings = bundled.asset, bundled.settings
    package = asset / settings.package_name
    assert (package / "entrypoints" / "lambda_ingest.py").is_file()
    assert (package / "entrypoints" / "lambda_worker.py").is_file()
    assert not (asset / f"{settings.package_name}_devkit").exists()
    assert not (package / "local").exists()


@pytest.mark.slow
def test_bundle_leaves_out_boto3_and_the_dev_and_infra_groups(bundled: Bundled) -> None:
    asset = bundled.asset
    top_level = {path.name.split("-")[0].lower() for path in asset.iterdir()}
    assert {"fastapi", "mangum", "jwt", "pydantic_core", "cronsim"} <= top_level
    dev_only = {"boto3", "botocore", "s3transfer", "pytest", "moto", "uvicorn", "qstash", "jsii"}
    dev_only |= {"aws_cdk", "cdk_nag", "cfnlint"}
    assert not top_level & dev_only


@pytest.mark.slow
def test_bundle_holds_no_installer_leftovers(bundled: Bundled) -> None:
    # Console scripts (bin/) name the build machine's Python; .lock is uv's install lock.
    assert not {"bin", ".lock"} & {path.name for path in bundled.asset.iterdir()}


@pytest.mark.slow
@pytest.mark.parametrize("package", UNUSED_PACKAGES)
def test_bundle_leaves_out_the_packages_nothing_imports(bundled: Bundled, package: str) -> None:
    assert (bundled.asset / package).parent.is_dir()
    assert not (bundled.asset / package).exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    "package",
    [
        # What the application imports from Powertools, and what those import in turn.
        "logging", "metrics", "tracing", "middleware_factory", "shared",
        "utilities/batch", "utilities/data_classes", "utilities/idempotency",
        "utilities/jmespath_utils", "utilities/parameters", "utilities/parser",
        "utilities/typing",
    ],
)  # fmt: skip
def test_bundle_keeps_the_powertools_packages_the_app_imports(
    bundled: Bundled, package: str
) -> None:
    assert (bundled.asset / "aws_lambda_powertools" / package / "__init__.pyc").is_file()


@pytest.mark.slow
def test_bundle_leaves_out_type_stubs_and_installer_records(bundled: Bundled) -> None:
    unread = [*bundled.asset.rglob("*.pyi"), *bundled.asset.glob("*.dist-info/RECORD")]
    assert unread == []
    assert (bundled.asset / "certifi" / "cacert.pem").is_file()


@pytest.mark.slow
def test_compiled_extensions_match_the_lambda_platform(
    bundled: Bundled,
) -> None:
    asset, settings = bundled.asset, bundled.settings
    machine = "aarch64" if settings.architecture == "arm64" else "x86_64"
    version = settings.python_version.replace(".", "")
    (extension,) = (asset / "pydantic_core").glob("*.so")
    assert extension.name.endswith(f"cpython-{version}-{machine}-linux-gnu.so")


def dependency_files(bundled: Bundled, pattern: str) -> list[str]:
    """The bundle's files matching `pattern` outside the application package, sorted."""
    asset, package = bundled.asset, bundled.settings.package_name
    return sorted(
        path.relative_to(asset).as_posix()
        for path in asset.rglob(pattern)
        if path.relative_to(asset).parts[0] != package
    )


@pytest.mark.slow
def test_dependencies_ship_without_their_sources(bundled: Bundled) -> None:
    assert dependency_files(bundled, "*.py") == sorted(SELF_READING_SOURCES)


@pytest.mark.slow
def test_dependency_bytecode_sits_where_its_source_was(bundled: Bundled) -> None:
    # The legacy sourceless layout: mod.pyc beside its package's __init__.pyc, no __pycache__.
    assert (bundled.asset / "fastapi" / "routing.pyc").is_file()
    caches = dependency_files(bundled, "__pycache__")
    expected = {str(Path(source).parent / "__pycache__") for source in SELF_READING_SOURCES}
    assert caches == sorted(expected)


@pytest.mark.slow
def test_the_application_package_keeps_its_sources_with_their_bytecode(
    bundled: Bundled,
) -> None:
    asset, settings = bundled.asset, bundled.settings
    tag = f"cpython-{settings.python_version.replace('.', '')}"
    sources = list((asset / settings.package_name).rglob("*.py"))
    assert (asset / settings.package_name / "entrypoints" / "lambda_ingest.py") in sources
    missing = [
        source
        for source in sources
        if not (source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc").is_file()
    ]
    assert missing == []


@pytest.mark.slow
def test_all_bytecode_is_of_the_runtime_version(bundled: Bundled) -> None:
    magic = run_target_python(
        bundled.settings, "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"
    )
    other_versions = [
        pyc for pyc in bundled.asset.rglob("*.pyc") if pyc.read_bytes()[:4].hex() != magic
    ]
    assert other_versions == []


def code_filename(settings: ProjectSettings, pyc: Path) -> str:
    """The header flags and source file name a `.pyc` records, read by the runtime's Python."""
    return run_target_python(
        settings,
        "import importlib.util, marshal, sys\n"
        f"data = open({str(pyc)!r}, 'rb').read()\n"
        "flags = int.from_bytes(data[4:8], 'little')\n"
        "code = marshal.loads(data[16:])\n"
        "print(data[:4] == importlib.util.MAGIC_NUMBER, flags, code.co_filename)",
    )


@pytest.mark.slow
def test_bytecode_is_valid_without_source_timestamps_and_names_the_task_root(
    bundled: Bundled,
) -> None:
    # The CDK zips every file dated 1980: only hash-based bytecode stays valid on Lambda.
    asset, settings = bundled.asset, bundled.settings
    pyc = next((asset / settings.package_name / "__pycache__").glob("config.*.pyc"))
    # Flags 0b01: hash-based, source not checked (PEP 552).
    assert code_filename(settings, pyc) == f"True 1 /var/task/{settings.package_name}/config.py"


@pytest.mark.slow
def test_dependency_tracebacks_name_the_task_root(bundled: Bundled) -> None:
    answer = code_filename(bundled.settings, bundled.asset / "fastapi" / "routing.pyc")
    assert answer == "True 1 /var/task/fastapi/routing.py"


@pytest.mark.slow
def test_unchanged_sources_are_not_bundled_again(
    bundled: Bundled,
    project_dir: Path,
    cdk_context: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outdir = bundled.outdir

    def refuse(*_: object) -> None:
        raise AssertionError("bundled again")

    monkeypatch.setattr(bundling, "build_bundle", refuse)
    build_app(
        cdk_context, project_dir=project_dir, outdir=outdir, declarations=default_declarations()
    ).synth()


@pytest.mark.slow
def test_bundling_again_needs_no_network(
    bundled: Bundled,
    project_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asset, settings = bundled.asset, bundled.settings
    monkeypatch.setenv("UV_OFFLINE", "1")
    spec = BundleSpec(
        project_dir, settings.package_name, settings.python_version, settings.architecture
    )
    bundling.build_bundle(spec, tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        path.name for path in asset.iterdir()
    )
