"""One fresh Lambda-like process: import a handler, invoke it, report the figures as JSON.

Run as a script by `bench.runs`, never imported: `python -I -S probe.py < request.json`, so
`sys.path` holds only the standard library until the request's folders are put first (the
code folder, then the runtime's boto3), as `/var/task` and the runtime folder on Lambda.
Standard library only, imported before the clock starts (the Lambda runtime has them loaded
too); everything the handler imports is timed.

The request (JSON on stdin): `path` (folders), `handler` (`module.attribute`), `events`
(the first is the cold invoke, the rest are timed warm), `expect` (the status code every
answer must have). The answer (the last stdout line): `cold_seconds` (import + first
invoke, wall time), `cold_cpu_seconds` (the same in CPU time of this process, which a
loaded machine inflates less), `peak_rss_kib` (after the first invoke, see
`peak_rss_kib()`), `warm_seconds` (one per warm event).
A handler that fails or answers another status exits 3 with `{"error": ...}`: nothing timed.
"""

import importlib
import json
import resource
import sys
import time
import traceback


class Context:
    """The attributes of Lambda's context object that handlers and Powertools read."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left, as Lambda reports them."""
        return 60_000


def main() -> int:
    """Run the request read from stdin; print one JSON line; return the exit status."""
    request = json.load(sys.stdin)
    sys.path[:0] = request["path"]
    module_name, _, attribute = request["handler"].rpartition(".")
    events, expect, context = request["events"], request["expect"], Context()
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        handler = getattr(importlib.import_module(module_name), attribute)
        _check(handler(events[0], context), expect)
        cold, cold_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = peak_rss_kib()
        warm = []
        for event in events[1:]:
            started = time.perf_counter()
            answer = handler(event, context)
            warm.append(time.perf_counter() - started)
            _check(answer, expect)
    except Exception as error:  # reported to the parent, which leaves the handler untimed
        last = traceback.extract_tb(error.__traceback__)[-1]
        where = f"{last.filename.rpartition('/')[2]}:{last.lineno}"
        print(json.dumps({"error": f"{type(error).__name__}: {error} ({where})"}))
        return 3
    figures = {"cold_seconds": cold, "cold_cpu_seconds": cold_cpu, "peak_rss_kib": peak}
    print(json.dumps({**figures, "warm_seconds": warm}))
    return 0


def peak_rss_kib() -> int:
    """Return this process's peak resident set size, in KiB.

    Linux keeps `getrusage`'s `ru_maxrss` across `execve`, so a process started by a big
    parent reports the parent's peak; `VmHWM` belongs to this program's own memory map.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _check(answer: object, expect: int) -> None:
    status = answer.get("statusCode") if isinstance(answer, dict) else None
    if status != expect:
        body = answer.get("body", "") if isinstance(answer, dict) else answer
        raise RuntimeError(f"answered {status} instead of {expect}: {str(body)[:200]}")


if __name__ == "__main__":
    sys.exit(main())
