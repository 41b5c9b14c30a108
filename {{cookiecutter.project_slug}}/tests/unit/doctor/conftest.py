"""Doctor fixtures: a copy of this project to plant mistakes in, and modules written on the fly."""

import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from {{ cookiecutter.package_name }}.cli.doctor import project_root
from {{ cookiecutter.package_name }}.cli.doctor.literals import SKIPPED_FOLDERS

PROJECT = project_root()


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of this project's own files (no virtual environment, no build output)."""
    target = tmp_path / "project"

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIPPED_FOLDERS or n.startswith(".venv")}

    shutil.copytree(PROJECT, target, ignore=ignore)
    return target


@pytest.fixture
def write_module(tmp_path: Path) -> Iterator[Callable[[str, str], ModuleType]]:
    """Write Python source to a file in `tmp_path` and import it (removed afterwards)."""
    names: list[str] = []

    def write(name: str, source: str) -> ModuleType:
        path = tmp_path / f"{name}.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        names.append(name)
        spec.loader.exec_module(module)
        return module

    yield write
    for name in names:
        sys.modules.pop(name, None)


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of `path` that contains `text`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")
