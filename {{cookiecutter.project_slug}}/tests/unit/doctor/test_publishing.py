"""Only the publisher calls QStash's publish API: direct HTTP calls are found in the syntax tree."""

from pathlib import Path

from {{ cookiecutter.package_name }}.cli.doctor.publishing import check_publishing

from .conftest import PROJECT, line_of

PACKAGE = "{{ cookiecutter.package_name }}"

DIRECT = '''"""Notify partners."""

import httpx

QSTASH = "https://qstash.upstash.io"


def notify(url: str, body: bytes, token: str) -> None:
    """Publish to `url` (`POST /v2/publish/{url}`)."""
    httpx.post(f"{QSTASH}/v2/publish/{url}", content=body, headers={"Authorization": token})
'''


def check(src: Path) -> list[tuple[str, int | None]]:
    result = check_publishing(src, root=src.parent, allowed=src / PACKAGE / "qstash")
    return [(f.path, f.line) for f in result.findings]


def plant(src: Path, relative: str, source: str) -> Path:
    path = src / PACKAGE / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def test_the_projects_sources_pass() -> None:
    assert check(PROJECT / "src") == []


def test_direct_httpx_publish_outside_the_publisher_is_reported(tmp_path: Path) -> None:
    path = plant(tmp_path / "src", "partners.py", DIRECT)

    assert check(tmp_path / "src") == [(f"src/{PACKAGE}/partners.py", line_of(path, "httpx.post("))]


def test_publish_url_from_a_module_constant_is_reported(tmp_path: Path) -> None:
    source = (
        "import requests\n\nPUBLISH = 'https://qstash.upstash.io/v2/enqueue/orders/'\n\n"
        "def send(url: str) -> None:\n    requests.post(PUBLISH + url, timeout=5)\n"
    )
    path = plant(tmp_path / "src", "orders.py", source)

    assert check(tmp_path / "src") == [(f"src/{PACKAGE}/orders.py", line_of(path, "post("))]


def test_publish_path_only_in_a_docstring_passes(tmp_path: Path) -> None:
    source = '"""Calls `POST /v2/publish/{url}` through the publisher."""\n\nimport httpx\n'
    plant(tmp_path / "src", "docs_only.py", source)

    assert check(tmp_path / "src") == []


def test_publish_through_the_rest_client_passes(tmp_path: Path) -> None:
    source = (
        "def send(api: object, url: str) -> None:\n"
        "    api.request('POST', '/v2/publish/' + url, idempotent=False)\n"
    )
    plant(tmp_path / "src", "handoff_like.py", source)

    assert check(tmp_path / "src") == []


def test_the_qstash_package_may_call_the_api(tmp_path: Path) -> None:
    plant(tmp_path / "src", "qstash/client.py", DIRECT)

    assert check(tmp_path / "src") == []
