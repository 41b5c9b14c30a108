"""The job registry: a team declares each job once; routes and the worker derive from it.

A job's payload is one of three kinds, chosen in `@job`:

- a pydantic model (`payload=Model`): the body must be a JSON object that validates;
- an optional model (`payload=Model, optional=True`): an empty body, or `null`, gives None;
- none (`@job("name")`, e.g. a cron job whose QStash schedule sends no body): the body must
  carry nothing: empty, `null` or `{}`. Any other body is refused (489), not ignored, so data
  published to the wrong job is never silently dropped.

The job itself (`Job`, `JobContext`, how each kind of payload is parsed) is in `job.py`;
schedules are declared on the job (`@job(..., schedules=[Schedule(...)])`), URL groups with
`url_group(...)`: see `declarations.py`.
"""

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, overload

from pydantic import BaseModel

from ..errors import UnknownJobError
from .declarations import Schedule, UrlGroup
from .job import Job, JobContext

JOB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


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
