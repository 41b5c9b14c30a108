"""`make bench` runs: which processes run, what is counted, failures, the probe, the folders.

The process runner is replaced by a fake that answers given numbers, except where the real
probe script runs in a fresh interpreter; no timing is ever asserted.
"""

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from {{ cookiecutter.package_name }}.qstash import SigningKeys
from {{ cookiecutter.package_name }}_devkit.bench.__main__ import import_costs
from {{ cookiecutter.package_name }}_devkit.bench.folders import (
    make_writable,
    without_bytecode,
)
from {{ cookiecutter.package_name }}_devkit.bench.runs import (
    JOB_PATH,
    PROBE,
    PUBLIC_BASE_URL,
    HandlerSpec,
    measure,
    percentile,
    probe_command,
    signed_events,
)
from {{ cookiecutter.package_name }}_devkit.signer import new_signing_key

GOOD = HandlerSpec("good", "answers", Path("/good"), "good.handler")
BAD = HandlerSpec("bad", "fails", Path("/bad"), "bad.handler")


class FakeProbe:
    """Answers 0.1 s cold, 200 KiB... per process; `failing` names handlers that fail."""

    def __init__(self, failing: frozenset[str] = frozenset()) -> None:
        self.failing = failing
        self.calls: list[tuple[str, str, int]] = []

    def __call__(
        self, spec: HandlerSpec, folder: Path, case: str, events: list[dict[str, Any]]
    ) -> dict[str, Any]:
        self.calls.append((spec.name, case, len(events)))
        if spec.name in self.failing:
            return {"error": "ImportError: no module named x"}
        warm = [0.001 * number for number in range(1, len(events))]
        figures = {"cold_seconds": 0.1, "cold_cpu_seconds": 0.08, "peak_rss_kib": 50_000}
        return {**figures, "warm_seconds": warm}


def run(probe: FakeProbe, specs: list[HandlerSpec], runs: int = 3, requests: int = 10) -> list[Any]:
    def events(tag: str, count: int) -> list[dict[str, Any]]:
        return [{"tag": tag}] * count

    return measure(
        specs, lambda spec, case: spec.folder, probe, events, runs=runs, requests=requests
    )


def test_each_case_is_counted_runs_times() -> None:
    (good,) = run(FakeProbe(), [GOOD])
    assert {case: spread.median_ms for case, spread in good.cold.items()} == {
        "bytecode": 100.0,
        "no-bytecode": 100.0,
        "warm-cache": 100.0,
    }


def test_cpu_time_is_summarised_beside_the_wall_time() -> None:
    (good,) = run(FakeProbe(), [GOOD])
    assert good.cold["bytecode"].cpu_median_ms == pytest.approx(80.0)


def test_warm_cache_is_primed_by_one_uncounted_process() -> None:
    probe = FakeProbe()
    run(probe, [GOOD], runs=3)
    assert [call[1] for call in probe.calls].count("warm-cache") == 4
    assert probe.calls[0] == ("good", "warm-cache", 1)


def test_only_the_first_bytecode_process_answers_the_warm_deliveries() -> None:
    probe = FakeProbe()
    run(probe, [GOOD], runs=3, requests=10)
    assert [count for _, case, count in probe.calls if case == "bytecode"] == [11, 1, 1]


def test_warm_figures_come_from_the_warm_deliveries() -> None:
    (good,) = run(FakeProbe(), [GOOD], requests=100)
    assert (good.warm_p50_us, good.warm_p99_us) == (pytest.approx(50_500), pytest.approx(99_000))


def test_peak_rss_is_reported_in_megabytes() -> None:
    (good,) = run(FakeProbe(), [GOOD])
    assert good.peak_rss_mb == pytest.approx(51.2)


def test_failing_handler_is_reported_and_not_timed() -> None:
    _, bad = run(FakeProbe(failing=frozenset({"bad"})), [GOOD, BAD])
    assert bad.error == "warm-cache: ImportError: no module named x"
    assert (bad.cold, bad.warm_p99_us, bad.peak_rss_mb) == ({}, None, None)


def test_failing_handler_is_not_run_again() -> None:
    probe = FakeProbe(failing=frozenset({"bad"}))
    run(probe, [GOOD, BAD])
    assert [call for call in probe.calls if call[0] == "bad"] == [("bad", "warm-cache", 1)]


def test_a_failing_handler_leaves_the_others_measured() -> None:
    good, _ = run(FakeProbe(failing=frozenset({"bad"})), [GOOD, BAD])
    assert good.error is None
    assert set(good.cold) == {"bytecode", "no-bytecode", "warm-cache"}


def test_rounds_interleave_the_handlers() -> None:
    probe = FakeProbe()
    run(probe, [GOOD, BAD], runs=2)
    counted = [name for name, _, _ in probe.calls[2:]]
    assert counted == ["good"] * 3 + ["bad"] * 3 + ["good"] * 3 + ["bad"] * 3


@pytest.mark.parametrize(("percent", "expected"), [(50, 50), (99, 99), (100, 100)])
def test_percentile_is_nearest_rank(percent: float, expected: int) -> None:
    assert percentile([float(value) for value in range(100, 0, -1)], percent) == expected


def test_signed_events_carry_a_fresh_token_and_message_id_each() -> None:
    keys = SigningKeys(current=new_signing_key(), next=new_signing_key())
    events = signed_events(keys, "t", 2)
    tokens = [event["headers"]["upstash-signature"] for event in events]
    claims = jwt.decode(tokens[0], keys.current, algorithms=["HS256"])
    assert claims["sub"] == PUBLIC_BASE_URL + JOB_PATH
    assert len(set(tokens)) == 2
    assert [event["headers"]["upstash-message-id"] for event in events] == [
        "msg_bench_t_0",
        "msg_bench_t_1",
    ]


def probe_in_fresh_interpreter(folder: Path, handler: str) -> tuple[int, dict[str, Any]]:
    request = {"path": [str(folder)], "handler": handler, "events": [{}, {}], "expect": 202}
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(PROBE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout.splitlines()[-1])


def test_probe_reports_the_figures_of_a_handler_that_answers(tmp_path: Path) -> None:
    (tmp_path / "fine.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 202}\n"
    )
    status, answer = probe_in_fresh_interpreter(tmp_path, "fine.handler")
    assert status == 0
    assert set(answer) == {"cold_seconds", "cold_cpu_seconds", "peak_rss_kib", "warm_seconds"}
    assert len(answer["warm_seconds"]) == 1


def test_probe_reports_a_handler_that_raises(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text(
        "def handler(event, context):\n    raise KeyError('JOBS_QUEUE_URL')\n"
    )
    status, answer = probe_in_fresh_interpreter(tmp_path, "broken.handler")
    assert status == 3
    assert answer == {"error": "KeyError: 'JOBS_QUEUE_URL' (broken.py:2)"}


def test_probe_reports_a_handler_that_answers_another_status(tmp_path: Path) -> None:
    (tmp_path / "refusing.py").write_text(
        "def handler(event, context):\n    return {'statusCode': 401, 'body': 'bad signature'}\n"
    )
    status, answer = probe_in_fresh_interpreter(tmp_path, "refusing.handler")
    assert status == 3
    assert answer["error"].startswith("RuntimeError: answered 401 instead of 202: bad signature")


def run_probe(command: list[str], folder: Path) -> None:
    request = {"path": [str(folder)], "handler": "dep.handler", "events": [{}], "expect": 202}
    done = subprocess.run(
        command, input=json.dumps(request), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def write_handler_with_a_dependency(folder: Path) -> None:
    folder.mkdir()
    (folder / "helper.py").write_text("ANSWER = {'statusCode': 202}\n")
    (folder / "dep.py").write_text(
        "from helper import ANSWER\n\ndef handler(event, context):\n    return ANSWER\n"
    )


@pytest.mark.parametrize("case", ["bytecode", "no-bytecode"])
def test_probe_outside_the_warm_cache_case_writes_no_bytecode(tmp_path: Path, case: str) -> None:
    # `-I` ignores PYTHONDONTWRITEBYTECODE: without `-B` the first no-bytecode process
    # would write the cache every later one reads, and the case would measure nothing.
    write_handler_with_a_dependency(tmp_path / "code")
    run_probe(probe_command(Path(sys.executable), case), tmp_path / "code")
    assert not list((tmp_path / "code").rglob("*.pyc"))


def test_probe_in_the_warm_cache_case_writes_the_bytecode(tmp_path: Path) -> None:
    write_handler_with_a_dependency(tmp_path / "code")
    run_probe(probe_command(Path(sys.executable), "warm-cache"), tmp_path / "code")
    assert list((tmp_path / "code" / "__pycache__").glob("helper.*.pyc"))


def test_copy_without_bytecode_has_no_bytecode(tmp_path: Path) -> None:
    (tmp_path / "code" / "__pycache__").mkdir(parents=True)
    (tmp_path / "code" / "module.py").write_text("")
    (tmp_path / "code" / "__pycache__" / "module.cpython-313.pyc").write_bytes(b"")
    (tmp_path / "code" / "legacy.pyc").write_bytes(b"")
    copy = without_bytecode(tmp_path / "code", tmp_path / "copy", read_only=False)
    assert sorted(path.name for path in copy.rglob("*")) == ["module.py"]


def test_read_only_copy_takes_write_permission_away(tmp_path: Path) -> None:
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "module.py").write_text("")
    copy = without_bytecode(tmp_path / "code", tmp_path / "copy", read_only=True)
    try:
        modes = [path.stat().st_mode for path in (copy, copy / "module.py")]
        assert all(not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) for mode in modes)
    finally:
        make_writable(copy)


MODULE = "{{ cookiecutter.package_name }}.entrypoints.lambda_ingest"
TRACE = f"""import time: self [us] | cumulative | imported package
import time:       120 |        120 |     {{ cookiecutter.package_name }}
import time:      2000 |     180000 |       fastapi
import time:        50 |         50 |         json
import time:      9000 |      95000 |     boto3
import time:     83000 |     400000 | {MODULE}
"""


def test_import_costs_keep_installed_packages_and_the_set_up() -> None:
    costs = import_costs(TRACE, {"fastapi", "boto3"}, MODULE, 8)
    assert costs == [("fastapi", 180.0), ("boto3", 95.0), (f"{MODULE} set-up", 83.0)]
