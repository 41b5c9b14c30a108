"""The ingest function, its Function URL and the public base URL parameter."""

from typing import Any

import pytest

from infra import constants
from infra.tests.conftest import Synthesized


@pytest.fixture(scope="module")
def ingest(synthesized: Synthesized) -> dict[str, Any]:
    _, function = synthesized.only(
        "AWS::Lambda::Function",
        {"Handler": constants.INGEST_HANDLER.format(package=synthesized.settings.package_name)},
    )
    return function


@pytest.fixture(scope="module")
def alias_id(synthesized: Synthesized) -> str:
    return synthesized.logical_id(synthesized.stack.ingest.app_function.alias)


def test_ingest_runs_on_the_chosen_runtime_and_architecture(
    ingest: dict[str, Any], synthesized: Synthesized
) -> None:
    settings = synthesized.settings
    assert ingest["Properties"]["Runtime"] == f"python{settings.python_version}"
    assert ingest["Properties"]["Architectures"] == [settings.architecture]


def test_ingest_environment_holds_only_names_and_arns(
    ingest: dict[str, Any], synthesized: Synthesized
) -> None:
    stack = synthesized.stack
    assert ingest["Properties"]["Environment"]["Variables"] == {
        constants.ENV_ENVIRONMENT: "production",
        constants.ENV_LOG_LEVEL: synthesized.settings.log_level,
        constants.ENV_JOBS_QUEUE_URL: {"Ref": synthesized.logical_id(stack.worker.queue)},
        constants.ENV_APP_TABLE_NAME: {"Ref": synthesized.logical_id(stack.store.app_table)},
        constants.ENV_SIGNING_KEYS_SECRET_ARN: {
            "Ref": synthesized.logical_id(stack.secrets.secret)
        },
        constants.ENV_PUBLIC_BASE_URL_PARAMETER: f"/{stack.stack_name}/public-base-url",
    }


def test_ingest_snapshots_published_versions(ingest: dict[str, Any]) -> None:
    assert ingest["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}


def test_function_url_is_public_and_points_at_the_live_alias(synthesized: Synthesized) -> None:
    function_id = synthesized.logical_id(synthesized.stack.ingest.app_function.function)
    synthesized.only(
        "AWS::Lambda::Url",
        {
            "AuthType": "NONE",
            "TargetFunctionArn": {"Fn::GetAtt": [function_id, "Arn"]},
            "Qualifier": constants.LIVE_ALIAS,
        },
    )


def test_anyone_may_invoke_the_url(synthesized: Synthesized, alias_id: str) -> None:
    synthesized.only(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunctionUrl",
            "FunctionName": {"Ref": alias_id},
            "FunctionUrlAuthType": "NONE",
            "Principal": "*",
        },
    )


def test_anyone_may_invoke_the_function_but_only_through_its_url(
    synthesized: Synthesized, alias_id: str
) -> None:
    synthesized.only(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": alias_id},
            "InvokedViaFunctionUrl": True,
            "Principal": "*",
        },
    )


def test_parameter_holds_the_function_url_without_its_trailing_slash(
    synthesized: Synthesized,
) -> None:
    url_id = synthesized.logical_id(synthesized.stack.ingest.url)
    synthesized.template.has_resource_properties(
        "AWS::SSM::Parameter",
        {
            "Name": f"/{synthesized.stack.stack_name}/public-base-url",
            "Value": {
                "Fn::Sub": [
                    "https://${Host}",
                    {
                        "Host": {
                            "Fn::Select": [
                                2,
                                {"Fn::Split": ["/", {"Fn::GetAtt": [url_id, "FunctionUrl"]}]},
                            ]
                        }
                    },
                ]
            },
        },
    )


def test_ingest_may_only_log_send_jobs_read_the_secret_and_store_and_its_parameter(
    synthesized: Synthesized,
) -> None:
    stack = synthesized.stack
    log_group = synthesized.logical_id(stack.ingest.app_function.log_group)
    assert synthesized.grants(stack.ingest.app_function.role) == {
        ("logs:CreateLogStream", "logs:PutLogEvents"): {"Fn::GetAtt": [log_group, "Arn"]},
        ("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"): {
            "Fn::GetAtt": [synthesized.logical_id(stack.worker.queue), "Arn"]
        },
        ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"): {
            "Ref": synthesized.logical_id(stack.secrets.secret)
        },
        ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"): {
            "Fn::GetAtt": [synthesized.logical_id(stack.store.app_table), "Arn"]
        },
        ("ssm:GetParameter",): {
            "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
            f":parameter/{stack.stack_name}/public-base-url"
        },
    }


def test_ingest_role_has_no_managed_policy(synthesized: Synthesized) -> None:
    role_id = synthesized.logical_id(synthesized.stack.ingest.app_function.role)
    role = synthesized.resources("AWS::IAM::Role")[role_id]
    assert "ManagedPolicyArns" not in role["Properties"]


def test_function_url_is_not_in_the_function_environment(ingest: dict[str, Any]) -> None:
    # The URL depends on the function: referring to it from the environment is a cycle.
    assert "FunctionUrl" not in str(ingest["Properties"]["Environment"])
