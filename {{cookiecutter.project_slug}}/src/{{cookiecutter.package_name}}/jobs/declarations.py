"""What the app declares to QStash besides its jobs: the schedules and URL groups that trigger them.

    @job("nightly-report", schedules=[Schedule("CRON_TZ=Europe/Berlin 0 3 * * *")])
    def nightly_report(context: JobContext) -> None: ...

    url_group("user-signed-up", "send-welcome-email", "https://crm.example.com/hooks/signup")

A deploy (or `<project> schedules apply`) makes QStash hold exactly these: see
`qstash/reconcile.py`. Only the form is checked here (names, types); the cron expression,
its time zone, the payload and the endpoints are checked against the registry in
{%- if cookiecutter.cloud == "aws-lambda" %}
`qstash/schedules.py`, at `cdk synth` and by `schedules plan`, so importing the jobs (the
receiver does, on every cold start) never loads a cron parser.
{%- else %}
`qstash/schedules.py`, by `schedules plan` and `schedules apply` (which `make deploy` runs),
so importing the jobs (the receiver does, on every cold start) never loads a cron parser.
{%- endif %}
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..qstash.options import Delay

#: A schedule's name: like a job name, so that schedule ids stay readable and URL-safe.
SCHEDULE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
#: URL-group names QStash accepts: letters, digits, `_`, `-` and `.`
#: (https://upstash.com/docs/qstash/howto/url-group-endpoint). QStash documents no length
#: limit; this project keeps them to 64 characters.
GROUP_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


@dataclass(frozen=True)
class Schedule:
    """A QStash schedule that triggers the job it is declared on.

    Each trigger is a message to the job's route, with the app's callback and failure
    callback, like a message from the publisher
    (https://upstash.com/docs/qstash/features/schedules).

    Attributes:
        cron: Five fields (minute, hour, day of month, month, day of week), evaluated in
            UTC, e.g. `"0 3 * * *"`; prefix `CRON_TZ=<IANA zone> ` for another time zone,
            e.g. `"CRON_TZ=Europe/Berlin 0 3 * * *"`. QStash's resolution is one minute.
        name: Tells a job's schedules apart (lower case, digits, hyphens). It is part of the
            schedule id, so renaming a schedule deletes it and creates a new one.
        payload: The body of every trigger, checked against the job's model: a JSON object
            or an instance of the model. None (the default) sends an empty body, for a job
            that takes no payload or whose payload is optional.
        retries: `Upstash-Retries` of each trigger (QStash's default is 3).
        delay: `Upstash-Delay` of each trigger: seconds, a `timedelta`, or `"10s"`, `"5m"`.
    """

    cron: str
    name: str = "default"
    payload: Mapping[str, Any] | BaseModel | None = None
    retries: int | None = None
    delay: Delay | None = None

    def __post_init__(self) -> None:
        """Check the form.

        Raises:
            ValueError: The name is not lower case letters, digits and hyphens (at most 63),
                or the cron is not a string.
        """
        if not isinstance(self.cron, str) or not self.cron.strip():
            raise ValueError(f"schedule {self.name!r}: cron must be a string like '0 3 * * *'")
        if not SCHEDULE_NAME.fullmatch(self.name):
            raise ValueError(f"schedule name {self.name!r} must match {SCHEDULE_NAME.pattern}")


@dataclass(frozen=True)
class UrlGroup:
    """A QStash URL group: one publish to its name reaches every endpoint (fan-out).

    See https://upstash.com/docs/qstash/features/url-groups.

    Attributes:
        name: The group's name, used as the publish destination; letters, digits, `_`,
            `-` and `.`.
        endpoints: Job names of this app (their routes join the group) or `https://` URLs
            of other services. Other endpoints of a group with this name, added by anyone
            else, are left alone.
    """

    name: str
    endpoints: tuple[str, ...]

    def __post_init__(self) -> None:
        """Check the form.

        Raises:
            ValueError: The name has characters QStash refuses, there is no endpoint, or
                one is listed twice.
        """
        if not GROUP_NAME.fullmatch(self.name):
            raise ValueError(f"url group name {self.name!r} must match {GROUP_NAME.pattern}")
        if not self.endpoints:
            raise ValueError(f"url group {self.name!r} needs at least one endpoint")
        if len(set(self.endpoints)) != len(self.endpoints):
            raise ValueError(f"url group {self.name!r} lists an endpoint twice")
