"""The job registry: a team declares each job once; routes and the worker derive from it.

A job's payload is one of three kinds, chosen in `@job`:

- a pydantic model (`payload=Model`): the body must be a JSON object that validates;
- an optional model (`payload=Model, optional=True`): an empty body, or `null`, gives None;
- none (`@job("name")`, e.g. a cron job whose QStash schedule sends no body): the body must
  carry nothing: empty, `null` or `{}`. Any other body is refused (489), not ignored, so data
  published to the wrong job is never silently dropped.

Schedules are declared on the job (`@job(..., schedules=[Schedule(...)])`), URL groups with
`url_group(...)`; see `declarations.py`.
"""

import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, overload

from pydantic import BaseModel, ValidationError

from ..errors import InvalidPayloadError, UnknownJobError
from .declarations import Schedule, UrlGroup

JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

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


@dataclass
class JobRegistry:
    """All jobs of the application, by name, and the URL groups that fan out to them."""

    _jobs: dict[str, Job[Any]] = field(default_factory=dict)
    _url_groups: dict[str, UrlGroup] = field(default_factory=dict)

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

    def add_url_group(self, group: UrlGroup) -> None:
        """Declare a URL group; its endpoints are checked when the declarations are read.

        Raises:
            ValueError: A group with that name is already declared.
        """
        if group.name in self._url_groups:
            raise ValueError(f"url group {group.name!r} is already declared")
        self._url_groups[group.name] = group

    @property
    def url_groups(self) -> tuple[UrlGroup, ...]:
        """The declared URL groups, in declaration order."""
        return tuple(self._url_groups.values())

    def __iter__(self) -> Iterator[Job[Any]]:
        return iter(self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)


registry = JobRegistry()


@overload
def job(
    name: str,
    *,
    payload: None = None,
    description: str = "",
    schedules: Iterable[Schedule] = (),
) -> Callable[[Callable[[JobContext], None]], Job[None]]: ...


@overload
def job[M: BaseModel](
    name: str,
    *,
    payload: type[M],
    optional: Literal[False] = False,
    description: str = "",
    schedules: Iterable[Schedule] = (),
) -> Callable[[Callable[[M, JobContext], None]], Job[M]]: ...


@overload
def job[M: BaseModel](
    name: str,
    *,
    payload: type[M],
    optional: Literal[True],
    description: str = "",
    schedules: Iterable[Schedule] = (),
) -> Callable[[Callable[[M | None, JobContext], None]], Job[M | None]]: ...


def job(
    name: str,
    *,
    payload: type[BaseModel] | None = None,
    optional: bool = False,
    description: str = "",
    schedules: Iterable[Schedule] = (),
) -> Callable[[Callable[..., None]], Job[Any]]:
    """Declare a job in the application's registry.

    Example::

        class Greet(BaseModel):
            name: str

        @job("greet", payload=Greet)
        def greet(payload: Greet, context: JobContext) -> None:
            print(f"hello {payload.name}")

        @job("nightly-report", schedules=[Schedule("0 3 * * *")])  # no payload: a cron job
        def nightly_report(context: JobContext) -> None: ...

        @job("digest", payload=Greet, optional=True)
        def digest(payload: Greet | None, context: JobContext) -> None: ...

    Args:
        name: URL-safe job name; QStash delivers it to `/qstash/jobs/<name>`.
        payload: Pydantic model of the payload; omit it (or pass None) for a job that
            takes none, whose function is then called as `run(context)`.
        optional: With `payload`: an empty body (or `null`) is valid, and the function
            gets None.
        description: One line for humans; defaults to the function's docstring.
        schedules: QStash schedules that trigger the job (see `Schedule`); a deploy
            creates, updates and deletes them to match.

    Returns:
        A decorator that registers the function and returns its `Job`.

    Raises:
        ValueError: `optional=True` without a payload model, two schedules with one name,
            or the name is not URL-safe or already taken (when the decorator is applied).
    """
    if optional and payload is None:
        raise ValueError(f"job {name!r}: optional=True needs a payload model")

    def register(run: Callable[..., None]) -> Job[Any]:
        summary = description or (run.__doc__ or "").strip().partition("\n")[0]
        declared: Job[Any] = Job(
            name=name,
            payload_model=payload,
            run=run if payload is not None else _without_payload(run),
            description=summary,
            payload_optional=optional,
            schedules=tuple(schedules),
        )
        registry.register(declared)
        return declared

    return register


def url_group(name: str, *endpoints: str) -> UrlGroup:
    """Declare a QStash URL group in the application's registry.

    Example::

        url_group("user-signed-up", "send-welcome-email", "https://crm.example.com/hooks")

    Args:
        name: The group's name: what publishers send to.
        *endpoints: Job names of this app, or `https://` URLs of other services.

    Returns:
        The declared group.

    Raises:
        ValueError: The name is malformed or already declared, no endpoint is given, or
            one is given twice.
    """
    group = UrlGroup(name, tuple(endpoints))
    registry.add_url_group(group)
    return group


def _without_payload(run: Callable[[JobContext], None]) -> Callable[[None, JobContext], None]:
    """Adapt `run(context)` to the `run(payload, context)` every job is called with."""

    @functools.wraps(run)
    def adapted(payload: None, context: JobContext) -> None:
        run(context)

    return adapted
