"""Fresh processes per handler and case, interleaved, each answering signed deliveries.

Every process is `python -I -S probe.py` with only the handler's folder and the runtime's
boto3 on `sys.path`, the function's environment and nothing of this one. Each delivery is
signed here for the process that gets it (a fresh token and message id: the ingest handler
refuses a token it has seen, on the same moto table, across processes).
"""

import json
import statistics
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.qstash import SigningKeys

from ..signer import sign
from .report import CASES, HandlerFigures, Spread

PROBE = Path(__file__).with_name("probe.py")
JOB_PATH = "/qstash/jobs/send-welcome-email"
JOB_BODY = json.dumps({"user_id": "u-1", "email": "ada@example.com"}).encode()
HOST = "bench.lambda-url.us-east-1.on.aws"
PUBLIC_BASE_URL = f"https://{HOST}"
#: A process must finish within this long (seconds); a hang is reported, not waited for.
PROCESS_TIMEOUT = 300


@dataclass(frozen=True)
class HandlerSpec:
    """One handler to measure.

    Attributes:
        name: Short name for the table and the JSON.
        description: What it is.
        folder: Its code folder, with bytecode (the case `bytecode` runs it as it is).
        handler: `module.attribute` inside the folder.
        environment: Variables only this handler gets, on top of the shared ones.
        without: Shared variables this handler does not get.
    """

    name: str
    description: str
    folder: Path
    handler: str
    environment: Mapping[str, str] = field(default_factory=dict)
    without: tuple[str, ...] = ()


@dataclass
class Samples:
    """What the processes of one handler returned so far."""

    cold: dict[str, list[float]] = field(default_factory=lambda: {case: [] for case in CASES})
    cold_cpu: dict[str, list[float]] = field(default_factory=lambda: {c: [] for c in CASES})
    peak_rss_kib: int = 0
    warm: list[float] = field(default_factory=list)
    error: str | None = None

    def figures(self, spec: HandlerSpec) -> HandlerFigures:
        """Summarise; a handler that failed anywhere gets its error and no timings."""
        if self.error is not None:
            return HandlerFigures(spec.name, spec.description, error=self.error)
        return HandlerFigures(
            spec.name,
            spec.description,
            cold={
                case: Spread.of(times, self.cold_cpu[case])
                for case, times in self.cold.items()
                if times
            },
            peak_rss_mb=self.peak_rss_kib * 1024 / 1_000_000 if self.peak_rss_kib else None,
            warm_p50_us=statistics.median(self.warm) * 1e6 if self.warm else None,
            warm_p99_us=percentile(self.warm, 99) * 1e6 if self.warm else None,
        )


#: Runs one process: `(spec, case folder, case, events) -> the probe's JSON answer`.
Probe = Callable[[HandlerSpec, Path, str, list[dict[str, Any]]], dict[str, Any]]


def percentile(values: list[float], percent: float) -> float:
    """Return the nearest-rank percentile of `values` (non-empty)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceil, at least the first value
    return ordered[int(rank) - 1]


def measure(
    specs: list[HandlerSpec],
    case_folders: Callable[[HandlerSpec, str], Path],
    probe: Probe,
    events: Callable[[str, int], list[dict[str, Any]]],
    *,
    runs: int,
    requests: int,
) -> list[HandlerFigures]:
    """Run every handler `runs` times in each case, interleaved; return their figures.

    Round after round, each handler runs once per case, so a machine that slows down
    slows every handler alike. The warm-cache case first runs one process per handler that
    is not counted: it writes the bytecode the counted ones read. The first bytecode-case
    process of each handler also answers `requests` warm deliveries. A handler whose process
    fails is not run again and reported with the error.

    Args:
        specs: The handlers.
        case_folders: The folder a handler runs from in a case.
        probe: Runs one process.
        events: `(tag, count) -> count` signed deliveries, unique to the tag.
        runs: Counted processes per handler and case.
        requests: Warm deliveries, answered by one process per handler.

    Returns:
        One `HandlerFigures` per spec, in the same order.
    """
    samples = {spec.name: Samples() for spec in specs}

    def run(spec: HandlerSpec, case: str, tag: str, count: int) -> dict[str, Any] | None:
        sample = samples[spec.name]
        if sample.error is not None:
            return None
        answer = probe(spec, case_folders(spec, case), case, events(f"{spec.name}-{tag}", count))
        if "error" in answer:
            sample.error = f"{case}: {answer['error']}"
            return None
        return answer

    for spec in specs:
        run(spec, "warm-cache", "prime", 1)
    for number in range(runs):
        for spec in specs:
            for case in CASES:
                warm = requests if number == 0 and case == "bytecode" else 0
                answer = run(spec, case, f"{case}-{number}", 1 + warm)
                if answer is None:
                    continue
                sample = samples[spec.name]
                sample.cold[case].append(answer["cold_seconds"])
                sample.cold_cpu[case].append(answer["cold_cpu_seconds"])
                if case == "bytecode":
                    sample.peak_rss_kib = max(sample.peak_rss_kib, answer["peak_rss_kib"])
                    sample.warm.extend(answer["warm_seconds"])
    return [samples[spec.name].figures(spec) for spec in specs]


def signed_events(keys: SigningKeys, tag: str, count: int) -> list[dict[str, Any]]:
    """Return `count` Function URL events (payload 2.0) of signed job deliveries."""
    url = PUBLIC_BASE_URL + JOB_PATH
    return [
        function_url_event(sign(JOB_BODY, url, keys.current), f"msg_bench_{tag}_{number}")
        for number in range(count)
    ]


def function_url_event(signature: str, message_id: str) -> dict[str, Any]:
    """A Lambda Function URL POST of the job body, shaped like a real one."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": JOB_PATH,
        "rawQueryString": "",
        "headers": {
            "host": HOST,
            "content-type": "application/json",
            "user-agent": "Upstash-QStash",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "203.0.113.9",
            "upstash-message-id": message_id,
            "upstash-retried": "0",
            "upstash-signature": signature,
        },
        "requestContext": {
            "accountId": "anonymous",
            "domainName": HOST,
            "http": {
                "method": "POST",
                "path": JOB_PATH,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
                "userAgent": "Upstash-QStash",
            },
            "requestId": message_id,
            "stage": "$default",
        },
        "isBase64Encoded": False,
        "body": JOB_BODY.decode(),
    }


def process_probe(
    python: Path, runtime: Path, environment: Mapping[str, str], expect: int = 202
) -> Probe:
    """Return a `Probe` that runs `probe.py` in a fresh isolated interpreter.

    Args:
        python: The runtime's interpreter.
        runtime: The folder with boto3 (after the handler's folder on `sys.path`).
        environment: Variables every handler gets (AWS endpoint, keys, queue, log level).
        expect: The status code every answer must have.
    """

    def probe(
        spec: HandlerSpec, folder: Path, case: str, events: list[dict[str, Any]]
    ) -> dict[str, Any]:
        variables = {"PATH": "/usr/bin:/bin", **environment, **spec.environment}
        for name in spec.without:
            variables.pop(name, None)
        request = {
            "path": [str(folder), str(runtime)],
            "handler": spec.handler,
            "events": events,
            "expect": expect,
        }
        try:
            done = subprocess.run(  # noqa: S603  (the runtime's interpreter, our own probe)
                probe_command(python, case),
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=PROCESS_TIMEOUT,
                env=variables,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"no answer within {PROCESS_TIMEOUT} s"}
        last = done.stdout.strip().rpartition("\n")[2]
        try:
            answer: dict[str, Any] = json.loads(last)
        except ValueError:
            answer = {"error": f"exit {done.returncode}: {done.stderr.strip()[-300:]}"}
        return answer

    return probe


def probe_command(python: Path, case: str) -> list[str]:
    """The command line of one probe process in `case`.

    `-I` makes the interpreter ignore every `PYTHON*` variable, `PYTHONDONTWRITEBYTECODE`
    too, and root may write into a read-only folder: so `-B` is what keeps a process from
    writing bytecode. Only the warm-cache case may (and must) write it.
    """
    no_writes = [] if case == "warm-cache" else ["-B"]
    return [str(python), "-I", "-S", *no_writes, str(PROBE)]
