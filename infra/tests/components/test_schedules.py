"""The custom resource that reconciles the QStash schedules and URL groups on each deploy."""

from typing import Any

import pytest

from infra import constants
from infra.components.schedules import RESOURCE_TYPE
from infra.declarations import declarations_document
from infra.settings import DEFAULT_QSTASH_URL
from infra.tests.conftest import SAMPLE_DECLARATIONS, Synth, Synthesized, default_declarations

US_QSTASH = "https://qstash-us-east-1.upstash.io"


@pytest.fixture(scope="module")
def declared(synth: Synth) -> Synthesized:
    """The stack with the sample declarations and a regional QStash."""
    return synth(declarations=SAMPLE_DECLARATIONS, qstash_url=US_QSTASH)


@pytest.fixture(scope="module")
def resource(declared: Synthesized) -> dict[str, Any]:
    _, found = declared.only(RESOURCE_TYPE)
    return found


@pytest.fixture(scope="module")
def function(declared: Synthesized) -> dict[str, Any]:
    logical_id = declared.logical_id(declared.stack.schedules.app_function.function)
    properties: dict[str, Any] = declared.resources("AWS::Lambda::Function")[logical_id][
        "Properties"
    ]
    return properties


def test_resource_names_the_stack_as_owner(declared: Synthesized, resource: dict[str, Any]) -> None:
    assert resource["Properties"]["Owner"] == declared.stack.stack_name


def test_resource_carries_the_declarations_unchanged(resource: dict[str, Any]) -> None:
    assert resource["Properties"]["Declarations"] == SAMPLE_DECLARATIONS


def test_destinations_start_at_the_public_base_url(
    declared: Synthesized, resource: dict[str, Any]
) -> None:
    stack = declared.stack
    assert resource["Properties"]["PublicBaseUrl"] == stack.resolve(stack.ingest.public_base_url)


def test_resource_names_the_secret_by_arn(declared: Synthesized, resource: dict[str, Any]) -> None:
    secret_ref = {"Ref": declared.logical_id(declared.stack.secrets.secret)}
    assert resource["Properties"]["QStashSecretArn"] == secret_ref


def test_qstash_url_comes_from_cdk_json(resource: dict[str, Any]) -> None:
    assert resource["Properties"]["QStashUrl"] == US_QSTASH


def test_qstash_url_defaults_to_the_global_endpoint(synthesized: Synthesized) -> None:
    _, found = synthesized.only(RESOURCE_TYPE)
    assert found["Properties"]["QStashUrl"] == DEFAULT_QSTASH_URL


def test_resource_carries_nothing_else(resource: dict[str, Any]) -> None:
    assert set(resource["Properties"]) == {
        "ServiceToken",
        "ServiceTimeout",
        "Owner",
        "PublicBaseUrl",
        "QStashSecretArn",
        "QStashUrl",
        "Declarations",
    }


def test_cloudformation_gives_up_soon_after_the_handler_s_own_timeout(
    resource: dict[str, Any], function: dict[str, Any]
) -> None:
    service_timeout = int(resource["Properties"]["ServiceTimeout"])
    assert function["Timeout"] < service_timeout <= function["Timeout"] + 300


def test_resource_is_served_by_the_provider_framework(
    declared: Synthesized, resource: dict[str, Any]
) -> None:
    framework = declared.stack.schedules.provider.node.find_child("framework-onEvent")
    assert resource["Properties"]["ServiceToken"] == {
        "Fn::GetAtt": [declared.logical_id(framework), "Arn"]
    }


def test_handler_is_the_application_s_schedules_entry_point(
    declared: Synthesized, function: dict[str, Any]
) -> None:
    package = declared.settings.package_name
    assert function["Handler"] == f"{package}.entrypoints.lambda_schedules.handler"


def test_handler_has_five_minutes_and_no_snapstart(function: dict[str, Any]) -> None:
    assert function["Timeout"] == constants.SCHEDULES_TIMEOUT_SECONDS == 300
    assert "SnapStart" not in function


def test_handler_runs_the_chosen_runtime_and_architecture(
    declared: Synthesized, function: dict[str, Any]
) -> None:
    settings = declared.settings
    assert function["Runtime"] == f"python{settings.python_version}"
    assert function["Architectures"] == [settings.architecture]


def test_handler_environment_holds_no_value_of_its_own(function: dict[str, Any]) -> None:
    assert set(function["Environment"]["Variables"]) == {
        constants.ENV_ENVIRONMENT,
        constants.ENV_LOG_LEVEL,
    }


def test_handler_may_only_log_and_read_the_secret(declared: Synthesized) -> None:
    schedules = declared.stack.schedules.app_function
    secret_ref = {"Ref": declared.logical_id(declared.stack.secrets.secret)}
    log_group_arn = {"Fn::GetAtt": [declared.logical_id(schedules.log_group), "Arn"]}
    assert declared.grants(schedules.role) == {
        ("logs:CreateLogStream", "logs:PutLogEvents"): log_group_arn,
        ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"): secret_ref,
    }


def test_framework_may_only_log_and_invoke_the_live_alias(declared: Synthesized) -> None:
    schedules = declared.stack.schedules
    framework_role = schedules.node.find_child("ProviderRole")
    log_group = schedules.node.find_child("ProviderLogs")
    alias_ref = {"Ref": declared.logical_id(schedules.app_function.alias)}
    assert declared.grants(framework_role) == {
        ("logs:CreateLogStream", "logs:PutLogEvents"): {
            "Fn::GetAtt": [declared.logical_id(log_group), "Arn"]
        },
        ("lambda:GetFunction", "lambda:InvokeFunction"): alias_ref,
    }


def test_framework_role_has_no_managed_policy(declared: Synthesized) -> None:
    framework_role = declared.stack.schedules.node.find_child("ProviderRole")
    role = declared.resources("AWS::IAM::Role")[declared.logical_id(framework_role)]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_framework_logs_are_kept_thirty_days(declared: Synthesized) -> None:
    schedules = declared.stack.schedules
    log_group = schedules.node.find_child("ProviderLogs")
    framework = schedules.provider.node.find_child("framework-onEvent")
    functions = declared.resources("AWS::Lambda::Function")
    logging = functions[declared.logical_id(framework)]["Properties"]["LoggingConfig"]
    assert logging["LogGroup"] == {"Ref": declared.logical_id(log_group)}
    groups = declared.resources("AWS::Logs::LogGroup")
    assert groups[declared.logical_id(log_group)]["Properties"]["RetentionInDays"] == 30


def test_stack_declares_what_the_application_declares(synthesized: Synthesized) -> None:
    _, found = synthesized.only(RESOURCE_TYPE)
    package = synthesized.settings.package_name
    expected = default_declarations() or declarations_document(package)
    assert found["Properties"]["Declarations"] == expected
