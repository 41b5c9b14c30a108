"""The generated Makefile's ``install`` target finds or puts aside uv without touching Python.

A stand-in ``python3`` records how it was called and plays pip: ``-m pip install --target
DIR`` puts a stand-in ``uv`` (which records its arguments too) in ``DIR/bin``; any other
install fails, as pip does on a Debian system Python (PEP 668). No network, no real uv.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Bake

FAKE_UV = """#!/bin/sh
echo "uv $*" >> "{log}"
"""
FAKE_PYTHON = """#!/bin/sh
echo "python3 $*" >> "{log}"
[ "{pip_works}" = yes ] || {{ echo "No module named pip" >&2; exit 1; }}
target=""
previous=""
for argument in "$@"; do
  [ "$previous" = "--target" ] && target="$argument"
  previous="$argument"
done
if [ -z "$target" ]; then
  echo "error: externally-managed-environment" >&2
  exit 1
fi
mkdir -p "$target/bin"
cat > "$target/bin/uv" <<'UV'
{fake_uv}UV
chmod +x "$target/bin/uv"
"""

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def write_executable(path: Path, text: str) -> Path:
    """Write a shell script and make it executable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


class Machine:
    """A PATH holding only the stand-in python3 plus the system tools, and a log of calls."""

    def __init__(self, root: Path, *, pip_works: bool = True) -> None:
        """Create the stand-ins below ``root``."""
        self.root = root
        root.mkdir(parents=True)
        self.log = root / "calls.log"
        self.log.touch()
        self.cache = root / "cache"
        fake_uv = FAKE_UV.format(log=self.log)
        write_executable(
            root / "bin" / "python3",
            FAKE_PYTHON.format(
                log=self.log, pip_works="yes" if pip_works else "no", fake_uv=fake_uv
            ),
        )

    def make(self, project_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
        """Run ``make`` in the project with this machine's PATH and cache folder."""
        env = {
            "PATH": f"{self.root / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "HOME": str(self.root),
            "XDG_CACHE_HOME": str(self.cache),
        }
        assert MAKE is not None
        return subprocess.run(
            [MAKE, "--no-print-directory", *arguments],
            cwd=project_dir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    def calls(self) -> list[str]:
        """Every recorded call of the stand-ins, in order."""
        return self.log.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def project_dir(bake: Any) -> Path:
    """A project baked with the default answers."""
    baked: Bake = bake()
    return baked.project_dir


@pytest.fixture
def uv_version(default_answers: dict[str, Any]) -> str:
    """The uv version the generated Makefile pins."""
    return str(default_answers["_versions"]["uv"])


def test_install_puts_uv_in_a_folder_of_its_own_when_uv_does_not_run(
    project_dir: Path, tmp_path: Path, uv_version: str
) -> None:
    machine = Machine(tmp_path / "machine")
    completed = machine.make(project_dir, "install", "UV=/nowhere/uv")
    assert completed.returncode == 0, completed.stderr
    folder = machine.cache / "uv-bootstrap" / uv_version
    assert machine.calls() == [
        f"python3 -m pip install --quiet --disable-pip-version-check --target {folder} "
        f"uv=={uv_version}",
        "uv sync --locked --quiet",
    ]


def test_install_reuses_the_uv_it_put_aside(
    project_dir: Path, tmp_path: Path, uv_version: str
) -> None:
    machine = Machine(tmp_path / "machine")
    machine.make(project_dir, "install", "UV=/nowhere/uv")
    machine.log.write_text("", encoding="utf-8")
    completed = machine.make(project_dir, "install", "UV=/nowhere/uv")
    assert completed.returncode == 0, completed.stderr
    assert [call for call in machine.calls() if call.startswith("python3")] == []


def test_install_uses_a_uv_that_runs_without_pip(project_dir: Path, tmp_path: Path) -> None:
    machine = Machine(tmp_path / "machine")
    uv = write_executable(tmp_path / "tools" / "uv", FAKE_UV.format(log=machine.log))
    completed = machine.make(project_dir, "install", f"UV={uv}")
    assert completed.returncode == 0, completed.stderr
    calls = machine.calls()
    assert [call for call in calls if call.startswith("python3")] == []
    assert calls[-1] == "uv sync --locked --quiet"


def test_install_without_uv_or_pip_says_how_to_get_uv(project_dir: Path, tmp_path: Path) -> None:
    machine = Machine(tmp_path / "machine", pip_works=False)
    completed = machine.make(project_dir, "install", "UV=/nowhere/uv")
    assert completed.returncode != 0
    assert "https://docs.astral.sh/uv/getting-started/installation/" in completed.stderr
    assert "UV=/path/to/uv" in completed.stderr
