"""Refuse to replay a dead letter whose job already ran.

Replaying a dead letter (`POST /v2/dlq/retry/{dlqId}`,
https://upstash.com/docs/qstash/features/dlq) publishes it again under a new message id, so
neither the receiver's hand-off mark nor the worker's idempotency record (both keyed by
message id) recognises it: a job that ran, but whose answers QStash never got, runs again.
`ReplayGuard` looks the dead letter's original message id up in both records first.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .errors import AppError
from .store import DeliveryStore, JobRun, JobRuns


class ReplayRefusedError(AppError):
    """Replaying the dead letter would run its job again, or that cannot be ruled out.

    `details` carries `message_id`, and what was found: `handed_off` (`job`, `at`) and
    `job_run` (`status`, `at`, `expires_at`), times as ISO 8601 UTC; or `check_failed`.
    """


@dataclass(frozen=True)
class ReplayGuard:
    """Looks a message id up where the receiver and the worker record it.

    Attributes:
        store: The receiver's store (hand-off marks).
        job_runs: The worker's idempotency records.
    """

    store: DeliveryStore
    job_runs: JobRuns

    def check(self, message_id: str) -> None:
        """Return when neither record knows the message id; raise otherwise.

        Args:
            message_id: The dead letter's original message id (its `messageId`).

        Raises:
            ReplayRefusedError: The message was handed off to the worker or its job ran (the
                message says what was found and when), the message id is empty, or a
                record could not be read (nothing can be ruled out then).
        """
        if not message_id:
            raise ReplayRefusedError(
                "the dead letter carries no messageId, so whether its job already ran "
                "cannot be checked"
            )
        try:
            mark = self.store.hand_off_mark(message_id)
            run = self.job_runs.job_run(message_id)
        except Exception as error:  # any backend's failure: refuse rather than guess
            raise ReplayRefusedError(
                f"could not check whether message {message_id} already ran: {error}",
                message_id=message_id,
                check_failed=str(error),
            ) from error
        if mark is None and run is None:
            return
        found: list[str] = []
        details: dict[str, Any] = {"message_id": message_id}
        if mark is not None:
            found.append(f"handed off as {mark.job} at {_utc(mark.handed_off_at)}")
            details["handed_off"] = {"job": mark.job, "at": _utc(mark.handed_off_at)}
            if run is None:
                found.append("no run recorded: still queued, or failing in the worker")
        if run is not None:
            found.append(_describe(run))
            details["job_run"] = {
                "status": run.status,
                "at": _utc(run.recorded_at),
                "expires_at": _utc(run.expires_at),
            }
        raise ReplayRefusedError(
            f"message {message_id} already reached the worker ({'; '.join(found)}): a replay "
            "is a new message and would run its job again",
            **details,
        )


def _describe(run: JobRun) -> str:
    if run.status == "completed":
        return f"job finished at {_utc(run.recorded_at)}"
    if run.status == "in progress":
        return (
            f"job started at {_utc(run.recorded_at)}, no end recorded: still running, "
            "or the worker died"
        )
    return f"job ran; the worker's record of it expired at {_utc(run.expires_at)}"


def _utc(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
