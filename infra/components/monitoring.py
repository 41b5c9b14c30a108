"""Alarms on what needs a person: dead letters (both kinds) and failing functions."""

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from .. import constants
from .function import AppFunction

_PERIOD = Duration.minutes(constants.ALARM_PERIOD_MINUTES)


class Monitoring(Construct):
    """Four alarms, each firing on the first occurrence within five minutes.

    Args:
        scope: The parent construct.
        construct_id: The construct id.
        namespace: CloudWatch namespace of the app's own metrics (the stack name).
        ingest: The ingest function.
        worker: The worker function.
        dead_letter_queue: The jobs' dead-letter queue.
        alarm_topic_arn: SNS topic to notify; empty: the alarms only change state.

    Attributes:
        dead_letters_stored: Metric of the dead letters QStash reported (failure callbacks).
        alarms: The alarms, by construct id.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        namespace: str,
        ingest: AppFunction,
        worker: AppFunction,
        dead_letter_queue: sqs.IQueue,
        alarm_topic_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # A metric from the log line outcomes.py writes once per stored dead letter: no
        # extra call on the request path, and the count matches the app table's items.
        stored = logs.MetricFilter(
            self,
            "DeadLettersStoredFilter",
            log_group=ingest.log_group,
            filter_pattern=logs.FilterPattern.string_value(
                "$.message", "=", constants.DEAD_LETTER_LOG_MESSAGE
            ),
            metric_namespace=namespace,
            metric_name=constants.DEAD_LETTERS_METRIC,
            metric_value="1",
        )
        self.dead_letters_stored = stored.metric(statistic="Sum", period=_PERIOD)
        signals = {
            "DeadLetterQueueNotEmpty": (
                dead_letter_queue.metric_approximate_number_of_messages_visible(
                    statistic="Maximum", period=_PERIOD
                ),
                "A job failed every attempt and sits in the SQS dead-letter queue. Read it, "
                "fix the cause, then redrive it to the jobs queue from the SQS console.",
            ),
            "DeadLettersStored": (
                self.dead_letters_stored,
                "QStash gave up on a delivery and its failure callback stored the dead "
                "letter. List them with the CLI (dlq list), fix the cause, replay them.",
            ),
            "WorkerErrors": (
                worker.function.metric_errors(statistic="Sum", period=_PERIOD),
                "The worker function failed outside a job (start-up, configuration, "
                "timeout). Check its log group.",
            ),
            "IngestErrors": (
                ingest.function.metric_errors(statistic="Sum", period=_PERIOD),
                "The ingest function failed outside a request (start-up, configuration, "
                "timeout); QStash retries meanwhile. Check its log group.",
            ),
        }
        topic = (
            sns.Topic.from_topic_arn(self, "AlarmTopic", alarm_topic_arn)
            if alarm_topic_arn
            else None
        )
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for alarm_id, (metric, description) in signals.items():
            alarm = metric.create_alarm(
                self,
                alarm_id,
                alarm_description=description,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            if topic is not None:
                alarm.add_alarm_action(cloudwatch_actions.SnsAction(topic))
            self.alarms[alarm_id] = alarm
