"""Find a Python interpreter of the Lambda runtime's version on this machine.

The bundle's bytecode must come from the runtime's own Python version: a `.pyc` records the
magic number of the interpreter that wrote it, and Lambda ignores (and, its code folder being
read-only, cannot replace) one written by another version.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

# An explicit interpreter for the bundle, e.g. LAMBDA_PYTHON=/usr/bin/python3.13.
OVERRIDE_VARIABLE = "LAMBDA_PYTHON"


class InterpreterNotFoundError(RuntimeError):
    """No interpreter of the wanted version runs on this machine."""


def find_python(version: str) -> Path:
    """Return an interpreter that reports `version` (e.g. `3.13`).

    Looks at, in order: `$LAMBDA_PYTHON`; the interpreter running this code; pyenv's
    versions; `uv python find`; `python3.13` on PATH. Each candidate is run once to check
    its version, so a pyenv shim that points nowhere is skipped.

    Args:
        version: `major.minor`.

    Returns:
        The interpreter's path.

    Raises:
        InterpreterNotFoundError: None of the candidates is that version; the message says
            how to install one or point `LAMBDA_PYTHON` at one.
    """
    override = os.environ.get(OVERRIDE_VARIABLE)
    if override:
        if _reports(Path(override), version):
            return Path(override)
        raise InterpreterNotFoundError(
            f"{OVERRIDE_VARIABLE}={override} is not a Python {version} interpreter"
        )
    for candidate in _candidates(version):
        if _reports(candidate, version):
            return candidate
    raise InterpreterNotFoundError(
        f"Python {version} is needed to compile the Lambda bundle's bytecode for the "
        f"python{version} runtime, and none was found. Install it (`uv python install "
        f"{version}` or `pyenv install {version}`) or set {OVERRIDE_VARIABLE} to its path."
    )


def _candidates(version: str) -> Iterator[Path]:
    yield Path(sys.executable)
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    # Newest patch release first: 3.13.10 sorts after 3.13.9 by number, not by text.
    installed = sorted(
        (pyenv_root / "versions").glob(f"{version}.*/bin/python{version}"),
        key=lambda path: _patch_level(path.parents[1].name),
        reverse=True,
    )
    yield from installed
    uv = shutil.which(os.environ.get("UV", "uv"))
    if uv:
        found = subprocess.run(
            [uv, "python", "find", "--no-project", version],
            capture_output=True,
            text=True,
            check=False,
        )
        if found.returncode == 0 and found.stdout.strip():
            yield Path(found.stdout.strip())
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield Path(on_path)


def _patch_level(name: str) -> tuple[int, ...]:
    parts = name.split(".")
    return tuple(int(part) if part.isdigit() else -1 for part in parts)


def _reports(interpreter: Path, version: str) -> bool:
    try:
        answer = subprocess.run(
            [str(interpreter), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 0 and answer.stdout.strip() == version
