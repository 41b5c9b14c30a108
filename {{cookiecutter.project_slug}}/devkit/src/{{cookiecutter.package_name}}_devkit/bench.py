"""`make bench`: cold-start import cost and warm latency of the ingest path, as figures.

Cold start: a fresh interpreter imports the ingest entry point (what the Lambda init phase
does), repeated; prints the median and worst wall time, the peak RSS and the packages that
cost most. `make bench` runs it in `.venv-lambda`, which holds what the Lambda bundle holds
(runtime dependencies, plus the boto3 the Lambda runtime provides), not the dev tools.
Warm: signed deliveries through the real Mangum handler with in-memory hand-off and store;
prints median and p99 per request. Targets are read from these figures, never asserted.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

from mangum import Mangum

from {{ cookiecutter.package_name }}.api import create_app
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.handoff import MemoryHandoff
from {{ cookiecutter.package_name }}.jobs import registry
from {{ cookiecutter.package_name }}.public_url import StaticPublicBaseUrl
from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}.qstash.keys import StaticSigningKeySource
from {{ cookiecutter.package_name }}.services import Services
from {{ cookiecutter.package_name }}.store import MemoryDeliveryStore

from .lambda_context import LocalLambdaContext
from .signer import new_signing_key, sign

PACKAGE = "{{ cookiecutter.package_name }}"
BASE_URL = "https://bench.lambda-url.us-east-1.on.aws"
IMPORT_PROBE = f"""
import resource, time
started = time.perf_counter()
import {PACKAGE}.entrypoints.lambda_ingest
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


COLD_ENVIRONMENT = {
    "JOBS_QUEUE_URL": "https://sqs.us-east-1.amazonaws.com/123456789012/bench",
    "APP_TABLE_NAME": "bench",
    "PUBLIC_BASE_URL": BASE_URL,
    "AWS_DEFAULT_REGION": "us-east-1",
}


def cold_start(runs: int, python: str) -> tuple[list[float], int]:
    """Import the ingest entry point in `runs` fresh interpreters.

    Args:
        runs: How many fresh interpreters to time.
        python: The interpreter (of the environment to measure).

    Returns:
        Import wall times in seconds, and the highest peak RSS in KiB.
    """
    times, peak = [], 0
    for _ in range(runs):
        output = _probe(python, "-c", IMPORT_PROBE).stdout.split()
        times.append(float(output[0]))
        peak = max(peak, int(output[1]))
    return times, peak


def heaviest_imports(python: str, top: int = 6) -> list[tuple[str, float]]:
    """The costliest packages the ingest entry point imports, from `-X importtime`.

    A package's figure is its cumulative import time where it was first imported, so it
    includes what it imported itself (e.g. fastapi includes starlette).

    Returns:
        `(package, seconds)` pairs for third-party top-level packages, costliest first.
    """
    trace = _probe(python, "-X", "importtime", "-c", f"import {PACKAGE}.entrypoints.lambda_ingest")
    costs: dict[str, float] = {}
    for line in trace.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \| \s*([\w]+)$", line)
        if found and found.group(2) != PACKAGE and not found.group(2).startswith("_"):
            costs[found.group(2)] = int(found.group(1)) / 1e6
    return sorted(costs.items(), key=lambda item: item[1], reverse=True)[:top]


def _probe(python: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603  (an interpreter and a probe of our own)
        [python, *arguments],
        env=dict(os.environ, **COLD_ENVIRONMENT),
        capture_output=True,
        text=True,
        check=True,
    )


def warm(requests: int) -> list[float]:
    """Deliver `requests` signed jobs through Mangum; return per-request seconds."""
    keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
    services = Services(
        settings=Settings(public_base_url=BASE_URL),
        signing_keys=StaticSigningKeySource(keys),
        public_base_url=StaticPublicBaseUrl(BASE_URL),
        registry=registry,
        handoff=MemoryHandoff(),
        store=MemoryDeliveryStore(),
    )
    handler = Mangum(create_app(services), lifespan="off")
    path = "/qstash/jobs/send-welcome-email"
    body = json.dumps({"user_id": "u-1", "email": "ada@example.com"})
    context = LocalLambdaContext()
    durations = []
    for number in range(requests):
        event = {
            "version": "2.0",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {
                "host": "bench.lambda-url.us-east-1.on.aws",
                "content-type": "application/json",
                "upstash-signature": sign(body.encode(), BASE_URL + path, keys.current),
                "upstash-message-id": f"msg_bench_{number}",
            },
            "requestContext": {
                "http": {"method": "POST", "path": path, "sourceIp": "127.0.0.1"},
                "domainName": "bench.lambda-url.us-east-1.on.aws",
            },
            "body": body,
            "isBase64Encoded": False,
        }
        started = time.perf_counter()
        response = handler(event, context)
        durations.append(time.perf_counter() - started)
        if response["statusCode"] != 202:
            raise RuntimeError(f"unexpected answer {response['statusCode']}: {response['body']}")
    return durations


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Measure the ingest path.")
    parser.add_argument("--cold-runs", type=int, default=10, help="fresh imports to time")
    parser.add_argument("--requests", type=int, default=2000, help="warm requests to time")
    parser.add_argument(
        "--cold-python", default=sys.executable, help="interpreter of the environment to import in"
    )
    options = parser.parse_args()

    times, peak_kib = cold_start(options.cold_runs, options.cold_python)
    print(f"python {sys.version.split()[0]}, cold start measured with {options.cold_python}")
    print(
        f"cold start (import of the ingest entry point, {len(times)} runs): "
        f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms, "
        f"peak RSS {peak_kib / 1024:.0f} MiB"
    )
    heaviest = heaviest_imports(options.cold_python)
    print("  costliest imports: " + ", ".join(f"{n} {s * 1000:.0f} ms" for n, s in heaviest))
    durations = sorted(warm(options.requests))
    p99 = durations[int(len(durations) * 0.99) - 1]
    print(
        f"warm delivery (verify + validate + in-memory hand-off, {len(durations)} requests): "
        f"median {statistics.median(durations) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"
    )


if __name__ == "__main__":
    main()
