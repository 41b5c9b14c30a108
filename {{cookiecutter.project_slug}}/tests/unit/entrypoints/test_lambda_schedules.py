"""The schedules custom resource, driven with CloudFormation's Create, Update and Delete events.

The events are the real request shapes (tests/fixtures/events/cloudformation_*.json); the token
comes from a Secrets Manager secret (moto); QStash is the local double, over HTTP.
"""

import importlib
import json
import logging
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from {{ cookiecutter.package_name }}.errors import ConfigurationError
from {{ cookiecutter.package_name }}.qstash.reconcile import ReconcileError
from {{ cookiecutter.package_name }}.qstash.retrying import DeadlineExceededError
from {{ cookiecutter.package_name }}.qstash.schedules import Declarations, ScheduleSpec
from {{ cookiecutter.package_name }}_devkit.lambda_context import LocalLambdaContext
from {{ cookiecutter.package_name }}_devkit.qstash_double import (
    DoubleHost,
    DoubleSettings,
    RunningDouble,
    serve_doubles,
)

from ...events import load_event

# The stack name, which infra/ passes as the schedules resource's Owner property.
OWNER = "{{ cookiecutter.project_slug }}"
NIGHTLY = f"{OWNER}.nightly-report.nightly"
BASE_URL = "http://127.0.0.1:9"  # refuses connections: a schedule that fires reaches nothing


@pytest.fixture(scope="module")
def host() -> Iterator[DoubleHost]:
    with serve_doubles() as serving:
        yield serving


@pytest.fixture
def qstash(host: DoubleHost) -> Iterator[RunningDouble]:
    with host.run(DoubleSettings(time_scale=None)) as running:
        yield running


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager")


def create_secret(secrets: Any, token: str) -> str:
    """The stack's secret: the signing keys, the token, and the generated placeholder field."""
    value = {
        "QSTASH_CURRENT_SIGNING_KEY": "",
        "QSTASH_NEXT_SIGNING_KEY": "",
        "QSTASH_TOKEN": token,
        "placeholder": "Xy7Kp2",
    }
    arn: str = secrets.create_secret(Name="qstash", SecretString=json.dumps(value))["ARN"]
    return arn


@pytest.fixture
def secret_arn(secrets: Any, qstash: RunningDouble) -> str:
    return create_secret(secrets, qstash.token)


@pytest.fixture
def entrypoint() -> ModuleType:
    return importlib.import_module(
        "{{ cookiecutter.package_name }}.entrypoints.lambda_schedules",
    )


def event(name: str, qstash: RunningDouble, secret_arn: str, **properties: str) -> dict[str, Any]:
    """A fixture event pointed at the double and the secret; `properties` override the new ones."""
    loaded = load_event(f"cloudformation_{name}.json")
    local = {"QStashUrl": qstash.base_url, "QStashSecretArn": secret_arn, "PublicBaseUrl": BASE_URL}
    for key in ("ResourceProperties", "OldResourceProperties"):
        if key in loaded:
            loaded[key] |= local
    loaded["ResourceProperties"] |= properties
    return loaded


def invoke(entrypoint: ModuleType, request: dict[str, Any], timeout: float = 60.0) -> Any:
    return entrypoint.handler(request, LocalLambdaContext(timeout_seconds=timeout))


def old_declarations(qstash: RunningDouble, secret_arn: str) -> str:
    """The `Declarations` the Update event's `OldResourceProperties` hold (nightly at 02:00)."""
    document: str = event("update", qstash, secret_arn)["OldResourceProperties"]["Declarations"]
    return document


def crons(qstash: RunningDouble) -> dict[str, str]:
    return {schedule.schedule_id: schedule.cron for schedule in qstash.double.schedules()}


# --- Create, Update, Delete -------------------------------------------------------------


def test_create_makes_the_declared_schedule_and_endpoint(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn))
    (schedule,) = qstash.double.schedules()
    assert (schedule.schedule_id, schedule.cron) == (NIGHTLY, "0 3 * * *")
    assert schedule.destination == f"{BASE_URL}/qstash/jobs/nightly-report"
    endpoints = qstash.double.state.groups["user-signed-up"].endpoints
    assert [(e.name, e.url) for e in endpoints] == [
        (f"{OWNER}.send-welcome-email", f"{BASE_URL}/qstash/jobs/send-welcome-email")
    ]


def test_create_answers_the_owners_physical_id_and_what_it_did(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    answer = invoke(entrypoint, event("create", qstash, secret_arn))
    assert answer == {
        "PhysicalResourceId": f"qstash-schedules-{OWNER}",
        "Data": {"Owner": OWNER, "Reconciled": "true", "Changes": "2"},
    }


def test_update_moves_the_schedule_to_the_new_cron(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    before = old_declarations(qstash, secret_arn)
    invoke(entrypoint, event("create", qstash, secret_arn, Declarations=before))
    answer = invoke(entrypoint, event("update", qstash, secret_arn))
    assert crons(qstash) == {NIGHTLY: "0 3 * * *"}
    assert answer["PhysicalResourceId"] == f"qstash-schedules-{OWNER}"


def test_deploying_twice_leaves_one_schedule_per_declaration(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn))
    answer = invoke(entrypoint, event("update", qstash, secret_arn))
    assert list(crons(qstash)) == [NIGHTLY]
    assert answer["Data"]["Changes"] == "0"


def test_a_rollback_update_restores_the_previous_schedules(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn))
    rollback = event(
        "update", qstash, secret_arn, Declarations=old_declarations(qstash, secret_arn)
    )
    invoke(entrypoint, rollback)
    assert crons(qstash) == {NIGHTLY: "0 2 * * *"}


def test_delete_removes_everything_the_owner_holds(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn))
    answer = invoke(entrypoint, event("delete", qstash, secret_arn))
    assert qstash.double.schedules() == []
    assert "user-signed-up" not in qstash.double.state.groups
    assert answer["PhysicalResourceId"] == "qstash-schedules-" + OWNER


def test_delete_leaves_other_owners_schedules(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn, Owner="staging"))
    invoke(entrypoint, event("create", qstash, secret_arn))
    invoke(entrypoint, event("delete", qstash, secret_arn))
    assert list(crons(qstash)) == ["staging.nightly-report.nightly"]


def test_a_delete_of_a_resource_under_another_id_leaves_qstash_alone(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    invoke(entrypoint, event("create", qstash, secret_arn))
    request = event("delete", qstash, secret_arn)
    request["PhysicalResourceId"] = "an-id-of-another-scheme"
    answer = invoke(entrypoint, request)
    assert answer["PhysicalResourceId"] == "an-id-of-another-scheme"
    assert answer["Data"]["Reconciled"] == "false"
    assert list(crons(qstash)) == [NIGHTLY]


def test_a_new_owner_gets_a_new_physical_id_so_the_old_one_is_deleted(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    answer = invoke(entrypoint, event("update", qstash, secret_arn, Owner="renamed"))
    assert answer["PhysicalResourceId"] == "qstash-schedules-renamed"


# --- the secret ---------------------------------------------------------------------------


def test_before_the_token_is_set_nothing_changes_and_the_answer_says_why(
    entrypoint: ModuleType, qstash: RunningDouble, secrets: Any
) -> None:
    arn = create_secret(secrets, token="")
    answer = invoke(entrypoint, event("create", qstash, arn))
    assert answer["Data"]["Reconciled"] == "false"
    assert answer["Data"]["Reason"].startswith(f"QSTASH_TOKEN is not set in {arn} yet")
    assert qstash.double.schedules() == []


def test_an_unreadable_secret_fails_naming_it(
    entrypoint: ModuleType, qstash: RunningDouble, secrets: Any
) -> None:
    missing = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf"
    with pytest.raises(ConfigurationError, match=f"cannot read the QStash secret {missing}"):
        invoke(entrypoint, event("create", qstash, missing))


@pytest.fixture
def package_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """What the package logs (its logger does not propagate to the root's capture)."""
    package_logger = logging.getLogger("{{ cookiecutter.package_name }}")
    package_logger.addHandler(caplog.handler)
    yield caplog
    package_logger.removeHandler(caplog.handler)


def test_the_token_never_reaches_the_log_or_the_answer(
    entrypoint: ModuleType,
    qstash: RunningDouble,
    secret_arn: str,
    package_logs: pytest.LogCaptureFixture,
) -> None:
    answer = invoke(entrypoint, event("create", qstash, secret_arn))
    qstash.double.configure(max_retries=0)  # every upsert is now refused
    before = old_declarations(qstash, secret_arn)
    with pytest.raises(ReconcileError) as caught:
        invoke(entrypoint, event("update", qstash, secret_arn, Declarations=before))
    assert package_logs.records  # it did log the plan
    shown = repr([vars(record) for record in package_logs.records]) + repr(answer)
    shown += repr((caught.value.message, caught.value.details))
    assert qstash.token not in shown


# --- failures -----------------------------------------------------------------------------


def test_a_missing_property_fails_naming_it(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    request = event("create", qstash, secret_arn)
    del request["ResourceProperties"]["Declarations"]
    with pytest.raises(ConfigurationError, match="lacks the properties Declarations"):
        invoke(entrypoint, request)


def test_a_failed_create_removes_what_it_had_created(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    qstash.double.configure(max_retries=5)
    path = "/qstash/jobs/nightly-report"
    declarations = Declarations(
        (
            ScheduleSpec("nightly-report", "a", "0 3 * * *", path, "", 3, 0),
            ScheduleSpec("nightly-report", "b", "0 4 * * *", path, "", 10, 0),  # refused: 10 > 5
        )
    )
    with pytest.raises(ReconcileError, match="failed after 1 of 2 changes"):
        invoke(
            entrypoint, event("create", qstash, secret_arn, Declarations=declarations.to_document())
        )
    assert qstash.double.schedules() == []


def test_a_spent_time_limit_fails_before_any_call(
    entrypoint: ModuleType, qstash: RunningDouble, secret_arn: str
) -> None:
    # 5.5 s of invocation time leave 0.5 s after the margin: too little to start a call.
    with pytest.raises(DeadlineExceededError, match="of the time limit left"):
        invoke(entrypoint, event("update", qstash, secret_arn), timeout=5.5)
    assert qstash.double.schedules() == []
