"""The schedule and URL-group calls of QStash's REST API, as the reconcile uses them.

https://upstash.com/docs/qstash/api: `/v2/schedules` (list, create or overwrite by
`Upstash-Schedule-Id`, delete) and `/v2/topics`, the URL groups (list, add and remove
endpoints; adding creates the group, removing its last endpoint deletes it). Every call
here is safe to repeat, so each is sent `idempotent`: 5xx answers and timeouts are retried.
"""

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import quote

import pydantic_core

from ..errors import PublishError
from .ownership import DesiredEndpoint, DesiredSchedule
from .rest import QStashApi, json_body
from .schedules import delay_seconds


@dataclass(frozen=True)
class RemoteSchedule:
    """A schedule as QStash reports it (`GET /v2/schedules`), in the fields compared here."""

    schedule_id: str
    cron: str
    destination: str
    body: str = ""
    retries: int | None = None
    delay_seconds: int = 0
    callback: str | None = None
    failure_callback: str | None = None
    method: str = "POST"
    paused: bool = False

    @classmethod
    def from_api(cls, item: Any) -> Self:
        """Read one item of QStash's schedule list (https://upstash.com/docs/qstash/api).

        Raises:
            PublishError: The item has no `scheduleId`, `cron` or `destination`.
        """
        if not isinstance(item, dict) or not all(
            isinstance(item.get(name), str) for name in ("scheduleId", "cron", "destination")
        ):
            raise PublishError("QStash listed a schedule this client cannot read", body=str(item))
        retries = item.get("retries")
        return cls(
            schedule_id=item["scheduleId"],
            cron=" ".join(item["cron"].split()),
            destination=item["destination"],
            body=_body_text(item),
            retries=retries if isinstance(retries, int) else None,
            delay_seconds=_remote_delay(item.get("delay")),
            callback=item.get("callback") or None,
            failure_callback=item.get("failureCallback") or None,
            method=str(item.get("method") or "POST").upper(),
            paused=bool(item.get("isPaused", False)),
        )


@dataclass(frozen=True)
class RemoteEndpoint:
    """One endpoint of a URL group as QStash reports it (`GET /v2/topics`)."""

    group: str
    url: str
    name: str | None = None


class ScheduleApi:
    """The schedule and URL-group calls (see the module); every one is safe to repeat.

    Args:
        api: The REST client (token, timeouts, retries, deadline).
    """

    def __init__(self, api: QStashApi) -> None:
        self.api = api

    def schedules(self) -> list[RemoteSchedule]:
        """Every schedule of the account."""
        answer = json_body(self.api.request("GET", "/v2/schedules", idempotent=True))
        return [RemoteSchedule.from_api(item) for item in _listing(answer, "schedules")]

    def upsert(self, schedule: DesiredSchedule) -> None:
        """Create the schedule, or overwrite the one with its id."""
        self.api.request(
            "POST",
            "/v2/schedules/" + schedule.destination,
            headers=schedule.headers(),
            content=schedule.body.encode(),
            idempotent=True,
        )

    def delete(self, schedule_id: str) -> None:
        """Delete a schedule; one already gone (404) is fine."""
        self._gone_is_fine("DELETE", f"/v2/schedules/{quote(schedule_id, safe='')}")

    def endpoints(self) -> list[RemoteEndpoint]:
        """Every endpoint of every URL group of the account."""
        answer = json_body(self.api.request("GET", "/v2/topics", idempotent=True))
        found: list[RemoteEndpoint] = []
        for group in _listing(answer, "url groups"):
            if not isinstance(group, dict) or not isinstance(group.get("name"), str):
                raise PublishError("QStash listed a URL group this client cannot read")
            for item in group.get("endpoints") or []:
                if isinstance(item, dict) and isinstance(item.get("url"), str):
                    found.append(RemoteEndpoint(group["name"], item["url"], item.get("name")))
        return found

    def add_endpoint(self, endpoint: DesiredEndpoint) -> None:
        """Add a named endpoint to a group, creating the group if needed."""
        self.api.request(
            "POST",
            f"/v2/topics/{quote(endpoint.group, safe='')}/endpoints",
            headers={"Content-Type": "application/json"},
            content=_endpoints_body([{"name": endpoint.name, "url": endpoint.url}]),
            idempotent=True,
        )

    def remove_endpoint(self, group: str, name: str) -> None:
        """Remove the endpoints named `name` from a group; a group already gone is fine."""
        self._gone_is_fine(
            "DELETE",
            f"/v2/topics/{quote(group, safe='')}/endpoints",
            headers={"Content-Type": "application/json"},
            content=_endpoints_body([{"name": name}]),
        )

    def _gone_is_fine(self, method: str, path: str, **options: Any) -> None:
        try:
            self.api.request(method, path, idempotent=True, **options)
        except PublishError as error:
            if error.details.get("status") != 404:
                raise


def _listing(answer: Any, what: str) -> list[Any]:
    if not isinstance(answer, list):
        raise PublishError(f"QStash answered the {what} listing with something other than a list")
    return answer


def _body_text(item: dict[str, Any]) -> str:
    if isinstance(item.get("body"), str):
        return str(item["body"])
    if isinstance(item.get("bodyBase64"), str):
        try:
            return base64.b64decode(item["bodyBase64"]).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            return str(item["bodyBase64"])
    return ""


def _remote_delay(value: Any) -> int:
    """QStash's `delay`: seconds (qstash-py reads an int), or `"1d10h30m"` notation."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int | float):
        return int(value)
    return delay_seconds(str(value))


def _endpoints_body(endpoints: list[dict[str, str]]) -> bytes:
    return pydantic_core.to_json({"endpoints": endpoints})
