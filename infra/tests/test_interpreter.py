"""Finding the runtime's Python version on the build machine."""

import sys
from pathlib import Path

import pytest

from infra.interpreter import InterpreterNotFoundError, find_python

RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"


def fake_python(path: Path, reports: str) -> Path:
    """An executable that answers the version probe the way an interpreter would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {reports}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def no_interpreters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with no pyenv, no uv and nothing on PATH; returns the fake pyenv root."""
    monkeypatch.delenv("LAMBDA_PYTHON", raising=False)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("UV", str(tmp_path / "no-uv"))
    return tmp_path / "pyenv"


def test_running_interpreter_is_used_when_it_is_the_runtime_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LAMBDA_PYTHON", raising=False)
    assert find_python(RUNNING) == Path(sys.executable)


def test_pyenv_version_is_found_without_its_shim(no_interpreters: Path) -> None:
    found = fake_python(no_interpreters / "versions/3.99.1/bin/python3.99", "3.99")
    assert find_python("3.99") == found


def test_newest_pyenv_patch_release_wins(no_interpreters: Path) -> None:
    fake_python(no_interpreters / "versions/3.99.9/bin/python3.99", "3.99")
    newest = fake_python(no_interpreters / "versions/3.99.10/bin/python3.99", "3.99")
    assert find_python("3.99") == newest


def test_candidate_of_another_version_is_skipped(no_interpreters: Path, tmp_path: Path) -> None:
    fake_python(no_interpreters / "versions/3.99.1/bin/python3.99", "3.98")
    on_path = fake_python(tmp_path / "bin/python3.99", "3.99")
    assert find_python("3.99") == on_path


def test_missing_version_says_how_to_install_it(no_interpreters: Path) -> None:
    with pytest.raises(InterpreterNotFoundError) as missing:
        find_python("3.99")
    message = str(missing.value)
    assert "Python 3.99 is needed to compile the Lambda bundle's bytecode" in message
    assert "uv python install 3.99" in message
    assert "LAMBDA_PYTHON" in message


def test_override_of_another_version_is_refused(
    no_interpreters: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_python(no_interpreters / "versions/3.99.1/bin/python3.99", "3.99")
    monkeypatch.setenv("LAMBDA_PYTHON", sys.executable)
    with pytest.raises(InterpreterNotFoundError, match=r"is not a Python 3\.99 interpreter"):
        find_python("3.99")
