"""Who owns which schedules and URL-group endpoints, and what QStash must hold for an owner.

An owner is one deployment of the app, e.g. {% if cookiecutter.cloud == "aws-lambda" %}a CloudFormation stack{% else %}what `make deploy` applies as{% endif %}. Every schedule id and
endpoint name it creates starts with `<owner>.`; an owner id may use letters, digits, `-` and
`_` but never `.`, so no owner's prefix is another's, and the reconcile touches only what
carries its own prefix. Schedule ids: `<owner>.<job>.<schedule>`, which QStash upserts by
(`Upstash-Schedule-Id`, https://upstash.com/docs/qstash/features/schedules). Endpoints of
URL groups are named `<owner>.<job>` (or `<owner>.url-<digest>` for another service's URL):
a group keeps its declared name, publishers use it as is, and other endpoints that anyone
else added to a group of the same name are left alone.
"""

import hashlib
import re
from dataclasses import dataclass

from ..errors import ConfigurationError
from .destinations import check_destination
from .options import retries_header
from .schedules import Declarations, EndpointSpec

#: Owner ids: what a {% if cookiecutter.cloud == "aws-lambda" %}CloudFormation stack name or a {% else %}{% endif %}project slug is made of, without `.`.
OWNER = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_OWNER_CHARS = 48
MAX_SCHEDULE_ID_CHARS = 128
"""QStash documents the id's characters (letters, digits, `-`, `_`, `.`), not its length; ids
are kept to this many characters, longer ones shortened with a digest."""


@dataclass(frozen=True)
class Owner:
    """Who owns a set of schedules and endpoints in a QStash account, e.g. a {% if cookiecutter.cloud == "aws-lambda" %}stack{% else %}deployment{% endif %}.

    Attributes:
        name: The owner id as given (letters, digits, `-`, `_`).
        prefix: What every schedule id and endpoint name it owns starts with: the name (or,
            over `MAX_OWNER_CHARS`, its start and a digest) and a `.`.

    Raises:
        ConfigurationError: The name is empty or has other characters.
    """

    name: str

    def __post_init__(self) -> None:
        if not OWNER.fullmatch(self.name):
            raise ConfigurationError(
                f"owner {self.name!r} must be letters, digits, '-' or '_' (e.g. the {% if cookiecutter.cloud == "aws-lambda" %}stack name{% else %}project slug{% endif %})",
                owner=self.name,
            )

    @property
    def prefix(self) -> str:
        """`<owner>.`, shortened with a digest beyond `MAX_OWNER_CHARS`."""
        return _shortened(self.name, MAX_OWNER_CHARS) + "."

    def owns(self, identifier: str | None) -> bool:
        """Whether a schedule id or endpoint name belongs to this owner."""
        return bool(identifier) and str(identifier).startswith(self.prefix)

    def schedule_id(self, job: str, name: str) -> str:
        """The `Upstash-Schedule-Id` of a job's schedule: `<owner>.<job>.<name>`, bounded."""
        tail = _shortened(f"{job}.{name}", MAX_SCHEDULE_ID_CHARS - len(self.prefix))
        return self.prefix + tail

    def endpoint_name(self, endpoint: EndpointSpec) -> str:
        """The name this owner gives an endpoint: `<owner>.<job>` or `<owner>.url-<digest>`."""
        if endpoint.url:
            return self.prefix + "url-" + _digest(endpoint.url, 16)
        return self.prefix + str(endpoint.job)


@dataclass(frozen=True)
class DesiredSchedule:
    """A schedule as QStash must hold it (see `ScheduleSpec` for the fields it shares)."""

    schedule_id: str
    job: str
    name: str
    cron: str
    destination: str
    body: str
    retries: int
    delay_seconds: int
    callback: str
    failure_callback: str

    def headers(self) -> dict[str, str]:
        """The headers of `POST /v2/schedules/{destination}` that create or overwrite it.

        Never `Upstash-Deduplication-Id`: after a schedule with such an id is deleted, a new
        one with the same id is silently not created (upstash/qstash-js#39).
        """
        headers = {
            "Upstash-Cron": self.cron,
            "Upstash-Schedule-Id": self.schedule_id,
            "Upstash-Retries": retries_header(self.retries),
            "Upstash-Callback": self.callback,
            "Upstash-Failure-Callback": self.failure_callback,
        }
        if self.delay_seconds:
            headers["Upstash-Delay"] = f"{self.delay_seconds}s"
        if self.body:
            headers["Content-Type"] = "application/json"
        return headers


@dataclass(frozen=True)
class DesiredEndpoint:
    """A URL-group endpoint as QStash must hold it: group, the owner's name for it, URL."""

    group: str
    name: str
    url: str


@dataclass(frozen=True)
class Target:
    """What QStash must hold for one owner: the reconcile makes it so.

    Attributes:
        owner: Whose schedules and endpoints these are.
        schedules: Every schedule the owner declares.
        endpoints: Every URL-group endpoint the owner declares.
    """

    owner: Owner
    schedules: tuple[DesiredSchedule, ...] = ()
    endpoints: tuple[DesiredEndpoint, ...] = ()


def target(
    declarations: Declarations, *, owner: Owner, public_base_url: str, qstash_url: str
) -> Target:
    """Turn declarations into schedules and endpoints with full URLs, for one owner.

    Args:
        declarations: What the app declares.
        owner: Whose they are.
        public_base_url: The deployed app's base URL, e.g. {% if cookiecutter.cloud == "aws-lambda" %}`https://abc.lambda-url...`{% else %}the function's URL{% endif %}.
        qstash_url: The QStash API base URL; a local one (a development double) allows
            local destinations.

    Raises:
        UnsafeDestinationError: The base URL (or an endpoint URL) is not public https
            while QStash is not local.
    """
    base = public_base_url.rstrip("/")
    declared = [e for group in declarations.url_groups for e in group.endpoints]
    destinations = {e.url for e in declared if e.url}
    if declarations.schedules or any(e.url is None for e in declared):
        destinations.add(base)  # every job route and both callbacks live below it
    for url in sorted(destinations):
        check_destination(url, qstash_url=qstash_url)
    callback = base + declarations.callback_path
    failure_callback = base + declarations.failure_callback_path
    schedules = tuple(
        DesiredSchedule(
            schedule_id=owner.schedule_id(spec.job, spec.name),
            job=spec.job,
            name=spec.name,
            cron=spec.cron,
            destination=base + spec.path,
            body=spec.body,
            retries=spec.retries,
            delay_seconds=spec.delay_seconds,
            callback=callback,
            failure_callback=failure_callback,
        )
        for spec in declarations.schedules
    )
    endpoints = tuple(
        DesiredEndpoint(group.name, owner.endpoint_name(e), e.url or base + str(e.path))
        for group in declarations.url_groups
        for e in group.endpoints
    )
    return Target(owner, schedules, endpoints)


def _shortened(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 13] + "-" + _digest(text, 12)


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]
