"""AWS fixtures: moto stands in for SQS, DynamoDB and Secrets Manager."""

import importlib
from collections.abc import Callable, Iterator
from types import ModuleType

import pytest
from aws_lambda_powertools.utilities import parameters
from moto import mock_aws
from pydantic import BaseModel

from {{ cookiecutter.package_name }}.aws.clients import (
    dynamodb_client,
    secretsmanager_client,
    sqs_client,
    ssm_client,
)
from {{ cookiecutter.package_name }}.config import get_settings
from {{ cookiecutter.package_name }}.jobs import JobContext, job
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.aws_resources import (
    LocalResources,
    create_resources,
)

from ...conftest import PUBLIC_BASE_URL


class Tally(BaseModel):
    """Payload of the test job `tally`: a label, and whether to fail."""

    label: str
    fail: bool = False


#: Labels the `tally` job ran for, in order: a job that ran twice shows up twice.
TALLY: list[str] = []


@job("tally", payload=Tally)
def tally(payload: Tally, context: JobContext) -> None:
    """Record that the job ran; raise when asked to."""
    if payload.fail:
        raise RuntimeError(f"tally {payload.label} failed on purpose")
    TALLY.append(payload.label)


@job("tick")
def tick(context: JobContext) -> None:
    """A job without a payload: record the schedule that triggered it."""
    TALLY.append(f"tick from {context.schedule_id}")


@job("maybe-tally", payload=Tally, optional=True)
def maybe_tally(payload: Tally | None, context: JobContext) -> None:
    """A job whose payload is optional: record its label, or that it had none."""
    TALLY.append(payload.label if payload else "no payload")


def _clear_caches() -> None:
    sqs_client.cache_clear()
    dynamodb_client.cache_clear()
    ssm_client.cache_clear()
    secretsmanager_client.cache_clear()
    get_settings.cache_clear()
    parameters.clear_caches()


@pytest.fixture
def aws(keys: SigningKeys, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalResources]:
    """Moto-backed resources, with the environment the deployed functions would get."""
    TALLY.clear()
    with mock_aws():
        _clear_caches()
        resources = create_resources(keys, prefix="test")
        for name, value in resources.environment().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("PUBLIC_BASE_URL", PUBLIC_BASE_URL)
        yield resources
        _clear_caches()


@pytest.fixture
def load_entrypoint(aws: LocalResources) -> Callable[[str], ModuleType]:
    """Import (or re-import) an entry point module so it reads the current environment."""

    def load(name: str) -> ModuleType:
        module = importlib.import_module(
            f"{{ cookiecutter.package_name }}.entrypoints.{name}",
        )
        return importlib.reload(module)

    return load
