"""The generated README's operations docs, in both targets: diagrams that parse, links that land.

The mermaid diagrams are parsed by mermaid's own parser (the npm package, pinned in
tests/mermaid/package.json and its lock) under Node with jsdom, offline: `mermaid.parse`
needs no browser, unlike `@mermaid-js/mermaid-cli`, which renders through a Chromium it
downloads. mermaid 11 rather than 12: 12 requires Node 22.12, and Debian's Node is 20.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
MERMAID_DIR = Path(__file__).resolve().parent / "mermaid"
# Installs are kept per lock file, so later sessions reuse one (build/ is git-ignored).
MERMAID_CACHE = TEMPLATE_DIR / "build" / "mermaid"
CLOUDS = ("aws-lambda", "gcp-cloud-functions")

# One worker parses every diagram, so a session installs the parser once.
pytestmark = pytest.mark.xdist_group("mermaid")

Parser = Callable[[list[str]], list[dict[str, Any]]]


@pytest.fixture(scope="module", params=CLOUDS)
def baked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project baked with the default answers for one target."""
    output_dir = tmp_path_factory.mktemp(f"readme-{request.param}")
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(output_dir),
            extra_context={"cloud": request.param},
        )
    )


@pytest.fixture(scope="session")
def parse_mermaid() -> Parser:
    """Return a function that parses diagrams with mermaid (one Node process per call)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the mermaid check needs Node.js 20+ and npm (apt-get install nodejs npm)")
    folder = install_mermaid(npm)

    def _parse(sources: list[str]) -> list[dict[str, Any]]:
        result = subprocess.run(
            [node, "parse.mjs"],
            cwd=folder,
            input=json.dumps(sources),
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        parsed: list[dict[str, Any]] = json.loads(result.stdout)
        return parsed

    return _parse


def install_mermaid(npm: str) -> Path:
    """Install the pinned parser once per lock file content; return its folder.

    Installed into a fresh folder and moved into place in one rename, so two sessions at
    once never see a half-installed tree.
    """
    lock = (MERMAID_DIR / "package-lock.json").read_bytes()
    script = (MERMAID_DIR / "parse.mjs").read_bytes()
    digest = hashlib.sha256(lock + script).hexdigest()[:16]
    folder = MERMAID_CACHE / digest
    if (folder / "node_modules" / "mermaid").is_dir():
        return folder
    MERMAID_CACHE.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=MERMAID_CACHE, prefix=".install-"))
    for name in ("package.json", "package-lock.json", "parse.mjs"):
        shutil.copy2(MERMAID_DIR / name, staging / name)
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=staging,
        check=True,
        timeout=600,
    )
    try:
        staging.rename(folder)
    except OSError:  # another session got there first
        shutil.rmtree(staging)
    return folder


def mermaid_blocks(markdown: str) -> list[str]:
    """The bodies of the ```mermaid fenced blocks of `markdown`."""
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, flags=re.MULTILINE | re.DOTALL)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def heading_anchors(markdown: str) -> set[str]:
    """Every heading's anchor, outside fenced code (where `#` starts a comment)."""
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"#{1,6} (.+)", line)
        if match and not in_fence:
            anchor = github_anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            anchors.add(anchor if count == 0 else f"{anchor}-{count}")
    return anchors


def broken_links(markdown: str) -> list[str]:
    """The `](#anchor)` links of `markdown` that no heading answers."""
    anchors = heading_anchors(markdown)
    return [link for link in re.findall(r"\]\(#([^)]+)\)", markdown) if link not in anchors]


def qstash_paths(project_dir: Path) -> dict[str, str]:
    """The bake's route path constants, e.g. JOB_ROUTE -> /qstash/jobs/{job_name}."""
    (paths_py,) = project_dir.glob("src/*/paths.py")
    tree = ast.parse(paths_py.read_text(encoding="utf-8"))
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and node.value.value.startswith("/qstash/")
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def readme(project_dir: Path) -> str:
    return (project_dir / "README.md").read_text(encoding="utf-8")


def test_readme_has_an_architecture_diagram(baked: Path) -> None:
    architecture = readme(baked).split("### Architecture", 1)[1].split("\n### ", 1)[0]
    assert len(mermaid_blocks(architecture)) == 1


def test_every_mermaid_diagram_parses_as_a_flowchart(baked: Path, parse_mermaid: Parser) -> None:
    blocks = mermaid_blocks(readme(baked))
    assert blocks
    assert parse_mermaid(blocks) == [{"ok": True, "diagramType": "flowchart-v2"}] * len(blocks)


def test_parser_refuses_a_broken_flowchart(parse_mermaid: Parser) -> None:
    (result,) = parse_mermaid(['flowchart LR\n  qstash["QStash -->|"signed POST"| ingest\n'])
    assert result["ok"] is False
    assert "Parse error" in result["error"]


def routes_table(markdown: str) -> list[str]:
    """The QStash route paths the README's Routes table lists, e.g. /qstash/jobs/<job>."""
    section = markdown.split("\n## Routes\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `POST (/qstash/[^`]+)`", section, flags=re.MULTILINE)


def test_architecture_diagram_names_every_qstash_route(baked: Path) -> None:
    text = readme(baked)
    (diagram,) = mermaid_blocks(text.split("### Architecture", 1)[1])
    routes = [path.replace("<job>", "{job}") for path in routes_table(text)]
    # The table is the code's: each path is a constant of paths.py.
    known = {path.replace("{job_name}", "{job}") for path in qstash_paths(baked).values()}
    assert set(routes) <= known
    assert len(routes) >= 3  # the job route and both callbacks, at least
    assert [path for path in routes if path not in diagram] == []


def test_every_link_to_a_section_lands_on_a_heading(baked: Path) -> None:
    assert broken_links(readme(baked)) == []


def test_link_check_finds_a_link_to_a_missing_section() -> None:
    markdown = "## Deploy\n\n```bash\n# Runbook\n```\n\nSee [Deploy](#deploy) and [x](#runbook).\n"
    assert broken_links(markdown) == ["runbook"]
