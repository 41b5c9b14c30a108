r"""Delivery store and the worker's job runs on Firestore (Native mode), for Cloud Functions.

Collections (`<prefix>` is `qstash_` unless configured; document ids are the ids themselves):
    <prefix>tokens/<jti>                          a signature token was used (refuses replays)
    <prefix>messages/<message id>                 the message was handed off to the worker
    <prefix>messages/<message id>/attempts/<n>    one delivery outcome reported by a callback
    <prefix>dead_letters/<dlq id>                 a dead letter reported by a failure callback
    <prefix>job_runs/<message id>                 the worker ran, or is running, the job

`expires_at` (a timestamp) is the TTL field of tokens, hand-off marks and job runs. Firestore
deletes expired documents within about a day, not at once
(https://cloud.google.com/firestore/docs/ttl), so every read treats a document past its
`expires_at` as gone. Enable the policies once per database, one per collection group:

    gcloud firestore fields ttls update expires_at --enable-ttl \
        --collection-group=<prefix>tokens --database=<FIRESTORE_DATABASE>

and the same for `<prefix>messages` and `<prefix>job_runs`.

Outcomes and dead letters carry no `expires_at` and are kept, as on AWS. Every call has a
bounded timeout (`timeout_seconds`): a QStash delivery waits on it and should answer 503
rather than hang.
"""

import re
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from google.api_core.exceptions import AlreadyExists
from google.api_core.retry import Retry
from google.cloud import firestore
from google.cloud.firestore_v1.field_path import FieldPath

from .base import (
    DeadLetter,
    DeliveryClaim,
    DeliveryOutcome,
    HandOffMark,
    JobRun,
    JobRunClaim,
    JobRunStatus,
    claim_delivery_in_two_calls,
)

if TYPE_CHECKING:
    from google.cloud.firestore_v1 import Client, DocumentReference, Transaction

DEFAULT_COLLECTION_PREFIX = "qstash_"
DEFAULT_TIMEOUT_SECONDS = 5.0
# Ids QStash produces (`msg_...`, `jwt_...`, `1725323658779-0`) are used as they are; anything
# else, or a name Firestore reserves (`.`, `..`, `__x__`), is hashed into a valid id.
_PLAIN_ID = re.compile(r"[A-Za-z0-9_.:-]{1,700}")
_RESERVED_ID = re.compile(r"\.{1,2}|__.*__")


def document_id(value: str) -> str:
    """Return a Firestore document id for `value`: itself when valid, else `~` + its SHA-256.

    Firestore ids cannot contain `/`, be `.` or `..`, match `__.*__` or pass 1,500 bytes
    (https://cloud.google.com/firestore/quotas#collections_documents_and_fields); `~` never
    starts a plain id, so a hashed id cannot collide with one.
    """
    if _PLAIN_ID.fullmatch(value) and not _RESERVED_ID.fullmatch(value):
        return value
    return "~" + sha256(value.encode("utf-8")).hexdigest()


def _timestamp(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


def _unix(value: Any) -> int:
    """Read back a timestamp field (a datetime) as unix seconds."""
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def _bounded_retry(timeout_seconds: float) -> Retry:
    # The library's default retry keeps trying transient errors for up to a minute or more.
    return Retry(initial=0.1, maximum=1.0, multiplier=2.0, timeout=timeout_seconds)


class FirestoreDeliveryStore:
    """A `DeliveryStore` on Firestore.

    Args:
        client: A Firestore client, created once per container (`gcp.firestore.firestore_client`).
        handoff_mark_ttl_seconds: How long a hand-off mark is kept; match the worker's
            expiry so both forget a message id at the same time.
        collection_prefix: Prefix of the collection names (several apps in one database).
        timeout_seconds: Most seconds one call may take, retries included.
        clock: Unix seconds now.
    """

    def __init__(
        self,
        client: "Client",
        *,
        handoff_mark_ttl_seconds: int,
        collection_prefix: str = DEFAULT_COLLECTION_PREFIX,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._tokens = client.collection(collection_prefix + "tokens")
        self._messages = client.collection(collection_prefix + "messages")
        self._dead_letters = client.collection(collection_prefix + "dead_letters")
        self._handoff_mark_ttl = handoff_mark_ttl_seconds
        self._call: dict[str, Any] = {
            "timeout": timeout_seconds,
            "retry": _bounded_retry(timeout_seconds),
        }
        self._clock = clock

    def claim_delivery(self, token_id: str, expires_at: int, message_id: str) -> DeliveryClaim:
        """Use up the token (create-if-absent), then read the hand-off mark: two calls.

        A transaction would not make it one: it reads, then commits, each a round trip.
        """
        return claim_delivery_in_two_calls(self, token_id, expires_at, message_id)

    def claim_token(self, token_id: str, expires_at: int) -> bool:
        """Record the token as used (create-if-absent); False when it was used before."""
        document = {"token_id": token_id, "expires_at": _timestamp(expires_at)}
        return self._create(self._tokens.document(document_id(token_id)), document)

    def is_handed_off(self, message_id: str) -> bool:
        """Whether this message id was handed off and its mark has not expired."""
        return self.hand_off_mark(message_id) is not None

    def mark_handed_off(self, message_id: str, job: str) -> None:
        """Remember the hand-off until `handoff_mark_ttl_seconds` from now."""
        now = int(self._clock())
        self._messages.document(document_id(message_id)).set(
            {
                "message_id": message_id,
                "job": job,
                "handed_off_at": now,
                "expires_at": _timestamp(now + self._handoff_mark_ttl),
            },
            **self._call,
        )

    def hand_off_mark(self, message_id: str) -> HandOffMark | None:
        """Return the hand-off mark of this message id, or None (never marked, or expired)."""
        snapshot = self._messages.document(document_id(message_id)).get(**self._call)
        data = snapshot.to_dict() if snapshot.exists else None
        if not data or "job" not in data or _unix(data["expires_at"]) <= self._clock():
            return None
        return HandOffMark(message_id, data["job"], int(data["handed_off_at"]))

    def record_outcome(self, outcome: DeliveryOutcome) -> None:
        """Record a delivery attempt; the same attempt recorded twice overwrites itself."""
        self._attempts(outcome.source_message_id).document(f"{outcome.retried:05d}").set(
            {
                "retried": outcome.retried,
                "status": outcome.status,
                "response_body": outcome.response_body,
                "url": outcome.url,
                "max_retries": outcome.max_retries,
                "callback_message_id": outcome.callback_message_id,
                "recorded_at": outcome.recorded_at,
            },
            **self._call,
        )

    def outcomes(self, source_message_id: str) -> list[DeliveryOutcome]:
        """Return the recorded attempts of a message, oldest first (by document id)."""
        query = self._attempts(source_message_id).order_by(FieldPath.document_id())
        return [
            DeliveryOutcome(
                source_message_id=source_message_id,
                retried=int(data["retried"]),
                status=int(data["status"]),
                response_body=data["response_body"],
                url=data["url"],
                max_retries=data.get("max_retries"),
                callback_message_id=data["callback_message_id"],
                recorded_at=int(data["recorded_at"]),
            )
            for data in _documents(query.stream(**self._call))
        ]

    def save_dead_letter(self, dead_letter: DeadLetter) -> bool:
        """Store a dead letter unless one with the same dlq id is there (create-if-absent)."""
        document = {
            "dlq_id": dead_letter.dlq_id,
            "source_message_id": dead_letter.source_message_id,
            "url": dead_letter.url,
            "method": dead_letter.method,
            "source_body": dead_letter.source_body,
            "source_body_encoding": dead_letter.source_body_encoding,
            "truncated": dead_letter.truncated,
            "response_status": dead_letter.response_status,
            "response_body": dead_letter.response_body,
            "retried": dead_letter.retried,
            "schedule_id": dead_letter.schedule_id,
            "recorded_at": dead_letter.recorded_at,
        }
        return self._create(self._dead_letters.document(document_id(dead_letter.dlq_id)), document)

    def dead_letters(self) -> list[DeadLetter]:
        """Return every stored dead letter, in dlq id order (oldest first)."""
        query = self._dead_letters.order_by(FieldPath.document_id())
        return [
            DeadLetter(
                dlq_id=data["dlq_id"],
                source_message_id=data["source_message_id"],
                url=data["url"],
                method=data["method"],
                source_body=data["source_body"],
                source_body_encoding=data["source_body_encoding"],
                truncated=bool(data["truncated"]),
                response_status=int(data["response_status"]),
                response_body=data["response_body"],
                retried=int(data["retried"]),
                schedule_id=data.get("schedule_id"),
                recorded_at=int(data["recorded_at"]),
            )
            for data in _documents(query.stream(**self._call))
        ]

    def _attempts(self, message_id: str) -> Any:
        return self._messages.document(document_id(message_id)).collection("attempts")

    def _create(self, reference: "DocumentReference", document: dict[str, Any]) -> bool:
        try:
            reference.create(document, **self._call)
        except AlreadyExists:
            return False
        return True


class FirestoreJobRuns:
    """`JobRunLedger` on Firestore: one document per original message id, claimed in a transaction.

    Document fields: `status` ("in progress" or "completed"), `recorded_at` (unix seconds of
    the start, or of the end once completed), `run_id` and `lease_expires_at` (unix seconds)
    of the run holding it, `expires_at` (the TTL timestamp).

    Args:
        client: A Firestore client, created once per container.
        expiry_seconds: How long a message id is remembered (`IDEMPOTENCY_EXPIRY_SECONDS`).
        collection_prefix: Prefix of the collection name.
        timeout_seconds: Most seconds one read or write may take.
        clock: Unix seconds now.
    """

    def __init__(
        self,
        client: "Client",
        *,
        expiry_seconds: int,
        collection_prefix: str = DEFAULT_COLLECTION_PREFIX,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._client = client
        self._runs = client.collection(collection_prefix + "job_runs")
        self._expiry = expiry_seconds
        self._timeout = timeout_seconds
        self._clock = clock

    def job_run(self, message_id: str) -> JobRun | None:
        """Return the worker's record of this message id, or None when its job never ran.

        A record past its `expires_at` (not yet deleted by the TTL policy) reads as "expired".

        Raises:
            google.api_core.exceptions.GoogleAPICallError: Firestore could not be read.
        """
        snapshot = self._runs.document(document_id(message_id)).get(timeout=self._timeout)
        data = snapshot.to_dict() if snapshot.exists else None
        if not data:
            return None
        expires_at = _unix(data["expires_at"])
        status: JobRunStatus = "completed" if data["status"] == "completed" else "in progress"
        if expires_at <= self._clock():
            status = "expired"
        return JobRun(message_id, status, int(data["recorded_at"]), expires_at)

    def start(self, message_id: str, *, lease_seconds: int) -> JobRunClaim:
        """Claim the run in a transaction: read the record, write an in-progress one if free.

        Free means: no record, an expired one, or an in-progress one whose lease lapsed.

        Raises:
            google.api_core.exceptions.GoogleAPICallError: Firestore failed (the caller
                answers 5xx and QStash retries).
        """
        reference = self._runs.document(document_id(message_id))
        run_id = uuid.uuid4().hex

        @firestore.transactional
        def claim(transaction: "Transaction") -> JobRunClaim:
            now = int(self._clock())
            data = _read(reference, transaction, self._timeout)
            if data and _unix(data["expires_at"]) > now:
                if data["status"] == "completed":
                    return JobRunClaim("completed")
                if int(data["lease_expires_at"]) > now:
                    return JobRunClaim("running")
            transaction.set(
                reference,
                {
                    "message_id": message_id,
                    "status": "in progress",
                    "recorded_at": now,
                    "run_id": run_id,
                    "lease_expires_at": now + lease_seconds,
                    "expires_at": _timestamp(now + self._expiry),
                },
            )
            return JobRunClaim("started", run_id)

        result: JobRunClaim = claim(self._client.transaction())
        return result

    def complete(self, message_id: str, run_id: str) -> None:
        """Record the run as finished now; it is remembered for `expiry_seconds`."""
        now = int(self._clock())
        self._runs.document(document_id(message_id)).set(
            {
                "message_id": message_id,
                "status": "completed",
                "recorded_at": now,
                "run_id": run_id,
                "lease_expires_at": now,
                "expires_at": _timestamp(now + self._expiry),
            },
            timeout=self._timeout,
        )

    def release(self, message_id: str, run_id: str) -> None:
        """Delete the in-progress record in a transaction, if it is still this run's."""
        reference = self._runs.document(document_id(message_id))

        @firestore.transactional
        def drop(transaction: "Transaction") -> None:
            data = _read(reference, transaction, self._timeout)
            if data and data.get("run_id") == run_id and data["status"] == "in progress":
                transaction.delete(reference)

        drop(self._client.transaction())


def _read(
    reference: "DocumentReference", transaction: "Transaction", timeout: float
) -> dict[str, Any] | None:
    snapshot = reference.get(transaction=transaction, timeout=timeout)
    return snapshot.to_dict() if snapshot.exists else None


def _documents(snapshots: Any) -> list[Mapping[str, Any]]:
    return [data for snapshot in snapshots if (data := snapshot.to_dict())]
