"""The schedules and URL groups the jobs declare, checked, as a document and as QStash's terms.

Three steps, each usable alone:

{%- if cookiecutter.cloud == "aws-lambda" %}

1. `declarations_document(registry)` checks every declaration (cron, time zone, payload,
   endpoints) and writes them as deterministic JSON with route *paths*: `cdk synth` puts it
   into the custom resource's properties, so a bad declaration fails the synth with one line.
2. `Declarations.from_document(text)` reads it back (in the custom resource's Lambda).
{%- else %}

1. `declarations_document(registry)` checks every declaration (cron, time zone, payload,
   endpoints) and writes them as deterministic JSON with route *paths*, so a bad declaration
   fails `schedules plan` (and `make deploy`, which runs `schedules apply`) with one line.
2. `Declarations.from_document(text)` reads it back; `Declarations.from_registry(registry)`
   does steps 1 and 2 at once (the CLI's `schedules plan | apply`).
{%- endif %}
3. `ownership.target(declarations, owner=..., public_base_url=...)` turns it into what
   QStash must hold for one owner, and `reconcile.py` makes QStash match.
"""

import json
import re
from dataclasses import dataclass
from typing import Any, Self

import pydantic_core
from pydantic import BaseModel

from ..errors import ConfigurationError, InvalidPayloadError
from ..jobs import Job, JobRegistry, Schedule
from ..paths import CALLBACK_PATH, FAILURE_CALLBACK_PATH, job_path
from .options import delay_header, retries_header

DOCUMENT_VERSION = 1
DEFAULT_RETRIES = 3
"""QStash's default `Upstash-Retries` (https://upstash.com/docs/qstash/features/retry); sent
explicitly, so that removing `retries=` from a declaration resets a schedule to it."""
_CRON_TZ = re.compile(r"^CRON_TZ=(\S+)\s+(.*)$")
_DELAY_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class ScheduleDeclarationError(ConfigurationError):
    """A schedule or URL group declaration QStash would refuse, or that could never work."""


@dataclass(frozen=True)
class ScheduleSpec:
    """One declared schedule, in the document's terms (a path, not a URL).

    Attributes:
        job: The job it triggers.
        name: The schedule's name among the job's schedules.
        cron: The cron expression, `CRON_TZ=` prefix included, single-spaced.
        path: The job's route.
        body: What each trigger sends (JSON text), "" for an empty body.
        retries: `Upstash-Retries` of each trigger.
        delay_seconds: `Upstash-Delay` of each trigger, in seconds (0: none).
    """

    job: str
    name: str
    cron: str
    path: str
    body: str
    retries: int
    delay_seconds: int


@dataclass(frozen=True)
class EndpointSpec:
    """One declared URL-group endpoint: a job's route (`job` and `path`) or another `url`."""

    job: str | None = None
    path: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class GroupSpec:
    """One declared URL group and its endpoints."""

    name: str
    endpoints: tuple[EndpointSpec, ...]


@dataclass(frozen=True)
class Declarations:
    """Everything the app declares to QStash, checked and in a stable order.

    Attributes:
        schedules: The schedules, by job then name.
        url_groups: The URL groups, by name, endpoints in declaration order.
        callback_path: Route of the callback each trigger carries.
        failure_callback_path: Route of the failure callback.
    """

    schedules: tuple[ScheduleSpec, ...] = ()
    url_groups: tuple[GroupSpec, ...] = ()
    callback_path: str = CALLBACK_PATH
    failure_callback_path: str = FAILURE_CALLBACK_PATH

    @classmethod
    def from_registry(cls, registry: JobRegistry) -> Self:
        """Check every declaration of `registry`.

        Raises:
            ScheduleDeclarationError: One line naming the job, schedule or group and what
                is wrong: a bad cron, an unknown time zone, a payload that does not fit the
                job, bad retries or delay, an endpoint that is not a job or an https URL.
        """
        schedules = [
            _schedule_spec(job, schedule)
            for job in sorted(registry, key=lambda job: job.name)
            for schedule in sorted(job.schedules, key=lambda schedule: schedule.name)
        ]
        known = {job.name for job in registry}
        groups = [
            GroupSpec(
                group.name, tuple(_endpoint_spec(group.name, e, known) for e in group.endpoints)
            )
            for group in sorted(registry.url_groups, key=lambda group: group.name)
        ]
        return cls(tuple(schedules), tuple(groups))

    def to_document(self) -> str:
        """Return the declarations as compact JSON, keys sorted: equal declarations, equal text."""
        document = {
            "version": DOCUMENT_VERSION,
            "callbackPath": self.callback_path,
            "failureCallbackPath": self.failure_callback_path,
            "schedules": [
                {
                    "job": spec.job,
                    "name": spec.name,
                    "cron": spec.cron,
                    "path": spec.path,
                    "body": spec.body,
                    "retries": spec.retries,
                    "delaySeconds": spec.delay_seconds,
                }
                for spec in self.schedules
            ],
            "urlGroups": [
                {
                    "name": group.name,
                    "endpoints": [
                        {"url": e.url} if e.url else {"job": e.job, "path": e.path}
                        for e in group.endpoints
                    ],
                }
                for group in self.url_groups
            ],
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_document(cls, text: str) -> Self:
        """Read a document `to_document` wrote.

        Raises:
            ScheduleDeclarationError: Not such a document (not JSON, another version, a
                field missing or of the wrong type).
        """
        try:
            document = json.loads(text)
            if document.get("version") != DOCUMENT_VERSION:
                raise ValueError(f"version {document.get('version')!r}, want {DOCUMENT_VERSION}")
            return cls(
                schedules=tuple(
                    ScheduleSpec(
                        job=_text(item["job"]),
                        name=_text(item["name"]),
                        cron=_text(item["cron"]),
                        path=_path(item["path"]),
                        body=_string(item["body"]),
                        retries=int(item["retries"]),
                        delay_seconds=int(item["delaySeconds"]),
                    )
                    for item in document["schedules"]
                ),
                url_groups=tuple(
                    GroupSpec(
                        _text(group["name"]),
                        tuple(
                            EndpointSpec(url=_text(e["url"]))
                            if "url" in e
                            else EndpointSpec(job=_text(e["job"]), path=_path(e["path"]))
                            for e in group["endpoints"]
                        ),
                    )
                    for group in document["urlGroups"]
                ),
                callback_path=_path(document["callbackPath"]),
                failure_callback_path=_path(document["failureCallbackPath"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ScheduleDeclarationError(
                f"not a declarations document (declarations_document writes them): {error}"
            ) from None


def declarations_document(registry: JobRegistry) -> str:
    """Check the registry's schedules and URL groups and return them as a JSON document.

    Deterministic: the same declarations always give the same text, so a deploy sees a
    change only when a declaration changed. Routes are paths; the deploy adds the URL.

    Raises:
        ScheduleDeclarationError: See `Declarations.from_registry`.
    """
    return Declarations.from_registry(registry).to_document()


def check_cron(cron: str) -> str:
    """Check a cron expression the way QStash reads it and return it single-spaced.

    Five fields, UTC unless prefixed `CRON_TZ=<IANA zone> `
    (https://upstash.com/docs/qstash/features/schedules). Fields are checked with cronsim,
    zones with the zone database (`zoneinfo`). Both are imported here, on first use, so the
    receiver never loads them.

    Raises:
        ValueError: Not five fields, a field out of range, or an unknown time zone; the
            message says which.
    """
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from cronsim import CronSim, CronSimError

    text = " ".join(cron.split())
    fields = text
    match = _CRON_TZ.match(text)
    if match:
        zone_name, fields = match.group(1), match.group(2)
        try:
            ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {zone_name!r} in {cron!r}: use an IANA name such as "
                "Europe/Berlin or America/New_York"
            ) from None
    if len(fields.split()) != 5:
        raise ValueError(
            f"cron {cron!r} has {len(fields.split())} fields, want 5 "
            "(minute hour day-of-month month day-of-week), e.g. '0 3 * * *'"
        )
    try:
        CronSim(fields, datetime.now(UTC))
    except CronSimError as error:
        raise ValueError(f"invalid cron {cron!r}: {error}") from None
    return text


def delay_seconds(header: str) -> int:
    """`Upstash-Delay` notation (`"90s"`, `"1d10h30m"`) in seconds."""
    return sum(int(n) * _DELAY_UNITS[unit] for n, unit in re.findall(r"(\d+)([dhms])", header))


def _schedule_spec(job: Job[Any], schedule: Schedule) -> ScheduleSpec:
    where = f"schedule {schedule.name!r} of job {job.name!r}"
    try:
        cron = check_cron(schedule.cron)
        retries = DEFAULT_RETRIES if schedule.retries is None else schedule.retries
        retries_header(retries)
        delay = 0 if schedule.delay is None else delay_seconds(delay_header(schedule.delay))
        body = _body(job, schedule)
    except (ValueError, InvalidPayloadError) as error:
        raise ScheduleDeclarationError(f"{where}: {_one_line(error)}", job=job.name) from None
    return ScheduleSpec(job.name, schedule.name, cron, job_path(job.name), body, retries, delay)


def _body(job: Job[Any], schedule: Schedule) -> str:
    payload = schedule.payload
    if payload is None:
        if job.payload_required:
            raise ValueError("the job needs a payload: give the schedule one (payload=...)")
        return ""
    if job.payload_model is None:
        raise ValueError("the job takes no payload: leave the schedule's payload out")
    raw = (
        payload.model_dump_json(by_alias=True).encode()
        if isinstance(payload, BaseModel)
        else pydantic_core.to_json(payload)
    )
    # Written as the job's model writes it: one text per payload whatever the key order,
    # so an unchanged declaration never looks changed to the deploy.
    model: BaseModel = job.parse(raw)
    return model.model_dump_json(by_alias=True)


def _endpoint_spec(group: str, endpoint: str, known_jobs: set[str]) -> EndpointSpec:
    if "://" in endpoint:
        if not re.match(r"^https://[^/?#\s]+", endpoint) or any(c.isspace() for c in endpoint):
            raise ScheduleDeclarationError(
                f"url group {group!r}: endpoint {endpoint!r} is not an https URL "
                "(QStash calls endpoints from the internet)",
                group=group,
            )
        return EndpointSpec(url=endpoint)
    if endpoint not in known_jobs:
        raise ScheduleDeclarationError(
            f"url group {group!r}: {endpoint!r} is no job of this app (see `jobs`), nor an "
            "https URL",
            group=group,
        )
    return EndpointSpec(job=endpoint, path=job_path(endpoint))


def _one_line(error: Exception) -> str:
    message = str(error)
    if isinstance(error, InvalidPayloadError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', ())) or 'payload'}: {item.get('msg')}"
            for item in error.details.get("errors") or []
        )
        message = f"payload does not fit the job: {problems or error.message}"
    return " ".join(message.split())


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not _string(value):
        raise TypeError(f"expected a non-empty string, got {value!r}")
    return str(value)


def _path(value: Any) -> str:
    if not _text(value).startswith("/"):
        raise ValueError(f"expected a route path starting with '/', got {value!r}")
    return str(value)
