"""A job: its name, what its payload is, the function that runs it, the schedules that trigger it.

A job's payload is one of three kinds:

- a pydantic model: the body must be a JSON object that validates;
- an optional model: an empty body, or `null`, gives None;
- none (e.g. a cron job whose QStash schedule sends no body): the body must carry nothing:
  empty, `null` or `{}`. Any other body is refused (489), not ignored, so data published to
  the wrong job is never silently dropped.

Declare jobs with `@job` (`registry.py`).
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast, overload

from pydantic import BaseModel, ValidationError

from ..errors import InvalidPayloadError
from .declarations import Schedule

#: What a job's payload is given as: the request body, or the decoded JSON object the
#: worker gets from the hand-off (None: no payload was handed off).
RawPayload = bytes | Mapping[str, Any] | None


@dataclass(frozen=True)
class JobContext:
    """What a job knows about the message that carried it.

    Attributes:
        message_id: The QStash message id (`Upstash-Message-Id`).
        retried: How many times QStash retried the delivery before it was accepted.
        schedule_id: The QStash schedule that produced the message, if any.
    """

    message_id: str
    retried: int = 0
    schedule_id: str | None = None


@dataclass(frozen=True)
class Job[P: BaseModel | None]:
    """A job: a name, what its payload is, and the function that runs it.

    Declare jobs with `@job` rather than building this directly: it types `run` to match.

    Attributes:
        name: URL-safe name (lower case, digits, hyphens); the route is `/qstash/jobs/<name>`.
        payload_model: Pydantic model that validates the JSON payload, or None for a job
            that takes no payload.
        run: The work, called as `run(payload, context)`; `payload` is None for a job
            without one, or when an optional payload is absent. Raise to have it retried.
        description: One line for humans; defaults to the first line of the docstring.
        payload_optional: With a model: an empty body (or `null`) is valid and gives None.
        schedules: The QStash schedules that trigger the job.

    Raises:
        ValueError: `payload_optional` without a `payload_model`, or two schedules with
            the same name.
    """

    name: str
    payload_model: type[BaseModel] | None
    run: Callable[[P, JobContext], None]
    description: str = ""
    payload_optional: bool = False
    schedules: tuple[Schedule, ...] = ()

    def __post_init__(self) -> None:
        if self.payload_optional and self.payload_model is None:
            raise ValueError(f"job {self.name!r}: an optional payload needs a payload model")
        names = [schedule.name for schedule in self.schedules]
        if len(set(names)) != len(names):
            raise ValueError(f"job {self.name!r}: two schedules share a name; name each one")

    @property
    def payload_required(self) -> bool:
        """Whether every message must carry a payload (False: an empty body is valid)."""
        return self.payload_model is not None and not self.payload_optional

    @overload
    def __call__(self: "Job[None]", context: JobContext, /) -> None: ...

    @overload
    def __call__(self, payload: P, context: JobContext, /) -> None: ...

    def __call__(self, *args: Any) -> None:
        """Run the job directly (e.g. in a unit test).

        Call it as declared: `job(payload, context)`, or `job(context)` for a job that
        takes no payload.
        """
        if len(args) == 1 and self.payload_model is None:
            self.run(cast("P", None), args[0])
        else:
            self.run(*args)

    def parse(self, raw: RawPayload) -> P:
        """Validate a payload for this job.

        Args:
            raw: The request body as bytes, or the payload as a decoded JSON object (None:
                no payload) as the worker gets it from the hand-off.

        Returns:
            The validated payload model; None for a job without a payload, or when an
            optional payload is absent.

        Raises:
            InvalidPayloadError: The payload is not valid JSON or does not fit the model
                (`details["errors"]` lists what is wrong, field by field), a payload is
                missing, or a job without a payload got one.
        """
        if self.payload_model is None:
            if not _carries_nothing(raw):
                raise InvalidPayloadError(
                    f"job {self.name!r} takes no payload: send an empty body", job=self.name
                )
            return cast("P", None)
        if self.payload_optional and _is_absent(raw):
            return cast("P", None)
        try:
            if isinstance(raw, bytes):
                return cast("P", self.payload_model.model_validate_json(raw))
            return cast("P", self.payload_model.model_validate(raw))
        except ValidationError as error:
            errors = error.errors(include_url=False, include_context=False, include_input=False)
            raise InvalidPayloadError(
                f"invalid payload for job {self.name!r}", job=self.name, errors=errors
            ) from None


def _is_absent(raw: RawPayload) -> bool:
    """No payload at all: nothing handed off, an empty (or blank) body, or JSON `null`."""
    if raw is None:
        return True
    return isinstance(raw, bytes) and raw.strip() in (b"", b"null")


def _carries_nothing(raw: RawPayload) -> bool:
    """Absent, or an empty JSON object: what a job without a payload accepts."""
    if _is_absent(raw):
        return True
    if isinstance(raw, bytes):
        try:
            return bool(json.loads(raw) == {})
        except ValueError:  # not JSON (json.JSONDecodeError and UnicodeDecodeError)
            return False
    return raw is not None and len(raw) == 0
