"""Hand-off through QStash to this app's own worker route, where there is no job queue (GCP).

The ingest route re-publishes the accepted job's envelope to `<public base URL>/qstash/worker/<job>`
(`POST /v2/publish/{destination}`, https://upstash.com/docs/qstash/api/publish). QStash then
delivers it, signed and retried like any message, and reports each attempt to the callback and
a final failure to the failure callback, so the worker's outcomes and dead letters land where
the receiver's do.

`Upstash-Deduplication-Id` is the original message id: when QStash retries the original
delivery because the 202 was lost, the second re-publish is recognised and dropped
(https://upstash.com/docs/qstash/features/deduplication: within its window, a message with
an id already seen is answered with the first message's id and not sent again).

`Upstash-Retries` is `WORKER_RETRIES`: the re-publish is a message of its own, so the original
message's retries (its `--retries`, or QStash's default) apply to the hand-off only
(https://upstash.com/docs/qstash/features/retry).
"""

from typing import Self

from ..config import Settings
from ..errors import HandoffError, InvalidPayloadError, PublishError
from ..paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH, worker_path
from ..qstash.destinations import check_destination
from ..qstash.options import MAX_RETRIES, header_value
from ..qstash.ratelimit import RateLimitPolicy
from ..qstash.rest import QStashApi, Timeouts
from ..qstash.retrying import TransientRetryPolicy
from .base import JobEnvelope

# A QStash delivery waits on the hand-off, so it must end within seconds either way: the
# worst case is two attempts of at most 5 s each plus a short wait, then 503 (QStash retries).
HANDOFF_TIMEOUTS = Timeouts(connect=2.0, read=5.0, write=5.0, pool=2.0)
HANDOFF_RATE_LIMIT = RateLimitPolicy(max_attempts=2, max_wait_seconds=2.0, jitter_seconds=0.25)
HANDOFF_TRANSIENT_RETRY = TransientRetryPolicy(
    max_attempts=2, first_wait_seconds=0.25, max_wait_seconds=1.0
)


class QStashHandoff:
    """Re-publish each accepted job to this app's worker route, de-duplicated by message id.

    Args:
        api: The QStash REST client; see `from_settings` for the bounded one ingest uses.
        public_base_url: This app's public URL, e.g.
            `https://europe-west1-my-project.cloudfunctions.net/<function>`.
        max_message_bytes: Largest envelope sent, in bytes (your plan's message size).
        worker_retries: `Upstash-Retries` of each re-publish, 0 to `MAX_RETRIES`: how often
            QStash retries the worker route after the first delivery.

    Raises:
        ValueError: `worker_retries` is out of range.
        UnsafeDestinationError: The base URL is http, localhost or a private address and the
            QStash URL is not local.
    """

    def __init__(
        self,
        api: QStashApi,
        *,
        public_base_url: str,
        max_message_bytes: int,
        worker_retries: int = 3,
    ) -> None:
        if not 0 <= worker_retries <= MAX_RETRIES:
            msg = f"worker_retries={worker_retries} must be 0 to {MAX_RETRIES}"
            raise ValueError(msg)
        self._api = api
        self._base_url = public_base_url.rstrip("/")
        self._max_message_bytes = max_message_bytes
        check_destination(self._base_url, qstash_url=api.base_url)
        self._headers = {
            "Content-Type": "application/json",
            "Upstash-Callback": self._base_url + CALLBACK_PATH,
            "Upstash-Failure-Callback": self._base_url + FAILURE_CALLBACK_PATH,
            "Upstash-Retries": str(worker_retries),
        }

    @classmethod
    def from_settings(cls, settings: Settings, public_base_url: str) -> Self:
        """Build from the settings, with timeouts no longer than `HANDOFF_TIMEOUTS`.

        Reads `QSTASH_URL`, `QSTASH_TOKEN`, `QSTASH_MAX_MESSAGE_BYTES` and `WORKER_RETRIES`.

        Raises:
            ConfigurationError: `QSTASH_TOKEN` is not set.
            UnsafeDestinationError: See the class.
        """
        token = settings.qstash_token.get_secret_value() if settings.qstash_token else ""
        api = QStashApi(
            base_url=settings.qstash_url,
            token=token,
            timeouts=Timeouts(
                connect=min(settings.qstash_connect_timeout_seconds, HANDOFF_TIMEOUTS.connect),
                read=min(settings.qstash_read_timeout_seconds, HANDOFF_TIMEOUTS.read),
                write=min(settings.qstash_write_timeout_seconds, HANDOFF_TIMEOUTS.write),
                pool=min(settings.qstash_pool_timeout_seconds, HANDOFF_TIMEOUTS.pool),
            ),
            rate_limit=HANDOFF_RATE_LIMIT,
            transient_retry=HANDOFF_TRANSIENT_RETRY,
        )
        return cls(
            api,
            public_base_url=public_base_url,
            max_message_bytes=settings.qstash_max_message_bytes,
            worker_retries=settings.worker_retries,
        )

    def destination(self, job_name: str) -> str:
        """Return the worker URL of `job_name`."""
        return self._base_url + worker_path(job_name)

    def send(self, envelope: JobEnvelope) -> None:
        """Publish the envelope; return once QStash accepted it (or recognised it as a duplicate).

        The call is repeated after a timeout or a 5xx answer: the deduplication id makes a
        second publish of the same envelope harmless.

        Raises:
            InvalidPayloadError: The envelope is over `max_message_bytes` (permanent: a retry
                cannot make it smaller).
            HandoffError: QStash refused it, rate-limited it or could not be reached in time;
                nothing may be acknowledged, the original delivery must be retried.
        """
        body = envelope.to_json().encode("utf-8")
        if len(body) > self._max_message_bytes:
            raise InvalidPayloadError(
                f"the job is {len(body):,} bytes, over the {self._max_message_bytes:,}-byte "
                "message limit (QSTASH_MAX_MESSAGE_BYTES): publish a reference to the data "
                "instead",
                job=envelope.job,
            )
        headers = self._headers | {
            "Upstash-Deduplication-Id": header_value("message_id", envelope.message_id)
        }
        try:
            self._api.request(
                "POST",
                "/v2/publish/" + self.destination(envelope.job),
                headers=headers,
                content=body,
                idempotent=True,
            )
        except PublishError as error:
            raise HandoffError(
                "QStash did not accept the job for the worker", cause=error.message
            ) from error

    def close(self) -> None:
        """Close the QStash client."""
        self._api.close()
