"""Delivery store on one DynamoDB table (partition key `pk`, sort key `sk`, both strings).

Items (`expires_at`, unix seconds, is the table's TTL attribute):
    pk=TOKEN#<jti>       sk=TOKEN              a signature token was used (refuses replays)
    pk=MSG#<message id>  sk=HANDOFF            the message was handed off to the worker
    pk=MSG#<message id>  sk=ATTEMPT#<retried>  one delivery outcome reported by a callback
    pk=DEADLETTER        sk=<dlq id>           a dead letter reported by a failure callback
"""

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from .base import DeadLetter, DeliveryClaim, DeliveryOutcome, HandOffMark, mark_or_assume_none

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

DEAD_LETTER_PK = "DEADLETTER"


class DynamoDBDeliveryStore:
    """A `DeliveryStore` on DynamoDB.

    Args:
        client: A boto3 DynamoDB client, created once per container.
        table_name: The table's name.
        handoff_mark_ttl_seconds: How long a hand-off mark is kept; match the worker's
            idempotency expiry so both forget a message id at the same time.
    """

    def __init__(
        self, client: "DynamoDBClient", table_name: str, handoff_mark_ttl_seconds: int
    ) -> None:
        self._client = client
        self._table = table_name
        self._handoff_mark_ttl = handoff_mark_ttl_seconds
        # Reads the hand-off mark while the calling thread claims the token (botocore
        # clients are thread-safe); its thread starts on the first delivery.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="handoff-mark")

    def claim_delivery(self, token_id: str, expires_at: int, message_id: str) -> DeliveryClaim:
        """Use up the token and read the hand-off mark at once: one round trip of waiting.

        The two requests do not depend on each other (a conditional put of the token item, a
        strongly consistent read of the mark), so the mark is read on a second thread while
        this one puts the token; the token is used up whatever the mark says, and a mark
        that cannot be read counts as absent. (A transaction would make it one request, but
        one that costs twice the capacity of a put and a read:
        https://aws.amazon.com/dynamodb/pricing/on-demand/.)

        Raises:
            botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError: The token
                could not be recorded.
        """
        mark = self._reader.submit(self.is_handed_off, message_id) if message_id else None
        if not self.claim_token(token_id, expires_at):
            return "replay"
        if mark is None:
            return "new"
        return "handed off" if mark_or_assume_none(mark.result, message_id) else "new"

    def claim_token(self, token_id: str, expires_at: int) -> bool:
        """Record the token as used (conditional put); False when it was used before."""
        return self._put_once(_token_item(token_id, expires_at))

    def is_handed_off(self, message_id: str) -> bool:
        """Whether this message id was already handed off (strongly consistent read)."""
        found = self._client.get_item(
            TableName=self._table, Key=_handoff_key(message_id), ConsistentRead=True
        )
        return "Item" in found

    def mark_handed_off(self, message_id: str, job: str) -> None:
        """Remember the hand-off until `handoff_mark_ttl_seconds` from now."""
        now = int(time.time())
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": f"MSG#{message_id}"},
                "sk": {"S": "HANDOFF"},
                "job": {"S": job},
                "handed_off_at": {"N": str(now)},
                "expires_at": {"N": str(now + self._handoff_mark_ttl)},
            },
        )

    def hand_off_mark(self, message_id: str) -> HandOffMark | None:
        """Return the hand-off mark of this message id (strongly consistent read), or None."""
        found = self._client.get_item(
            TableName=self._table, Key=_handoff_key(message_id), ConsistentRead=True
        )
        item = found.get("Item")
        if item is None:
            return None
        return HandOffMark(message_id, item["job"]["S"], int(item["handed_off_at"]["N"]))

    def record_outcome(self, outcome: DeliveryOutcome) -> None:
        """Record a delivery attempt; the same attempt recorded twice overwrites itself."""
        item: dict[str, AttributeValueTypeDef] = {
            "pk": {"S": f"MSG#{outcome.source_message_id}"},
            "sk": {"S": f"ATTEMPT#{outcome.retried:05d}"},
            "retried": {"N": str(outcome.retried)},
            "status": {"N": str(outcome.status)},
            "response_body": {"S": outcome.response_body},
            "url": {"S": outcome.url},
            "callback_message_id": {"S": outcome.callback_message_id},
            "recorded_at": {"N": str(outcome.recorded_at)},
        }
        if outcome.max_retries is not None:
            item["max_retries"] = {"N": str(outcome.max_retries)}
        self._client.put_item(TableName=self._table, Item=item)

    def outcomes(self, source_message_id: str) -> list[DeliveryOutcome]:
        """Return the recorded attempts of a message, oldest first."""
        items = self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :attempt)",
            ExpressionAttributeValues={
                ":pk": {"S": f"MSG#{source_message_id}"},
                ":attempt": {"S": "ATTEMPT#"},
            },
        )
        return [
            DeliveryOutcome(
                source_message_id=source_message_id,
                retried=int(item["retried"]["N"]),
                status=int(item["status"]["N"]),
                response_body=item["response_body"]["S"],
                url=item["url"]["S"],
                max_retries=int(item["max_retries"]["N"]) if "max_retries" in item else None,
                callback_message_id=item["callback_message_id"]["S"],
                recorded_at=int(item["recorded_at"]["N"]),
            )
            for item in items
        ]

    def save_dead_letter(self, dead_letter: DeadLetter) -> bool:
        """Store a dead letter unless one with the same dlq id is there (conditional put)."""
        item: dict[str, AttributeValueTypeDef] = {
            "pk": {"S": DEAD_LETTER_PK},
            "sk": {"S": dead_letter.dlq_id},
            "source_message_id": {"S": dead_letter.source_message_id},
            "url": {"S": dead_letter.url},
            "method": {"S": dead_letter.method},
            "source_body": {"S": dead_letter.source_body},
            "source_body_encoding": {"S": dead_letter.source_body_encoding},
            "truncated": {"BOOL": dead_letter.truncated},
            "response_status": {"N": str(dead_letter.response_status)},
            "response_body": {"S": dead_letter.response_body},
            "retried": {"N": str(dead_letter.retried)},
            "recorded_at": {"N": str(dead_letter.recorded_at)},
        }
        if dead_letter.schedule_id:
            item["schedule_id"] = {"S": dead_letter.schedule_id}
        return self._put_once(item)

    def dead_letters(self) -> list[DeadLetter]:
        """Return every stored dead letter, in dlq id order (oldest first)."""
        items = self._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": DEAD_LETTER_PK}},
        )
        return [
            DeadLetter(
                dlq_id=item["sk"]["S"],
                source_message_id=item["source_message_id"]["S"],
                url=item["url"]["S"],
                method=item["method"]["S"],
                source_body=item["source_body"]["S"],
                source_body_encoding=item["source_body_encoding"]["S"],
                truncated=item["truncated"]["BOOL"],
                response_status=int(item["response_status"]["N"]),
                response_body=item["response_body"]["S"],
                retried=int(item["retried"]["N"]),
                schedule_id=item["schedule_id"]["S"] if "schedule_id" in item else None,
                recorded_at=int(item["recorded_at"]["N"]),
            )
            for item in items
        ]

    def _put_once(self, item: dict[str, "AttributeValueTypeDef"]) -> bool:
        try:
            self._client.put_item(
                TableName=self._table, Item=item, ConditionExpression="attribute_not_exists(pk)"
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _query(self, **query: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        paginator = self._client.get_paginator("query")
        for page in paginator.paginate(TableName=self._table, **query):
            items.extend(page["Items"])
        return items


def _token_item(token_id: str, expires_at: int) -> dict[str, "AttributeValueTypeDef"]:
    return {
        "pk": {"S": f"TOKEN#{token_id}"},
        "sk": {"S": "TOKEN"},
        "expires_at": {"N": str(expires_at)},
    }


def _handoff_key(message_id: str) -> dict[str, "AttributeValueTypeDef"]:
    return {"pk": {"S": f"MSG#{message_id}"}, "sk": {"S": "HANDOFF"}}
