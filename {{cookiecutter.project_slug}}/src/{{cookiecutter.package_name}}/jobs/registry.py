"""The job registry: a team declares each job once; routes and the worker derive from it."""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import InvalidPayloadError, UnknownJobError

JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


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
class Job[P: BaseModel]:
    """A job: a name, the pydantic model of its payload, and the function that runs it.

    Attributes:
        name: URL-safe name (lower case, digits, hyphens); the route is `/qstash/jobs/<name>`.
        payload_model: Pydantic model that validates the JSON payload.
        run: The work, called as `run(payload, context)`. Raise to have it retried.
        description: One line for humans; defaults to the first line of the docstring.
    """

    name: str
    payload_model: type[P]
    run: Callable[[P, JobContext], None]
    description: str = ""

    def __call__(self, payload: P, context: JobContext) -> None:
        """Run the job directly (e.g. in a unit test): same as `run(payload, context)`."""
        self.run(payload, context)

    def parse(self, raw: bytes | Mapping[str, Any]) -> P:
        """Validate a payload for this job.

        Args:
            raw: The JSON body as bytes, or an already decoded JSON object.

        Returns:
            The validated payload model.

        Raises:
            InvalidPayloadError: The payload is not valid JSON or does not fit the model;
                `details["errors"]` lists what is wrong, field by field.
        """
        try:
            if isinstance(raw, bytes):
                return self.payload_model.model_validate_json(raw)
            return self.payload_model.model_validate(raw)
        except ValidationError as error:
            errors = error.errors(include_url=False, include_context=False, include_input=False)
            raise InvalidPayloadError(
                f"invalid payload for job {self.name!r}", job=self.name, errors=errors
            ) from None


@dataclass
class JobRegistry:
    """All jobs of the application, by name."""

    _jobs: dict[str, Job[Any]] = field(default_factory=dict)

    def register(self, job: Job[Any]) -> None:
        """Add a job.

        Raises:
            ValueError: The name is not URL-safe or is already taken.
        """
        if not JOB_NAME.fullmatch(job.name):
            raise ValueError(f"job name {job.name!r} must match {JOB_NAME.pattern}")
        if job.name in self._jobs:
            raise ValueError(f"job {job.name!r} is already registered")
        self._jobs[job.name] = job

    def get(self, name: str) -> Job[Any]:
        """Look a job up by name.

        Raises:
            UnknownJobError: No job has that name.
        """
        try:
            return self._jobs[name]
        except KeyError:
            shown = name if len(name) <= 64 else name[:64] + "…"  # the caller chose its length
            raise UnknownJobError(f"unknown job {shown!r}", job=shown) from None

    def __iter__(self) -> Iterator[Job[Any]]:
        return iter(self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)


registry = JobRegistry()


def job[P: BaseModel](
    name: str, *, payload: type[P], description: str = ""
) -> Callable[[Callable[[P, JobContext], None]], Job[P]]:
    """Declare a job in the application's registry.

    Example::

        class Greet(BaseModel):
            name: str

        @job("greet", payload=Greet)
        def greet(payload: Greet, context: JobContext) -> None:
            print(f"hello {payload.name}")

    Args:
        name: URL-safe job name; QStash delivers it to `/qstash/jobs/<name>`.
        payload: Pydantic model of the payload.
        description: One line for humans; defaults to the function's docstring.

    Returns:
        A decorator that registers the function and returns its `Job`.
    """

    def register(run: Callable[[P, JobContext], None]) -> Job[P]:
        summary = description or (run.__doc__ or "").strip().partition("\n")[0]
        declared = Job(name=name, payload_model=payload, run=run, description=summary)
        registry.register(declared)
        return declared

    return register
