"""A token's `sub` must name this app's public URL, wherever that URL is configured.

Each mode is the deployed ingest entry point (moto) with the environment the stack gives it:
`PUBLIC_BASE_URL` alone, the SSM parameter alone, a custom domain in `PUBLIC_BASE_URL`
beside a parameter holding the Function URL, and an API Gateway stage in the parameter.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest

from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import LocalResources
from {{ cookiecutter.package_name }}_devkit.signer import sign
from {{ cookiecutter.package_name }}_devkit.sqs import receive_all

from ...conftest import PUBLIC_BASE_URL
from ...events import API_GATEWAY_HOST, api_gateway_v1_event, function_url_event
from .conftest import TALLY

Loader = Callable[[str], ModuleType]

PARAMETER = "/test-stack/public-base-url"
CUSTOM_DOMAIN = "https://jobs.example.com"
API_GATEWAY_BASE_URL = f"https://{API_GATEWAY_HOST}/prod"
JOB_PATH = "/qstash/jobs/tally"
OTHER_JOB_PATH = "/qstash/jobs/tick"
BODY = json.dumps({"label": "subject"}).encode()


@dataclass(frozen=True)
class Mode:
    """Where the function learns its public URL, and what QStash signs.

    Attributes:
        environment: `PUBLIC_BASE_URL` and/or `PUBLIC_BASE_URL_PARAMETER`.
        parameter: The SSM parameter's value, or None for no parameter.
        base_url: The public base URL QStash calls (and signs).
        other_host: A base URL on another host, the same path.
        api_gateway: Whether requests arrive as API Gateway REST events (stage `prod`).
    """

    environment: dict[str, str]
    parameter: str | None
    base_url: str
    other_host: str
    api_gateway: bool = False


MODES = {
    "static-env-url": Mode(
        {"PUBLIC_BASE_URL": PUBLIC_BASE_URL},
        None,
        PUBLIC_BASE_URL,
        other_host="https://other123.lambda-url.us-east-1.on.aws",
    ),
    "ssm-parameter": Mode(
        {"PUBLIC_BASE_URL_PARAMETER": PARAMETER},
        PUBLIC_BASE_URL,
        PUBLIC_BASE_URL,
        other_host="https://other123.lambda-url.us-east-1.on.aws",
    ),
    # PUBLIC_BASE_URL wins: a token for the Function URL itself is for another host now.
    "custom-domain-over-parameter": Mode(
        {"PUBLIC_BASE_URL": CUSTOM_DOMAIN, "PUBLIC_BASE_URL_PARAMETER": PARAMETER},
        PUBLIC_BASE_URL,
        CUSTOM_DOMAIN,
        other_host=PUBLIC_BASE_URL,
    ),
    "api-gateway-stage": Mode(
        {"PUBLIC_BASE_URL_PARAMETER": PARAMETER},
        API_GATEWAY_BASE_URL,
        API_GATEWAY_BASE_URL,
        other_host="https://other123.execute-api.us-east-1.amazonaws.com/prod",
        api_gateway=True,
    ),
}


@pytest.fixture(params=list(MODES), ids=list(MODES))
def mode(
    request: pytest.FixtureRequest, aws: LocalResources, monkeypatch: pytest.MonkeyPatch
) -> Mode:
    """Give the function the mode's environment and parameter."""
    chosen: Mode = MODES[request.param]
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    for name, value in chosen.environment.items():
        monkeypatch.setenv(name, value)
    if chosen.parameter is not None:
        boto3.client("ssm").put_parameter(Name=PARAMETER, Value=chosen.parameter, Type="String")
    return chosen


def deliver(ingest: ModuleType, mode: Mode, keys: SigningKeys, signed_url: str) -> int:
    """POST a `tally` job to its route, signed for `signed_url`; return the status code."""
    token = sign(BODY, signed_url, keys.current)
    headers = {"upstash-signature": token, "upstash-message-id": "msg_subject"}
    if mode.api_gateway:
        event: dict[str, Any] = api_gateway_v1_event(JOB_PATH, BODY, headers)
    else:
        event = function_url_event(JOB_PATH, BODY, headers)
    response: dict[str, Any] = ingest.handler(event, None)
    return int(response["statusCode"])


def nothing_processed(aws: LocalResources) -> bool:
    """No job queued and no record (token claim, hand-off mark) written."""
    items = boto3.client("dynamodb").scan(TableName=aws.app_table_name)["Items"]
    return receive_all(aws.jobs_queue_url) == [] and items == [] and TALLY == []


def test_token_signed_for_the_public_url_is_accepted(
    mode: Mode, aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    assert deliver(ingest, mode, keys, mode.base_url + JOB_PATH) == 202
    assert len(receive_all(aws.jobs_queue_url)) == 1


def test_token_whose_subject_names_another_host_is_refused(
    mode: Mode, aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    assert deliver(ingest, mode, keys, mode.other_host + JOB_PATH) == 401
    assert nothing_processed(aws)


def test_token_whose_subject_names_another_path_is_refused(
    mode: Mode, aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    assert deliver(ingest, mode, keys, mode.base_url + OTHER_JOB_PATH) == 401
    assert nothing_processed(aws)


# --- the parameter on the first deploy ---------------------------------------------------


@pytest.fixture
def parameter_only(aws: LocalResources, monkeypatch: pytest.MonkeyPatch) -> str:
    """The function's environment names the parameter, which does not exist yet."""
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    monkeypatch.setenv("PUBLIC_BASE_URL_PARAMETER", PARAMETER)
    return PARAMETER


def test_missing_parameter_answers_503_and_processes_nothing(
    parameter_only: str, aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    ingest = load_entrypoint("lambda_ingest")
    status = deliver(ingest, MODES["ssm-parameter"], keys, PUBLIC_BASE_URL + JOB_PATH)
    assert status == 503
    assert nothing_processed(aws)


def test_parameter_written_after_start_up_is_read_on_the_next_delivery(
    parameter_only: str, aws: LocalResources, load_entrypoint: Loader, keys: SigningKeys
) -> None:
    # The first deploy: the function starts before the stack writes its URL.
    ingest = load_entrypoint("lambda_ingest")
    boto3.client("ssm").put_parameter(Name=PARAMETER, Value=PUBLIC_BASE_URL, Type="String")
    status = deliver(ingest, MODES["ssm-parameter"], keys, PUBLIC_BASE_URL + JOB_PATH)
    assert status == 202
