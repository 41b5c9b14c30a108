"""No message lost: publish many jobs through the whole local system while things break.

Faults injected (each drawn from a seeded RNG): the app's hand-off to SQS fails (503, QStash
retries), the job raises (SQS retries, then its dead-letter queue), QStash delivers an attempt
twice (https://upstash.com/docs/qstash/features/at-least-once), and QStash loses the app's
answer after the work was done (it retries a delivery that had succeeded).

Every published message must end with its side effect done exactly once, or in a dead-letter
store: QStash's DLQ (and the app's dead letters, recorded by the failure callback) or the SQS
dead-letter queue. `run_chaos` counts; the chaos test and `make soak` assert lost == 0 and
doubled == 0.
"""

import time
from collections import Counter
from dataclasses import dataclass, field

from {{ cookiecutter.package_name }}.errors import UnknownJobError
from {{ cookiecutter.package_name }}.handoff import Handoff
from {{ cookiecutter.package_name }}.jobs import Job, JobContext, registry
from {{ cookiecutter.package_name }}.qstash.client import PublishRequest

from .faults import ChaosPayload, FlakyHandoff, Tally
from .qstash_double import DoubleSettings
from .stack import LocalSystem, local_system

CHAOS_JOB = "chaos-tally"
PUBLISH_BATCH_SIZE = 100


@dataclass(frozen=True)
class ChaosSettings:
    """The scenario.

    Attributes:
        count: Messages to publish.
        handoff_failure: Chance one hand-off to SQS raises `HandoffError` (the app answers
            503 and QStash retries).
        job_failure: Chance one run of the job raises (SQS redelivers it).
        duplicate_delivery: Chance QStash sends a delivery attempt twice.
        lost_response: Chance QStash drops the app's answer after the work was done.
        seed: Seed of every fault RNG.
        time_scale: Real seconds per QStash protocol second (QStash back-off, `Retry-After`).
        timeout: Real seconds to wait for the system to settle.
        window: Most messages in flight at once (published, not yet delivered by QStash or
            still in the jobs queue); publishing waits below it. moto's SQS scans the whole
            queue on every call, so an unbounded backlog makes a long run quadratic.
    """

    count: int = 1000
    handoff_failure: float = 0.10
    job_failure: float = 0.10
    duplicate_delivery: float = 0.20
    lost_response: float = 0.10
    seed: int = 20_240_229
    time_scale: float = 0.0005
    timeout: float = 600.0
    window: int = 300

    def __post_init__(self) -> None:
        """Refuse values that cannot work.

        Raises:
            ValueError: `count` or `window` is below 1, or a chance is not in [0, 1].
        """
        if self.count < 1 or self.window < 1:
            raise ValueError("count and window must be at least 1")
        chances = (
            self.handoff_failure,
            self.job_failure,
            self.duplicate_delivery,
            self.lost_response,
        )
        if not all(0.0 <= chance <= 1.0 for chance in chances):
            raise ValueError("fault chances must be between 0 and 1")


@dataclass(frozen=True)
class ChaosReport:
    """How every published message ended.

    Each message is counted once: done once (its side effect happened exactly once, even if
    QStash also dead-lettered it because the answer kept getting lost), else dead-lettered
    (never done, and in a dead-letter store), else lost (never done, in no store); doubled
    means done more than once.

    Attributes:
        settings: The scenario.
        published: Messages published.
        done_once: Messages whose side effect happened exactly once.
        dead_lettered: Messages never done that sit in a dead-letter store.
        lost: Messages never done and in no dead-letter store.
        doubled: Messages whose side effect happened more than once.
        qstash_dead_letters: Messages in QStash's DLQ.
        stored_dead_letters: Of those, how many the app recorded from the failure callback.
        sqs_dead_letters: Jobs in the SQS dead-letter queue.
        done_and_dead_lettered: Done once, yet in QStash's DLQ (answers lost on every attempt).
        injected: Faults injected, by name.
        seconds: Real seconds from the first publish until everything settled.
    """

    settings: ChaosSettings
    published: int
    done_once: int
    dead_lettered: int
    lost: int
    doubled: int
    qstash_dead_letters: int
    stored_dead_letters: int
    sqs_dead_letters: int
    done_and_dead_lettered: int
    injected: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No message lost or doubled, and every message accounted for."""
        accounted = self.done_once + self.dead_lettered == self.published
        return self.lost == 0 and self.doubled == 0 and accounted

    def lines(self) -> list[str]:
        """The report for people, one figure per line."""
        s = self.settings
        faults = ", ".join(f"{name} {count}" for name, count in self.injected.items())
        return [
            f"chaos: {s.count} messages, seed {s.seed}: hand-off failure {s.handoff_failure:.0%}, "
            f"worker exception {s.job_failure:.0%}, duplicate delivery "
            f"{s.duplicate_delivery:.0%}, response lost {s.lost_response:.0%}",
            f"injected: {faults}",
            f"published      {self.published}",
            f"done once      {self.done_once}",
            f"dead-lettered, never done  {self.dead_lettered}",
            f"lost           {self.lost}",
            f"doubled        {self.doubled}",
            f"dead-letter stores: QStash DLQ {self.qstash_dead_letters} (failure callback "
            f"recorded {self.stored_dead_letters}), SQS DLQ {self.sqs_dead_letters}; of these, "
            f"done but dead-lettered by QStash (answer lost; do not replay) "
            f"{self.done_and_dead_lettered}",
            f"took {self.seconds:.1f} s",
        ]


_tally: Tally | None = None


def _run_chaos_job(payload: ChaosPayload, context: JobContext) -> None:
    if _tally is None:
        raise RuntimeError("chaos-tally runs only inside run_chaos")
    _tally.run(payload, context)


def run_chaos(settings: ChaosSettings | None = None) -> ChaosReport:
    """Run the scenario on a fresh local system and count how each message ended.

    Args:
        settings: The scenario (default: 1,000 messages, the documented fault rates).

    Returns:
        The counts.

    Raises:
        TimeoutError: The system did not settle within `settings.timeout` seconds.
        RuntimeError: Another local system runs in this process.
    """
    global _tally
    s = settings or ChaosSettings()
    _register_job()
    _tally = tally = Tally(s.job_failure, s.seed)
    flaky: list[FlakyHandoff] = []

    def wrap(inner: Handoff) -> Handoff:
        flaky.append(FlakyHandoff(inner, s.handoff_failure, s.seed))
        return flaky[0]

    qstash = DoubleSettings(
        time_scale=s.time_scale,
        duplicate_delivery_probability=s.duplicate_delivery,
        lost_response_probability=s.lost_response,
        seed=s.seed,
        # Few attempts in flight: httpx scans its whole connection pool on every request, and
        # more concurrency only queues more work on this process's one GIL.
        concurrency=8,
    )
    try:
        with local_system(qstash, log_level="CRITICAL", wrap_handoff=wrap) as system:
            started = time.monotonic()
            message_ids = _publish(system, s.count, s.window)
            system.wait_until_settled(s.timeout)
            seconds = time.monotonic() - started
            counters = system.qstash.double.counters()
            injected = {
                "hand-off failures": flaky[0].failures,
                "worker exceptions": tally.failures,
                "duplicate deliveries": counters.get("duplicate_attempts", 0),
                "lost responses": counters.get("lost_responses", 0),
            }
            return _count(system, s, message_ids, tally, injected, seconds)
    finally:
        _tally = None


def _register_job() -> None:
    try:
        registry.get(CHAOS_JOB)
    except UnknownJobError:
        registry.register(
            Job(
                name=CHAOS_JOB,
                payload_model=ChaosPayload,
                run=_run_chaos_job,
                description="Chaos test: count the run (raises on purpose sometimes).",
            )
        )


def _publish(system: LocalSystem, count: int, window: int) -> dict[str, str]:
    """Publish `count` messages in batches, at most about `window` in flight; id -> key."""
    message_ids: dict[str, str] = {}
    batch = min(PUBLISH_BATCH_SIZE, window)
    with system.publisher() as publisher:
        for start in range(0, count, batch):
            while _in_flight(system) > window - batch:
                time.sleep(0.02)
            keys = [f"m{n:06d}" for n in range(start, min(start + batch, count))]
            requests = [PublishRequest(CHAOS_JOB, {"key": key}) for key in keys]
            results = publisher.publish_batch(requests)
            message_ids.update((r.message_id, key) for r, key in zip(results, keys, strict=True))
    return message_ids


def _in_flight(system: LocalSystem) -> int:
    """Messages QStash still has to deliver, plus jobs still in the queue."""
    counters = system.qstash.double.counters()
    settled = sum(counters.get(f"{end}_message", 0) for end in ("delivered", "dead", "cancelled"))
    return counters.get("published_message", 0) - settled + system.worker.pending()


def _count(
    system: LocalSystem,
    settings: ChaosSettings,
    message_ids: dict[str, str],
    tally: Tally,
    injected: dict[str, int],
    seconds: float,
) -> ChaosReport:
    qstash_dead = {
        letter.message.message_id
        for letter in system.qstash.double.dead_letters()
        if letter.message.kind == "message"
    }
    stored_dead = {letter.source_message_id for letter in system.services.store.dead_letters()}
    sqs_dead = {envelope.message_id for envelope in system.sqs_dead_letters()}
    dead = qstash_dead | stored_dead | sqs_dead
    ends: Counter[str] = Counter()
    for message_id, key in message_ids.items():
        runs = tally.runs[key]
        if runs > 1:
            ends["doubled"] += 1
        elif runs == 1:
            ends["done once"] += 1
            ends["done and dead-lettered"] += message_id in qstash_dead
        elif message_id in dead:
            ends["dead-lettered"] += 1
        else:
            ends["lost"] += 1
    return ChaosReport(
        settings=settings,
        published=len(message_ids),
        done_once=ends["done once"],
        dead_lettered=ends["dead-lettered"],
        lost=ends["lost"],
        doubled=ends["doubled"],
        qstash_dead_letters=len(qstash_dead & message_ids.keys()),
        stored_dead_letters=len(stored_dead & message_ids.keys()),
        sqs_dead_letters=len(sqs_dead & message_ids.keys()),
        done_and_dead_lettered=ends["done and dead-lettered"],
        injected=injected,
        seconds=seconds,
    )
