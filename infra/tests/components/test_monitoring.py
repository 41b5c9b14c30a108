"""Alarms on dead letters, stored dead letters and function errors."""

from typing import Any

import pytest

from infra import constants
from infra.tests.conftest import Synthesized, app_source

ALARMS = ("DeadLetterQueueNotEmpty", "DeadLettersStored", "WorkerErrors", "IngestErrors")


def alarm(synthesized: Synthesized, name: str) -> dict[str, Any]:
    logical_id = synthesized.logical_id(synthesized.stack.monitoring.alarms[name])
    properties: dict[str, Any] = synthesized.resources("AWS::CloudWatch::Alarm")[logical_id][
        "Properties"
    ]
    return properties


def test_stack_has_exactly_these_alarms(synthesized: Synthesized) -> None:
    assert len(synthesized.resources("AWS::CloudWatch::Alarm")) == len(ALARMS)
    assert set(synthesized.stack.monitoring.alarms) == set(ALARMS)


@pytest.mark.parametrize("name", ALARMS)
def test_alarm_fires_on_the_first_occurrence_and_is_quiet_without_data(
    synthesized: Synthesized, name: str
) -> None:
    properties = alarm(synthesized, name)
    assert properties["Threshold"] == 1
    assert properties["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert properties["EvaluationPeriods"] == 1
    assert properties["TreatMissingData"] == "notBreaching"
    assert properties["Period"] == 60 * constants.ALARM_PERIOD_MINUTES


@pytest.mark.parametrize("name", ALARMS)
def test_alarm_tells_what_to_do(synthesized: Synthesized, name: str) -> None:
    assert len(alarm(synthesized, name)["AlarmDescription"]) > 40


@pytest.mark.parametrize("name", ALARMS)
def test_alarm_notifies_nobody_unless_a_topic_is_configured(
    synthesized: Synthesized, name: str
) -> None:
    assert "AlarmActions" not in alarm(synthesized, name)


def test_dead_letter_queue_alarm_watches_visible_messages_of_that_queue(
    synthesized: Synthesized,
) -> None:
    properties = alarm(synthesized, "DeadLetterQueueNotEmpty")
    queue_id = synthesized.logical_id(synthesized.stack.worker.dead_letter_queue)
    assert properties["Namespace"] == "AWS/SQS"
    assert properties["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert properties["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
    ]


def test_stored_dead_letters_are_counted_from_the_ingest_log(synthesized: Synthesized) -> None:
    log_group = synthesized.logical_id(synthesized.stack.ingest.app_function.log_group)
    _, metric_filter = synthesized.only("AWS::Logs::MetricFilter")
    assert metric_filter["Properties"] == {
        "FilterPattern": '{ $.message = "' + constants.DEAD_LETTER_LOG_MESSAGE + '" }',
        "LogGroupName": {"Ref": log_group},
        "MetricTransformations": [
            {
                "MetricName": constants.DEAD_LETTERS_METRIC,
                "MetricNamespace": synthesized.stack.stack_name,
                "MetricValue": "1",
            }
        ],
    }
    properties = alarm(synthesized, "DeadLettersStored")
    assert properties["MetricName"] == constants.DEAD_LETTERS_METRIC
    assert properties["Namespace"] == synthesized.stack.stack_name
    assert properties["Statistic"] == "Sum"


def test_the_counted_log_line_is_the_one_the_app_writes_per_stored_dead_letter() -> None:
    assert f'logger.error(\n            "{constants.DEAD_LETTER_LOG_MESSAGE}",' in app_source(
        "outcomes.py"
    )


@pytest.mark.parametrize(
    ("name", "attribute"), [("WorkerErrors", "worker"), ("IngestErrors", "ingest")]
)
def test_error_alarm_counts_the_function_errors(
    synthesized: Synthesized, name: str, attribute: str
) -> None:
    function = getattr(synthesized.stack, attribute).app_function.function
    properties = alarm(synthesized, name)
    assert properties["Namespace"] == "AWS/Lambda"
    assert properties["MetricName"] == "Errors"
    assert properties["Statistic"] == "Sum"
    assert properties["Dimensions"] == [
        {"Name": "FunctionName", "Value": {"Ref": synthesized.logical_id(function)}}
    ]
