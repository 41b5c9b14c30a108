"""Publish jobs to QStash: each message goes to the job's own route, callbacks wired in.

    from <package>.qstash.client import publish

    publish("send-welcome-email", {"user_id": "u-1", "email": "ada@example.com"}, delay=60)

The payload is validated with the job's model before anything is sent, so a payload the
receiver would refuse never leaves the process. Protocol: `POST /v2/publish/{destination}` and
`POST /v2/batch` (https://upstash.com/docs/qstash/api/publish,
https://upstash.com/docs/qstash/features/batch). Not imported by the ingest path: it needs httpx.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any, Self

import httpx
import pydantic_core
from pydantic import BaseModel

from ..config import Settings, get_settings
from ..errors import ConfigurationError, MessageTooLargeError, PublishError
from ..jobs import Job, JobRegistry, registry
from ..paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH, job_path
from .destinations import check_destination
from .options import Delay, NotBefore, delay_header, header_value, not_before_header, retries_header
from .rest import QStashApi, json_body

# A JSON object, a pydantic model of the job's payload, or JSON bytes as they should be sent.
Payload = Mapping[str, Any] | BaseModel | bytes


@dataclass(frozen=True)
class PublishRequest:
    """One message of a batch; the fields mean what `Publisher.publish`'s arguments mean."""

    job: str | Job[Any]
    payload: Payload
    delay: Delay | None = None
    not_before: NotBefore | None = None
    deduplication_id: str | None = None
    retries: int | None = None


@dataclass(frozen=True)
class PublishResult:
    """What QStash answered for one message.

    Attributes:
        job: The job's name.
        message_id: QStash's message id (`msg_...`); for a duplicate, the original's id.
        deduplicated: True when QStash recognised the deduplication id and sent nothing new.
    """

    job: str
    message_id: str
    deduplicated: bool = False

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON object (QStash's field names)."""
        return {"job": self.job, "messageId": self.message_id, "deduplicated": self.deduplicated}


class Publisher:
    """Publishes jobs of the registry to their routes on this app, through QStash.

    Args:
        api: The QStash REST client (base URL, token, timeouts, 429 back-off).
        public_base_url: This app's public URL, e.g. {% if cookiecutter.cloud == "aws-lambda" %}`https://abc.lambda-url.us-east-1.on.aws`{% else %}the function's URL{% endif %};
            destinations are `<public_base_url>/qstash/jobs/<job>`, callbacks
            `<public_base_url>/qstash/callback` and `<public_base_url>/qstash/failure`.
        max_message_bytes: Largest payload sent, in bytes (your plan's message size).
        jobs: The registry jobs are looked up in (default: the application's).

    Raises:
        UnsafeDestinationError: The base URL is http, localhost or a private address and the
            QStash URL is not local.
    """

    def __init__(
        self,
        api: QStashApi,
        *,
        public_base_url: str,
        max_message_bytes: int = 1_000_000,
        jobs: JobRegistry | None = None,
    ) -> None:
        self.api = api
        self.public_base_url = public_base_url.rstrip("/")
        self.max_message_bytes = max_message_bytes
        self.jobs = jobs if jobs is not None else registry
        self.callback_url = self.public_base_url + CALLBACK_PATH
        self.failure_callback_url = self.public_base_url + FAILURE_CALLBACK_PATH
        # Destinations and callbacks all live below the base URL (job names are URL-safe).
        check_destination(self.public_base_url, qstash_url=api.base_url)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        http_client: httpx.Client | None = None,
        jobs: JobRegistry | None = None,
    ) -> Self:
        """Build from `PUBLIC_BASE_URL`, `QSTASH_MAX_MESSAGE_BYTES` and the `QSTASH_*` settings.

        Raises:
            ConfigurationError: `PUBLIC_BASE_URL` or `QSTASH_TOKEN` is not set.
            UnsafeDestinationError: See the class.
        """
        if not settings.public_base_url:
            raise ConfigurationError(
                "PUBLIC_BASE_URL is not set: the publisher needs this app's public URL to "
                "address messages to its job routes"
            )
        return cls(
            QStashApi.from_settings(settings, http_client=http_client),
            public_base_url=settings.public_base_url,
            max_message_bytes=settings.qstash_max_message_bytes,
            jobs=jobs,
        )

    def destination(self, job_name: str) -> str:
        """Return the URL QStash delivers `job_name` to."""
        return self.public_base_url + job_path(job_name)

    def publish(
        self,
        job: str | Job[Any],
        payload: Payload,
        *,
        delay: Delay | None = None,
        not_before: NotBefore | None = None,
        deduplication_id: str | None = None,
        retries: int | None = None,
    ) -> PublishResult:
        """Validate `payload` and publish it to the job's route.

        Args:
            job: A registered job, or its name.
            payload: The job's payload: a JSON object, an instance of its model, or JSON bytes.
            delay: Deliver no sooner than this from now: seconds, a `timedelta`, or QStash's
                notation (`"50s"`, `"1d10h30m"`); sent as `Upstash-Delay`.
            not_before: Deliver no sooner than this unix time (seconds) or aware datetime;
                `Upstash-Not-Before`, which wins over `delay`.
            deduplication_id: `Upstash-Deduplication-Id`: QStash drops a second message with
                the same id (https://upstash.com/docs/qstash/features/deduplication).
            retries: `Upstash-Retries`: delivery retries after the first attempt, 0 to
                `MAX_RETRIES` (QStash's default is 3; your plan may cap it lower).

        Returns:
            QStash's message id for it.

        Raises:
            UnknownJobError: No job has that name.
            InvalidPayloadError: The payload does not fit the job's model; nothing was sent.
            MessageTooLargeError: The payload is over `max_message_bytes`; nothing was sent.
            ValueError: `delay`, `not_before`, `deduplication_id` or `retries` is malformed.
            RateLimitedError, PublishTimeoutError, PublishError: See `QStashApi.request`.
        """
        request = PublishRequest(job, payload, delay, not_before, deduplication_id, retries)
        name, body, headers = self._prepare(request)
        response = self.api.request(
            "POST", "/v2/publish/" + self.destination(name), headers=headers, content=body
        )
        return _result(name, json_body(response))

    def publish_batch(self, requests: Iterable[PublishRequest]) -> list[PublishResult]:
        """Validate every message, then publish them all in one `POST /v2/batch` call.

        Args:
            requests: The messages.

        Returns:
            One result per message, in order.

        Raises:
            PublishError: QStash refused some of the messages; `details["accepted"]` maps the
                index of each accepted message to its message id, `details["errors"]` the index
                of each refused one to QStash's reason. Also as for `publish`, where nothing
                is sent unless every message is valid.
        """
        prepared = [self._prepare(request) for request in requests]
        if not prepared:
            return []
        entries = [
            {"destination": self.destination(name), "headers": headers, "body": body.decode()}
            for name, body, headers in prepared
        ]
        response = self.api.request(
            "POST",
            "/v2/batch",
            headers={"Content-Type": "application/json"},
            content=pydantic_core.to_json(entries),
        )
        answers = json_body(response)
        if not isinstance(answers, list) or len(answers) != len(prepared):
            raise PublishError(
                "QStash answered the batch with something other than one result per message",
                status=response.status_code,
                body=response.text[:2000],
            )
        results: list[PublishResult] = []
        errors: dict[int, str] = {}
        for index, ((name, _, _), answer) in enumerate(zip(prepared, answers, strict=True)):
            if isinstance(answer, dict) and isinstance(answer.get("messageId"), str):
                results.append(_result(name, answer))
            else:
                errors[index] = str(answer.get("error") if isinstance(answer, dict) else answer)
        if errors:
            raise PublishError(
                f"QStash refused {len(errors)} of {len(prepared)} messages in the batch: "
                + "; ".join(f"#{index}: {reason}" for index, reason in errors.items()),
                status=response.status_code,
                accepted={i: r.message_id for i, r in enumerate(results) if i not in errors},
                errors=errors,
            )
        return results

    def _prepare(self, request: PublishRequest) -> tuple[str, bytes, dict[str, str]]:
        job = request.job if isinstance(request.job, Job) else self.jobs.get(request.job)
        body = _serialise(request.payload)
        if len(body) > self.max_message_bytes:
            raise MessageTooLargeError(
                f"payload for job {job.name!r} is {len(body):,} bytes, over the "
                f"{self.max_message_bytes:,}-byte message limit (QSTASH_MAX_MESSAGE_BYTES): "
                "store the data elsewhere {% if cookiecutter.cloud == "aws-lambda" %}(e.g. S3) and send a reference such as its object key{% else %}(e.g. Cloud Storage) and send a reference to it{% endif %}",
                job=job.name,
                size_bytes=len(body),
                max_bytes=self.max_message_bytes,
            )
        job.parse(body)
        headers = {
            "Content-Type": "application/json",
            "Upstash-Callback": self.callback_url,
            "Upstash-Failure-Callback": self.failure_callback_url,
        }
        if request.delay is not None:
            headers["Upstash-Delay"] = delay_header(request.delay)
        if request.not_before is not None:
            headers["Upstash-Not-Before"] = not_before_header(request.not_before)
        if request.deduplication_id is not None:
            headers["Upstash-Deduplication-Id"] = header_value(
                "deduplication_id", request.deduplication_id
            )
        if request.retries is not None:
            headers["Upstash-Retries"] = retries_header(request.retries)
        return job.name, body, headers

    def close(self) -> None:
        """Close the QStash client."""
        self.api.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _serialise(payload: Payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, BaseModel):
        return payload.model_dump_json(by_alias=True).encode()
    return pydantic_core.to_json(payload)


def _result(job: str, answer: Any) -> PublishResult:
    if not isinstance(answer, dict) or not isinstance(answer.get("messageId"), str):
        raise PublishError("QStash's answer has no messageId", body=str(answer)[:2000])
    return PublishResult(job, answer["messageId"], bool(answer.get("deduplicated", False)))


@lru_cache(maxsize=1)
def default_publisher() -> Publisher:
    """The process-wide publisher, built from the settings on first use (one HTTP pool)."""
    return Publisher.from_settings(get_settings())


def publish(
    job: str | Job[Any],
    payload: Payload,
    *,
    delay: Delay | None = None,
    not_before: NotBefore | None = None,
    deduplication_id: str | None = None,
    retries: int | None = None,
) -> PublishResult:
    """Publish with the default publisher; see `Publisher.publish` for arguments and errors."""
    return default_publisher().publish(
        job,
        payload,
        delay=delay,
        not_before=not_before,
        deduplication_id=deduplication_id,
        retries=retries,
    )


def publish_batch(requests: Iterable[PublishRequest]) -> list[PublishResult]:
    """Publish a batch with the default publisher; see `Publisher.publish_batch`."""
    return default_publisher().publish_batch(requests)
