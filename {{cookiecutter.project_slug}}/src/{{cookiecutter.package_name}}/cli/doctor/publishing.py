"""Only the publisher calls QStash's publish API, so every publish waits out rate limits.

QStash answers 429 when a plan's request rate or daily quota is spent
(https://upstash.com/docs/qstash/api/api-ratelimiting); `qstash/rest.py` (`QStashApi`, under
the publisher in `qstash/client.py` and the GCP hand-off) waits out such answers with a
bounded back-off (`qstash/ratelimit.py`). A module outside `qstash/` that imports an HTTP
client itself and passes it a publish path (`/v2/publish/`, `/v2/enqueue/`, `/v2/batch`)
bypasses all that: each such call is a finding. Read from the syntax tree, so a path in a
docstring or a comment is not a call.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

from .findings import CheckResult, Finding, relative

CHECK = "publishing"
PUBLISH_PATHS = ("/v2/publish", "/v2/enqueue", "/v2/batch")
HTTP_CLIENTS = frozenset(
    {"httpx", "requests", "urllib3", "aiohttp", "urllib.request", "http.client"}
)
FIX = (
    "publish through qstash.client.Publisher (or qstash.rest.QStashApi), which waits out "
    "429 rate limits and refuses destinations QStash cannot reach"
)


def check_publishing(source_root: Path, *, root: Path, allowed: Path) -> CheckResult:
    """Find direct HTTP calls to QStash's publish API in the modules below `source_root`.

    Args:
        source_root: The folder holding the application's packages (`src/`).
        root: The project root (finding paths are relative to it).
        allowed: The package that may call the API itself (`src/<package>/qstash/`).

    Returns:
        One finding per call, at its line.
    """
    findings: list[Finding] = []
    modules = sorted(path for path in source_root.rglob("*.py") if allowed not in path.parents)
    for path in modules:
        try:
            tree = ast.parse(path.read_bytes(), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            continue
        clients = _http_clients(tree)
        if not clients:
            continue
        constants = _string_constants(tree)
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and _names_publish_path(call, constants):
                findings.append(
                    Finding(
                        CHECK,
                        relative(path, root),
                        call.lineno,
                        f"a direct {'/'.join(sorted(clients))} call to QStash's publish API "
                        "(no 429 rate-limit handling)",
                        FIX,
                    )
                )
    return CheckResult(CHECK, f"{len(modules)} module(s)", tuple(findings))


def _http_clients(tree: ast.Module) -> set[str]:
    """The HTTP client libraries a module imports, e.g. `{"httpx"}`."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if name in HTTP_CLIENTS or top in HTTP_CLIENTS:
                found.add(name if name in HTTP_CLIENTS else top)
    return found


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` assignments, so `httpx.post(PUBLISH_URL)` is seen too."""
    constants: dict[str, str] = {}
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for target in targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = value.value
    return constants


def _names_publish_path(call: ast.Call, constants: dict[str, str]) -> bool:
    """Whether an argument of `call` is a string that names a publish path."""
    values = [*call.args, *(keyword.value for keyword in call.keywords)]
    texts = [_text(part, constants) for value in values for part in _string_parts(value)]
    return any(path in text for text in texts for path in PUBLISH_PATHS)


def _text(node: ast.expr, constants: dict[str, str]) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id, "")
    return ""


def _string_parts(node: ast.expr) -> Iterator[ast.expr]:
    """The string pieces of an argument: a literal, an f-string's text, either side of `+`."""
    if isinstance(node, ast.JoinedStr):
        for value in node.values:
            yield from _string_parts(value)
    elif isinstance(node, ast.FormattedValue):
        yield node.value
    elif isinstance(node, ast.BinOp):
        yield from _string_parts(node.left)
        yield from _string_parts(node.right)
    else:
        yield node
