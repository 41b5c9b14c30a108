"""No QStash token or signing key is written into the project's files: planted in a copy."""

import shutil
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.cli.doctor.literals import check_literals
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

from .conftest import line_of

PACKAGE = "{{ cookiecutter.package_name }}"
# Shaped like the tokens the Upstash console prints (base64 of {"UserID":...,"Password":...}),
# made up for this test.
TOKEN = "eyJVc2VySUQiOiJhY21lLXRlYW0iLCJQYXNzd29yZCI6IjVmM2Q5YjJhN2MxZTRmMDgifQ=="  # noqa: S105
DEV_SERVER_KEY = "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"


def plant(project: Path, relative: str, text: str) -> Path:
    """Append `text` as a line of `project/relative` (created when missing)."""
    path = project / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text() if path.exists() else ""
    path.write_text(existing + text + "\n")
    return path


def located(project: Path) -> list[tuple[str, int | None]]:
    return [(f.path, f.line) for f in check_literals(project).findings]


def test_fresh_project_has_no_literals(project_copy: Path) -> None:
    assert check_literals(project_copy).findings == ()


def test_token_in_source_is_reported_at_its_line(project_copy: Path) -> None:
    relative = f"src/{PACKAGE}/jobs/examples.py"
    path = plant(project_copy, relative, f'FALLBACK_TOKEN = "{TOKEN}"')

    (finding,) = check_literals(project_copy).findings

    assert (finding.path, finding.line) == (relative, line_of(path, "FALLBACK_TOKEN"))
    assert finding.problem == "a QStash token is written here"
    assert "reset the token in the Upstash console" in finding.fix
    assert TOKEN not in finding.text()


def test_signing_key_in_source_is_reported(project_copy: Path) -> None:
    key = new_signing_key()
    plant(project_copy, f"src/{PACKAGE}/config.py", f'LOCAL_KEY = "{key}"')

    (finding,) = check_literals(project_copy).findings

    assert finding.problem == "a QStash signing key is written here"
    assert key not in finding.text()
{%- if cookiecutter.cloud == "aws-lambda" %}


def test_token_in_cdk_json_is_reported(project_copy: Path) -> None:
    path = project_copy / "cdk.json"
    text = path.read_text()
    planted = '"context": {\n    "qstashToken": "' + TOKEN + '",'
    path.write_text(text.replace('"context": {', planted, 1))

    assert located(project_copy) == [("cdk.json", line_of(path, "qstashToken"))]
{%- endif %}


def test_token_in_a_workflow_file_is_reported(project_copy: Path) -> None:
    relative = ".github/workflows/deploy.yml"
    path = plant(project_copy, relative, f"env:\n  QSTASH_TOKEN: {TOKEN}")

    assert located(project_copy) == [(relative, line_of(path, "QSTASH_TOKEN"))]


def test_workflow_reading_the_token_from_a_secret_passes(project_copy: Path) -> None:
    # The expression is built so that the template engine leaves it alone.
    expression = "$" + "{" + "{ secrets.QSTASH_TOKEN }" + "}"
    plant(project_copy, ".github/workflows/deploy.yml", f"env:\n  QSTASH_TOKEN: {expression}")

    assert check_literals(project_copy).findings == ()


def test_console_style_value_assigned_to_qstash_token_is_reported(project_copy: Path) -> None:
    path = plant(project_copy, ".env", "QSTASH_TOKEN=qstash_Zx81kQpL0aVw3nR7tYb2MeJc")

    assert located(project_copy) == [(".env", line_of(path, "QSTASH_TOKEN"))]


def test_secret_name_assigned_to_qstash_token_passes(project_copy: Path) -> None:
    plant(
        project_copy, "scripts/names.py", 'SECRETS = {"QSTASH_TOKEN": "jobs_qstash_token_secret"}'
    )

    assert check_literals(project_copy).findings == ()


def test_dev_server_key_outside_the_deny_lists_is_reported_as_public(project_copy: Path) -> None:
    plant(project_copy, "README.md", f"QSTASH_CURRENT_SIGNING_KEY={DEV_SERVER_KEY}")

    (finding,) = check_literals(project_copy).findings

    assert finding.path == "README.md"
    assert finding.problem == "the QStash dev server's public QStash signing key is written here"


def test_placeholder_key_passes(project_copy: Path) -> None:
    plant(project_copy, "README.md", "QSTASH_CURRENT_SIGNING_KEY=sig_xxxxxxxxxxxxxxxxxxxxxxxxxxxx")

    assert check_literals(project_copy).findings == ()


@pytest.mark.parametrize("folder", ["tests/unit", "devkit/src"])
def test_tests_and_the_dev_kit_may_hold_keys(project_copy: Path, folder: str) -> None:
    plant(project_copy, f"{folder}/keys_fixture.py", f'KEY = "{new_signing_key()}"')

    assert check_literals(project_copy).findings == ()


def git_init(project: Path) -> None:
    """Make `project` a git work tree, so the literals check asks git which files count."""
    git = shutil.which("git")
    assert git is not None
    subprocess.run([git, "init", "-q", str(project)], check=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_gitignored_env_file_is_not_scanned(project_copy: Path) -> None:
    git_init(project_copy)
    plant(project_copy, ".env", f"QSTASH_NEXT_SIGNING_KEY={new_signing_key()}")
    assert ".env" in (project_copy / ".gitignore").read_text().split()

    assert check_literals(project_copy).findings == ()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_untracked_file_git_would_commit_is_scanned(project_copy: Path) -> None:
    git_init(project_copy)
    plant(project_copy, "config/local.toml", f'key = "{new_signing_key()}"')

    assert [path for path, _ in located(project_copy)] == ["config/local.toml"]
