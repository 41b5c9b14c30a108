"""The README's configuration table tells the truth about the settings and the entry points."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"
{%- if cookiecutter.cloud == "aws-lambda" %}
ENTRY_POINTS = {
    "ingest": "{{ cookiecutter.package_name }}.entrypoints.lambda_ingest",
    "worker": "{{ cookiecutter.package_name }}.entrypoints.lambda_worker",
}
#: What every import gets: a region and credentials that reach nothing.
PLATFORM_BASICS = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}
#: Values for variables that refuse a malformed or placeholder-looking one.
PLACEHOLDERS: dict[str, str] = {}
{%- else %}
ENTRY_POINTS = {"function": "{{ cookiecutter.package_name }}.entrypoints.gcp_main"}
#: What every import gets: a Firestore emulator address nothing listens on (the client
#: connects on its first call, never at import) and no Google credentials.
PLATFORM_BASICS = {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:9"}
#: Values for variables that refuse a malformed or placeholder-looking one.
PLACEHOLDERS = {
    "PUBLIC_BASE_URL": "https://europe-west1-demo.cloudfunctions.net/jobs",
    "QSTASH_TOKEN": "token-that-reaches-nothing",
}
{%- endif %}


def configuration_table() -> dict[str, str]:
    """Each variable of the table -> its "needed by" cell."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration") :]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`"):
            for name in re.findall(r"`([A-Z0-9_]+)`", cells[0]):
                rows[name] = cells[1]
        elif rows and not line.startswith("|"):
            break
    return rows


def required_at_start(entry_point: str) -> set[str]:
    """The variables the table says `entry_point` cannot start without."""
    return {
        name
        for name, needed_by in configuration_table().items()
        if f"{entry_point} **at start**" in needed_by
    }


def import_entry_point(entry_point: str, variables: set[str]) -> subprocess.CompletedProcess[str]:
    """Import an entry point in a fresh interpreter with only `variables` (and the platform's
    basics) set."""
    environment = {"PATH": "/usr/bin:/bin", **PLATFORM_BASICS} | {
        name: PLACEHOLDERS.get(name, f"placeholder-for-{name.lower()}") for name in variables
    }
    return subprocess.run(
        [sys.executable, "-c", f"import {ENTRY_POINTS[entry_point]}"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_table_lists_every_setting_and_nothing_else() -> None:
    assert set(configuration_table()) == {name.upper() for name in Settings.model_fields}


@pytest.mark.parametrize("entry_point", sorted(ENTRY_POINTS))
def test_entry_point_starts_with_only_the_variables_marked_at_start(entry_point: str) -> None:
    result = import_entry_point(entry_point, required_at_start(entry_point))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("entry_point", "variable"),
    [(entry, name) for entry in sorted(ENTRY_POINTS) for name in sorted(required_at_start(entry))],
)
def test_entry_point_without_a_variable_marked_at_start_does_not_start(
    entry_point: str, variable: str
) -> None:
    result = import_entry_point(entry_point, required_at_start(entry_point) - {variable})
    assert result.returncode != 0
    assert "ConfigurationError" in result.stderr
    assert variable in result.stderr.splitlines()[-1]
