"""`make bench` output: every figure in the table and the JSON, ratios, targets, failures.

The figures are given here; nothing is measured, so nothing depends on this machine's speed.
"""

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}_devkit.bench.report import (
    BenchFigures,
    HandlerFigures,
    Spread,
    markdown,
    ratio,
    targets,
    to_json,
    write_json,
)


def handler(name: str, bytecode_ms: float, p99_us: float, rss_mb: float = 60.0) -> HandlerFigures:
    return HandlerFigures(
        name,
        f"the {name} handler",
        cold={
            "bytecode": Spread(bytecode_ms, bytecode_ms + 5, bytecode_ms / 2),
            "no-bytecode": Spread(bytecode_ms * 2, bytecode_ms * 2 + 5),
            "warm-cache": Spread(bytecode_ms * 0.8, bytecode_ms * 0.8 + 5),
        },
        peak_rss_mb=rss_mb,
        warm_p50_us=p99_us / 2,
        warm_p99_us=p99_us,
    )


def figures(**changes: object) -> BenchFigures:
    values: dict[str, object] = {
        "python": "3.13.0",
        "runs": 7,
        "requests": 400,
        "handlers": [handler("naive", 400.0, 1000.0), handler("ingest", 300.0, 1500.0, 70.0)],
        "asset_zip_bytes": 5_500_000,
        "synth_seconds": 9.5,
        "suite_seconds": 321.0,
        "heaviest_imports": [("fastapi", 180.0)],
    }
    values.update(changes)
    return BenchFigures(**values)  # type: ignore[arg-type]


def ingest_row(table: str) -> str:
    return next(line for line in table.splitlines() if line.startswith("| ingest:"))


def test_spread_gives_median_and_max_in_milliseconds() -> None:
    assert Spread.of([0.3, 0.1, 0.2], [0.1, 0.2, 0.15]) == Spread(200.0, 300.0, 150.0)


def test_spread_of_no_timings_is_refused() -> None:
    with pytest.raises(ValueError, match="no timings"):
        Spread.of([])


def test_ratio_divides_by_the_baseline() -> None:
    assert ratio(300.0, 400.0) == 0.75


@pytest.mark.parametrize(("value", "baseline"), [(None, 400.0), (300.0, None), (300.0, 0.0)])
def test_ratio_without_both_figures_is_none(value: float | None, baseline: float | None) -> None:
    assert ratio(value, baseline) is None


def test_table_row_has_every_cold_figure_and_its_ratio_to_naive() -> None:
    row = ingest_row(markdown(figures()))
    assert "300.0 / 305.0 ms (CPU 150.0) | 0.75x (CPU 0.75x)" in row  # shipped bytecode
    assert "600.0 / 605.0 ms | 0.75x" in row  # no bytecode
    assert "240.0 / 245.0 ms | 0.75x" in row  # warm bytecode cache


def test_table_row_has_rss_and_warm_figures_and_the_p99_ratio() -> None:
    row = ingest_row(markdown(figures()))
    assert row.endswith("| 70 MB | 750 µs | 1500 µs | 1.50x |")


def test_table_names_the_cases_in_its_header() -> None:
    header = markdown(figures()).splitlines()[0]
    for case in ("shipped bytecode", "no bytecode, read-only", "warm bytecode cache"):
        assert f"init + first invoke, {case} (median / max (CPU))" in header


def test_table_is_followed_by_size_synth_suite_and_imports() -> None:
    table = markdown(figures())
    assert "- zipped ingest asset: 5.50 MB" in table
    assert "- cdk synth (fresh output folder): 9.5 s" in table
    assert "- template test suite: 321 s" in table
    assert "fastapi 180 ms" in table


def test_figures_not_measured_say_so() -> None:
    table = markdown(figures(synth_seconds=None, suite_seconds=None))
    assert "- cdk synth (fresh output folder): not measured in this run" in table
    assert "- template test suite: not measured in this run" in table


def test_failed_handler_is_reported_without_timings() -> None:
    failed = HandlerFigures("ingest", "the ingest handler", error="bytecode: ImportError: x")
    row = ingest_row(markdown(figures(handlers=[handler("naive", 400.0, 1000.0), failed])))
    assert "failed, not timed: bytecode: ImportError: x" in row
    assert " ms " not in row


def test_targets_are_read_from_the_figures() -> None:
    read = {
        target.name: (round(target.measured or 0, 3), target.met) for target in targets(figures())
    }
    assert read == {
        "ingest init + first invoke with bytecode, x naive": (0.75, True),
        "ingest with shipped bytecode, x the same with a warm bytecode cache": (1.25, False),
        "ingest warm p99, x naive's": (1.5, True),
        "ingest peak RSS": (70.0, True),
        "zipped ingest asset": (5.5, True),
    }


def test_targets_without_the_ingest_handler_are_not_measured() -> None:
    assert {target.met for target in targets(figures(handlers=[], asset_zip_bytes=None))} == {None}


def test_cold_targets_show_the_cpu_ratio_beside() -> None:
    assert "with bytecode, x naive: 0.75x (CPU 0.75x) (<= 0.85x): met" in markdown(figures())


def test_table_lists_each_target_with_its_verdict() -> None:
    table = markdown(figures())
    assert "- ingest peak RSS: 70.00MB (<= 80MB): met" in table
    assert "bytecode cache: 1.25x (<= 1.1x): NOT met" in table


def test_json_has_every_figure_and_the_ratios_to_naive() -> None:
    document = to_json(figures())
    ingest = document["handlers"][1]
    assert ingest["cold"]["no-bytecode"] == {
        "median_ms": 600.0,
        "max_ms": 605.0,
        "cpu_median_ms": None,
    }
    assert (ingest["peak_rss_mb"], ingest["warm_p50_us"], ingest["warm_p99_us"]) == (70, 750, 1500)
    assert ingest["ratios_to_naive"] == {
        "cold_bytecode": 0.75,
        "cold_no-bytecode": 0.75,
        "cold_warm-cache": 0.75,
        "warm_p99": 1.5,
    }
    assert (document["asset_zip_bytes"], document["synth_seconds"]) == (5_500_000, 9.5)
    assert document["suite_seconds"] == 321.0


def test_json_lists_the_targets_with_their_verdicts() -> None:
    verdicts = [target["met"] for target in to_json(figures())["targets"]]
    assert verdicts == [True, False, True, True, True]


def test_json_of_a_failed_handler_carries_the_error_and_no_timings() -> None:
    failed = HandlerFigures("ingest", "the ingest handler", error="no-bytecode: exit 1")
    ingest = to_json(figures(handlers=[handler("naive", 400.0, 1000.0), failed]))["handlers"][1]
    assert (ingest["error"], ingest["cold"], ingest["warm_p99_us"]) == (
        "no-bytecode: exit 1",
        {},
        None,
    )


def test_json_is_written_where_asked(tmp_path: Path) -> None:
    path = tmp_path / "build" / "bench.json"
    write_json(figures(), path)
    assert json.loads(path.read_text(encoding="utf-8"))["runs"] == 7
