"""The QStash secret: created empty, read by ARN, its values never in the assembly."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from infra import constants
from infra.tests.conftest import Synth, Synthesized, app_source

# Shaped like real values (QStash keys are 32 characters after `sig_`), made up for the test.
LOCAL_SECRETS = {
    "QSTASH_CURRENT_SIGNING_KEY": "sig_CurrentKeyOnThisLaptop00000000000",
    "QSTASH_NEXT_SIGNING_KEY": "sig_NextKeyOnThisLaptop1111111111111",
    "QSTASH_TOKEN": "eyJUb2tlbk9uVGhpc0xhcHRvcCI6dHJ1ZX0=",
}


@pytest.fixture(scope="module")
def secret(synthesized: Synthesized) -> dict[str, Any]:
    _, resource = synthesized.only("AWS::SecretsManager::Secret")
    return resource


def test_secret_is_created_with_every_field_empty(secret: dict[str, Any]) -> None:
    generated = secret["Properties"]["GenerateSecretString"]
    assert json.loads(generated["SecretStringTemplate"]) == dict.fromkeys(
        constants.SECRET_FIELDS, ""
    )
    assert "SecretString" not in secret["Properties"]


def test_secret_fields_are_the_ones_the_key_source_reads() -> None:
    fields = re.findall(r'^[A-Z]+_FIELD = "([A-Z_]+)"$', app_source("aws/signing_keys.py"), re.M)
    assert tuple(fields) == constants.SECRET_FIELDS[:2]


def test_no_value_from_the_developer_environment_reaches_the_cloud_assembly(
    synth: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in LOCAL_SECRETS.items():
        monkeypatch.setenv(name, value)
    outdir = synth().outdir
    for path in Path(outdir).rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for value in LOCAL_SECRETS.values():
                assert value not in text, f"{path.name} holds a secret value"
