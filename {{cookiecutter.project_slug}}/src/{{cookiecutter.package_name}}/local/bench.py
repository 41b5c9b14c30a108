"""`make bench`: cold-start import cost and warm latency of the ingest path, as figures.

Cold start: a fresh interpreter imports the ingest entry point (what the Lambda init phase
does), repeated; prints the median and worst wall time and the peak RSS. Warm: signed
deliveries through the real Mangum handler with in-memory hand-off and store; prints
median and p99 per request. Targets are read from these figures, never asserted in tests.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from mangum import Mangum

from ..api import create_app
from ..config import Settings
from ..handoff import MemoryHandoff
from ..jobs import registry
from ..qstash import SigningKeys
from ..qstash.keys import StaticSigningKeySource
from ..services import Services
from ..store import MemoryDeliveryStore
from .lambda_context import LocalLambdaContext
from .signer import new_signing_key, sign

PACKAGE = __package__.rpartition(".")[0] if __package__ else "app"
BASE_URL = "https://bench.lambda-url.us-east-1.on.aws"
IMPORT_PROBE = f"""
import resource, time
started = time.perf_counter()
import {PACKAGE}.entrypoints.lambda_ingest
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def cold_start(runs: int) -> tuple[list[float], int]:
    """Import the ingest entry point in `runs` fresh interpreters.

    Returns:
        Import wall times in seconds, and the highest peak RSS in KiB.
    """
    environment = dict(
        os.environ,
        JOBS_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/bench",
        APP_TABLE_NAME="bench",
        PUBLIC_BASE_URL=BASE_URL,
        AWS_DEFAULT_REGION=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    )
    times, peak = [], 0
    for _ in range(runs):
        output = subprocess.run(  # noqa: S603  (our own interpreter and probe)
            [sys.executable, "-c", IMPORT_PROBE],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times.append(float(output[0]))
        peak = max(peak, int(output[1]))
    return times, peak


def warm(requests: int) -> list[float]:
    """Deliver `requests` signed jobs through Mangum; return per-request seconds."""
    keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
    services = Services(
        settings=Settings(public_base_url=BASE_URL),
        signing_keys=StaticSigningKeySource(keys),
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
    options = parser.parse_args()

    times, peak_kib = cold_start(options.cold_runs)
    print(f"python {sys.version.split()[0]}")
    print(
        f"cold start (import of the ingest entry point, {len(times)} runs): "
        f"median {statistics.median(times) * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms, "
        f"peak RSS {peak_kib / 1024:.0f} MiB"
    )
    durations = sorted(warm(options.requests))
    p99 = durations[int(len(durations) * 0.99) - 1]
    print(
        f"warm delivery (verify + validate + in-memory hand-off, {len(durations)} requests): "
        f"median {statistics.median(durations) * 1e6:.0f} µs, p99 {p99 * 1e6:.0f} µs"
    )


if __name__ == "__main__":
    main()
