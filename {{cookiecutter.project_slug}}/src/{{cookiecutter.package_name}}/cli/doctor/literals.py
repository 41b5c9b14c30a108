"""No QStash token or signing key is written into the project's files.

Scanned: every text file the project would commit (with git: tracked files and untracked
ones not ignored; without git: every file outside build and cache folders), so source,
{% if cookiecutter.cloud == "aws-lambda" %}`infra/`, `cdk.json`, `.github/` workflows{% else %}`.github/` workflows, `scripts/`{% endif %}, `.env` files and other configuration.
Left out: the test suites (`tests/` folders) and the dev kit (`devkit/`), whose keys are
generated per test or are the dev server's public ones. The dev server's public values are
allowed only in the two modules that list them so that settings can refuse them.

Shapes looked for (https://upstash.com/docs/qstash/howto/local-development shows both):
signing keys `sig_` followed by 20 or more letters and digits; tokens as the console and the
dev server print them, base64 of a JSON object that starts `{"UserID":`; a JWT-shaped
value (three base64url segments), and any long literal given to `QSTASH_TOKEN`.
"""

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ...config import PUBLIC_QSTASH_TOKENS
from ...qstash.keys import PUBLIC_SIGNING_KEYS, is_placeholder
from .findings import CheckResult, Finding

CHECK = "literals"
PACKAGE = __name__.split(".")[0]
#: Folders that hold no file of the project's own: environments, dependencies, output.
SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        "node_modules",
{%- if cookiecutter.cloud == "aws-lambda" %}
        "cdk.out",
{%- endif %}
        "build",
        "dist",
        "htmlcov",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: Where secrets of tests and the local double may live.
ALLOWED_FOLDERS = frozenset({"tests", "devkit"})
#: The modules that list the dev server's public keys and tokens, to refuse them.
DENY_LISTS = frozenset({f"src/{PACKAGE}/config.py", f"src/{PACKAGE}/qstash/keys.py"})
MAX_FILE_BYTES = 2_000_000
PUBLIC_VALUES = PUBLIC_SIGNING_KEYS | PUBLIC_QSTASH_TOKENS

KEY_FIX = (
    "delete it, roll the signing keys in the Upstash console (this one is exposed) and "
    "load them from the deployment's secret, never from a file"
)
REISSUE_FIX = (
    "delete it, reset the token in the Upstash console (QStash > Reset token) and pass "
    "QSTASH_TOKEN from a secret (a CI secret, the deployment's secret store)"
)


@dataclass(frozen=True)
class Shape:
    """A kind of secret literal: what it is called, how it looks, how to fix one."""

    name: str
    pattern: re.Pattern[str]
    fix: str


SHAPES = (
    Shape("QStash signing key", re.compile(r"(?<![A-Za-z0-9_])sig_[A-Za-z0-9]{20,}"), KEY_FIX),
    Shape(
        "QStash token",
        re.compile(r"eyJVc2VySUQiOi[A-Za-z0-9+/_-]{10,}={0,2}"),
        REISSUE_FIX,
    ),
    Shape(
        "JWT-shaped token",
        re.compile(
            r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"
        ),
        REISSUE_FIX,
    ),
    Shape(
        "value assigned to QSTASH_TOKEN",
        re.compile(r"QSTASH_TOKEN[\"']?\s*[:=]\s*[\"']?(?P<value>[A-Za-z0-9+/=_]{24,})(?![\w$({])"),
        REISSUE_FIX,
    ),
)


def check_literals(root: Path) -> CheckResult:
    """Scan the project below `root` for token and signing-key literals.

    Args:
        root: The project root (where `pyproject.toml` is).

    Returns:
        One finding per line and kind of literal, naming the file and line, never the value.
    """
    findings: list[Finding] = []
    files = list(project_files(root))
    for path in files:
        findings.extend(_scan(root, path))
    return CheckResult(CHECK, f"{len(files)} file(s)", tuple(findings))


def project_files(root: Path) -> Iterator[str]:
    """Yield the paths (relative, `/`-separated) of the text files to scan, sorted.

    With git, the files it would commit: tracked ones and untracked ones it does not
    ignore (a gitignored `.env` stays on the laptop). Without git (or outside a work tree),
    every file below `root` outside `SKIPPED_FOLDERS` and virtual environments.
    """
    listed = _git_files(root)
    candidates = listed if listed is not None else _walk(root)
    for relative in sorted(candidates):
        parts = relative.split("/")
        if ALLOWED_FOLDERS.intersection(parts[:-1]):
            continue
        path = root / relative
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            yield relative


def _git_files(root: Path) -> list[str] | None:
    git = shutil.which("git")
    if git is None:
        return None
    # A fixed command on the project's own folder; no shell, no input from elsewhere.
    result = subprocess.run(  # noqa: S603
        [git, "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        return None
    return [name for name in result.stdout.decode("utf-8", "replace").split("\0") if name]


def _walk(root: Path) -> Iterator[str]:
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if any(part in SKIPPED_FOLDERS or part.startswith(".venv") for part in parts):
            continue
        if path.is_file():
            yield "/".join(parts)


def _scan(root: Path, relative: str) -> Iterator[Finding]:
    data = (root / relative).read_bytes()
    if b"\0" in data[:8192]:
        return  # binary
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
        for shape in SHAPES:
            values = [_value(match) for match in shape.pattern.finditer(line)]
            secrets = [value for value in values if _is_secret(value, shape)]
            if any(value not in PUBLIC_VALUES for value in secrets):
                yield Finding(CHECK, relative, number, f"a {shape.name} is written here", shape.fix)
            elif secrets and relative not in DENY_LISTS:
                yield Finding(
                    CHECK,
                    relative,
                    number,
                    f"the QStash dev server's public {shape.name} is written here",
                    "leave it to the dev kit, which gives it to the local QStash double; "
                    "deployed settings refuse it",
                )
            else:
                continue
            break  # one finding per line: a token assigned to QSTASH_TOKEN is one mistake


def _value(match: re.Match[str]) -> str:
    return match.groupdict().get("value") or match.group(0)


def _is_secret(value: str, shape: Shape) -> bool:
    if is_placeholder(value) or len(set(value.removeprefix("sig_"))) <= 2:
        return False  # `sig_xxxxxxxx...`, `<your key>`: documentation, not a key
    # A literal given to QSTASH_TOKEN counts when it looks random: not a secret's name or
    # a word, e.g. `QSTASH_TOKEN: qstash_token_secret_name`.
    return "value" not in shape.pattern.groupindex or _mixed(value)


def _mixed(value: str) -> bool:
    """Upper case, lower case and digits: what a random token has and a name does not."""
    return (
        any(c.isupper() for c in value)
        and any(c.islower() for c in value)
        and any(c.isdigit() for c in value)
    )
