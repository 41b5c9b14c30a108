"""What a check reports (findings, each one actionable line) and the source readers checks share."""

import ast
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Where a finding about a setting points: the process environment, not a file.
ENVIRONMENT = "environment"


@dataclass(frozen=True)
class Finding:
    """One mistake, said so that someone can fix it.

    Attributes:
        check: The check that found it, e.g. `routes`.
        path: The file, relative to the project when inside it, or `environment` for a
            setting.
        line: The line in `path` (1-based), or None when there is none.
        problem: What is wrong, e.g. `POST /qstash/admin is not verified`.
        fix: How to fix it.
    """

    check: str
    path: str
    line: int | None
    problem: str
    fix: str

    def text(self) -> str:
        """Return `path:line: problem — fix` (without `:line` when there is none)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.problem} — {self.fix}"

    def to_json(self) -> dict[str, Any]:
        """Return the finding as a JSON object."""
        return {
            "check": self.check,
            "path": self.path,
            "line": self.line,
            "problem": self.problem,
            "fix": self.fix,
        }


@dataclass(frozen=True)
class CheckResult:
    """What one check found, and what it looked at (for the summary).

    Attributes:
        check: The check's name, e.g. `literals`.
        checked: What was looked at, e.g. `41 files`.
        findings: The mistakes found, in a stable order.
    """

    check: str
    checked: str
    findings: tuple[Finding, ...] = field(default=())


@dataclass(frozen=True)
class Location:
    """A place in the project: a file (relative to the project when inside it) and a line."""

    path: str
    line: int | None = None


def relative(path: Path, root: Path) -> str:
    """Return `path` relative to `root` when it is inside it, else as given (absolute)."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(resolved)


def source_location(function: Callable[..., Any], root: Path) -> Location:
    """Return where `function` is defined: its file and first line (decorators included).

    Wrappers that set `__wrapped__` (`functools.wraps`) are looked through, so a decorated
    endpoint or job points at the code a person wrote.

    Args:
        function: A function or method.
        root: The project root, which paths are made relative to.

    Returns:
        The location; the line is None (and the path `<unknown>`) when the source cannot be
        found, e.g. for a builtin or a function made at run time.
    """
    target = inspect.unwrap(function)
    path = source_file(target)
    try:
        _, line = inspect.getsourcelines(target)
    except (OSError, TypeError):
        return Location("<unknown>")
    if path is None:
        return Location("<unknown>")
    return Location(relative(path, root), line)


def source_file(function: Callable[..., Any]) -> Path | None:
    """Return the file `function` is defined in (through `functools.wraps`), or None."""
    try:
        filename = inspect.getsourcefile(inspect.unwrap(function))
    except TypeError:
        return None
    return Path(filename) if filename else None


def calls_in(path: Path) -> list[ast.Call]:
    """Every call in the module at `path`, read as a syntax tree (nothing is run).

    Returns:
        The calls; none when the file cannot be read or parsed (the tests and the linters
        report that).
    """
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return []
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def called_name(call: ast.Call) -> str | None:
    """The name a call calls: `job` for `job(...)` and for `registry.job(...)`, else None."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None
