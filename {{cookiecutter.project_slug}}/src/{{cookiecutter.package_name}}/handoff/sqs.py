"""Hand-off to an Amazon SQS queue, consumed by the worker Lambda."""

from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from ..errors import HandoffError, InvalidPayloadError
from .base import JobEnvelope

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef

# SQS takes messages up to 1 MiB, body and attributes together
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html);
# a few KiB are left for the attributes.
MAX_BODY_BYTES = 1024 * 1024 - 4096


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
            InvalidPayloadError: The job is too big for one SQS message (permanent: a retry
                cannot make it smaller).
            HandoffError: SQS refused or could not be reached.
        """
        body = envelope.to_json()
        size = len(body.encode("utf-8"))
        if size > MAX_BODY_BYTES:
            raise InvalidPayloadError(
                f"the job is {size} bytes, over the queue's {MAX_BODY_BYTES}: "
                "publish a reference to the data (e.g. an S3 key) instead",
                job=envelope.job,
            )
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
                MessageBody=body,
                MessageAttributes=attributes,
            )
        except (BotoCoreError, ClientError) as error:
            raise HandoffError("the job queue did not accept the job", cause=str(error)) from error
