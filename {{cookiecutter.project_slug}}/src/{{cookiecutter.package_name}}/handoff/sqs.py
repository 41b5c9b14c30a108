"""Hand-off to an Amazon SQS queue, consumed by the worker Lambda."""

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ..errors import HandoffError
from .base import JobEnvelope

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef


class SqsHandoff:
    """Send each accepted job as one SQS message.

    The QStash message id, retry count and schedule id travel as message attributes too, so
    they can be seen (and filtered on) without parsing the body.

    Args:
        client: A boto3 SQS client, created once per container.
        queue_url: The queue's URL.
    """

    def __init__(self, client: "SQSClient", queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    def send(self, envelope: JobEnvelope) -> None:
        """Send the job; return once SQS has stored it.

        Raises:
            HandoffError: SQS refused or could not be reached.
        """
        attributes: dict[str, MessageAttributeValueTypeDef] = {
            "message_id": {"DataType": "String", "StringValue": envelope.message_id},
            "retried": {"DataType": "Number", "StringValue": str(envelope.retried)},
            "job": {"DataType": "String", "StringValue": envelope.job},
        }
        if envelope.schedule_id:
            attributes["schedule_id"] = {"DataType": "String", "StringValue": envelope.schedule_id}
        try:
            self._client.send_message(
                QueueUrl=self._queue_url,
                MessageBody=envelope.to_json(),
                MessageAttributes=attributes,
            )
        except (BotoCoreError, ClientError) as error:
            raise HandoffError("the job queue did not accept the job", cause=str(error)) from error
