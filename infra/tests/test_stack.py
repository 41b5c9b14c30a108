"""The stack's outputs and tags, and the deploy switches of cdk.json."""

import pytest

from infra import constants
from infra.tests.conftest import Synth, Synthesized

CUSTOM_DOMAIN = "https://jobs.example.com"
ALARM_TOPIC = "arn:aws:sns:us-east-1:123456789012:on-call"


@pytest.fixture(scope="module")
def switched(synth: Synth) -> Synthesized:
    """The stack with every switch away from its default (given as strings, like `-c`)."""
    return synth(
        public_base_url=CUSTOM_DOMAIN,
        snap_start="false",
        alarm_topic_arn=ALARM_TOPIC,
        retain_data="false",
        log_level="debug",
    )


def test_outputs_name_the_url_queues_tables_and_secret(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    outputs = synthesized.template.find_outputs("*")
    assert {name: output["Value"] for name, output in outputs.items()} == {
        "FunctionUrl": {"Fn::GetAtt": [synthesized.logical_id(stack.ingest.url), "FunctionUrl"]},
        "PublicBaseUrl": stack.resolve(stack.ingest.public_base_url),
        "JobsQueueUrl": {"Ref": synthesized.logical_id(stack.worker.queue)},
        "DeadLetterQueueUrl": {"Ref": synthesized.logical_id(stack.worker.dead_letter_queue)},
        "AppTableName": {"Ref": synthesized.logical_id(stack.store.app_table)},
        "IdempotencyTableName": {"Ref": synthesized.logical_id(stack.store.idempotency_table)},
        "SecretArn": {"Ref": synthesized.logical_id(stack.secrets.secret)},
    }


def test_stack_is_named_after_the_project_and_tagged_with_it(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    assert stack.stack_name == synthesized.settings.project_slug
    assert stack.tags.tag_values() == {"project": synthesized.settings.project_slug}


def test_stack_deploys_to_the_chosen_region(synthesized: Synthesized) -> None:
    assert synthesized.stack.region == synthesized.settings.aws_region


def test_custom_domain_reaches_the_function_and_the_parameter(switched: Synthesized) -> None:
    handler = constants.INGEST_HANDLER.format(package=switched.settings.package_name)
    _, function = switched.only("AWS::Lambda::Function", {"Handler": handler})
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables[constants.ENV_PUBLIC_BASE_URL] == CUSTOM_DOMAIN
    switched.template.has_resource_properties("AWS::SSM::Parameter", {"Value": CUSTOM_DOMAIN})


def test_snapstart_switch_turns_it_off(switched: Synthesized) -> None:
    for function in switched.resources("AWS::Lambda::Function").values():
        assert "SnapStart" not in function["Properties"]


def test_alarms_notify_the_configured_topic(switched: Synthesized) -> None:
    for alarm in switched.resources("AWS::CloudWatch::Alarm").values():
        assert alarm["Properties"]["AlarmActions"] == [ALARM_TOPIC]


def test_app_table_goes_with_the_stack_when_data_is_not_retained(switched: Synthesized) -> None:
    table_id = switched.logical_id(switched.stack.store.app_table)
    assert switched.resources("AWS::DynamoDB::Table")[table_id]["DeletionPolicy"] == "Delete"


def test_log_level_is_passed_in_upper_case(switched: Synthesized) -> None:
    functions = switched.resources("AWS::Lambda::Function")
    stack = switched.stack
    for construct in (stack.ingest, stack.worker, stack.schedules):
        function = functions[switched.logical_id(construct.app_function.function)]
        assert (
            function["Properties"]["Environment"]["Variables"][constants.ENV_LOG_LEVEL] == "DEBUG"
        )
