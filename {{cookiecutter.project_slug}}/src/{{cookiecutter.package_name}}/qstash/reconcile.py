"""Make QStash hold exactly what one owner declares: plan the changes, then apply them.

    api = ScheduleApi(QStashApi.from_settings(settings))
    plan = plan_changes(api, target)  # reads only
    apply_changes(api, plan)  # writes

Schedules are upserted by `Upstash-Schedule-Id`, so running twice leaves one schedule per
declaration; schedules and URL-group endpoints the owner no longer declares are deleted;
nothing without the owner's prefix is touched (see `ownership.py`). Every change is keyed
by schedule id or endpoint name and QStash is read afresh each time, so a run that stopped
half-way (a refusal, the time limit) is finished by the next one.

Changes run in this order: schedules created or updated, endpoints removed, endpoints added,
schedules deleted. If a run stops early, old schedules still fire rather than none.
"""

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import AppError
from .ownership import DesiredEndpoint, DesiredSchedule, Target
from .schedule_api import RemoteEndpoint, RemoteSchedule, ScheduleApi

Action = Literal["create", "update", "delete", "add", "remove"]
_ORDER: dict[Action, int] = {"create": 0, "update": 0, "remove": 1, "add": 2, "delete": 3}


class ReconcileError(AppError):
    """A change was refused or could not be made; `details` say which were applied."""


@dataclass(frozen=True)
class Change:
    """One change the reconcile makes.

    Attributes:
        action: `create`, `update`, `delete` (schedules), `add`, `remove` (endpoints).
        subject: The schedule id, or `<group>/<endpoint name>`.
        reasons: For an update, what differs (`cron '0 3 * * *' -> '0 4 * * *'`).
        schedule: The schedule to create or update.
        endpoint: The endpoint to add, or the group and name of the one to remove.
    """

    action: Action
    subject: str
    reasons: tuple[str, ...] = ()
    schedule: DesiredSchedule | None = None
    endpoint: DesiredEndpoint | None = None

    def describe(self) -> str:
        """One line for people, e.g. `update schedule app.nightly-report.nightly: cron ...`."""
        kind = "endpoint" if self.action in ("add", "remove") else "schedule"
        text = f"{self.action} {kind} {self.subject}"
        if self.action == "add" and self.endpoint:
            text += f" -> {self.endpoint.url}"
        elif self.action == "create" and self.schedule:
            text += f": {self.schedule.cron} -> {self.schedule.destination}"
        return text + (": " + "; ".join(self.reasons) if self.reasons else "")

    def to_json(self) -> dict[str, Any]:
        """The change as a JSON object."""
        document: dict[str, Any] = {"action": self.action, "subject": self.subject}
        if self.reasons:
            document["reasons"] = list(self.reasons)
        if self.schedule is not None:
            document["cron"] = self.schedule.cron
            document["destination"] = self.schedule.destination
        if self.endpoint is not None and self.action == "add":
            document["url"] = self.endpoint.url
        return document


@dataclass(frozen=True)
class Plan:
    """The changes that make QStash hold an owner's declarations.

    Attributes:
        owner: The owner id.
        changes: In the order they are applied.
        unchanged: Schedule ids and endpoints already as declared.
        paused: Unchanged schedules someone paused; the reconcile leaves them paused.
    """

    owner: str
    changes: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    paused: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The plan for people: one line per change, then a summary."""
        lines = [change.describe() for change in self.changes]
        lines += [f"paused (left paused): {subject}" for subject in self.paused]
        counts = {action: 0 for action in _ORDER}
        for change in self.changes:
            counts[change.action] += 1
        summary = ", ".join(f"{n} to {action}" for action, n in counts.items() if n)
        lines.append(
            f"owner {self.owner}: {summary or 'nothing to change'}; "
            f"{len(self.unchanged)} already as declared"
        )
        return lines

    def to_json(self) -> dict[str, Any]:
        """The plan as a JSON object."""
        return {
            "owner": self.owner,
            "changes": [change.to_json() for change in self.changes],
            "unchanged": list(self.unchanged),
            "paused": list(self.paused),
        }


def plan_changes(api: ScheduleApi, target: Target) -> Plan:
    """Read QStash and list the changes that make it hold `target` (nothing is written).

    Raises:
        PublishError: QStash could not be read (see `QStashApi.request`).
    """
    owner = target.owner
    changes: list[Change] = []
    unchanged: list[str] = []
    paused: list[str] = []
    remote = {s.schedule_id: s for s in api.schedules() if owner.owns(s.schedule_id)}
    for desired in target.schedules:
        current = remote.pop(desired.schedule_id, None)
        if current is None:
            changes.append(Change("create", desired.schedule_id, schedule=desired))
            continue
        reasons = differences(desired, current)
        if reasons:
            changes.append(Change("update", desired.schedule_id, reasons, schedule=desired))
        else:
            unchanged.append(desired.schedule_id)
            if current.paused:
                paused.append(desired.schedule_id)
    changes += [Change("delete", schedule_id) for schedule_id in sorted(remote)]
    changes += _endpoint_changes(api.endpoints(), target, unchanged)
    changes.sort(key=lambda change: _ORDER[change.action])
    return Plan(owner.name, tuple(changes), tuple(unchanged), tuple(paused))


def apply_changes(api: ScheduleApi, plan: Plan) -> None:
    """Make the planned changes, in order, stopping at the first that fails.

    Raises:
        ReconcileError: A change failed. The message names it, how many were applied and
            the cause; `details` hold `applied`, `failed`, `pending` (descriptions) and the
            cause's `status`. Running the reconcile again finishes the job.
    """
    for index, change in enumerate(plan.changes):
        try:
            _apply(api, change)
        except AppError as error:
            applied = [c.describe() for c in plan.changes[:index]]
            raise ReconcileError(
                f"{change.describe()} failed after {index} of {len(plan.changes)} changes "
                f"for owner {plan.owner}: {error.message}. Run it again (deploy again, or "
                "`schedules apply`) to finish: it starts from what QStash holds",
                owner=plan.owner,
                applied=applied,
                failed=change.describe(),
                pending=[c.describe() for c in plan.changes[index + 1 :]],
                status=error.details.get("status"),
            ) from None


def reconcile(api: ScheduleApi, target: Target) -> Plan:
    """Plan, then apply; return the plan that was applied.

    Raises:
        PublishError: QStash could not be read.
        ReconcileError: See `apply_changes`.
    """
    plan = plan_changes(api, target)
    apply_changes(api, plan)
    return plan


def differences(desired: DesiredSchedule, current: RemoteSchedule) -> tuple[str, ...]:
    """What differs between a declared schedule and QStash's, as `field old -> new` lines."""
    pairs: tuple[tuple[str, object, object], ...] = (
        ("cron", current.cron, desired.cron),
        ("destination", current.destination, desired.destination),
        ("body", current.body, desired.body),
        ("retries", current.retries, desired.retries),
        ("delay", f"{current.delay_seconds}s", f"{desired.delay_seconds}s"),
        ("callback", current.callback, desired.callback),
        ("failure callback", current.failure_callback, desired.failure_callback),
        ("method", current.method, "POST"),
    )
    return tuple(f"{name} {old!r} -> {new!r}" for name, old, new in pairs if old != new)


def _endpoint_changes(
    remote: list[RemoteEndpoint], target: Target, unchanged: list[str]
) -> list[Change]:
    owned: dict[tuple[str, str], set[str]] = {}
    for endpoint in remote:
        if endpoint.name and target.owner.owns(endpoint.name):
            owned.setdefault((endpoint.group, endpoint.name), set()).add(endpoint.url)
    desired = {(e.group, e.name): e for e in target.endpoints}
    changes: list[Change] = []
    for key in sorted(owned.keys() | desired.keys()):
        urls, wanted = owned.get(key, set()), desired.get(key)
        subject = "/".join(key)
        if wanted is not None and urls == {wanted.url}:
            unchanged.append(subject)
            continue
        if urls:
            # Removal goes by name, so the stale URL goes and a wanted one is added back.
            changes.append(Change("remove", subject, endpoint=DesiredEndpoint(*key, "")))
        if wanted is not None:
            changes.append(Change("add", subject, endpoint=wanted))
    return changes


def _apply(api: ScheduleApi, change: Change) -> None:
    if change.schedule is not None:
        api.upsert(change.schedule)
    elif change.action == "delete":
        api.delete(change.subject)
    elif change.endpoint is not None and change.action == "remove":
        api.remove_endpoint(change.endpoint.group, change.endpoint.name)
    elif change.endpoint is not None:
        api.add_endpoint(change.endpoint)
