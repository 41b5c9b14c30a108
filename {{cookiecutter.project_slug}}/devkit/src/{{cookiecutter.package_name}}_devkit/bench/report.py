"""The benchmark's figures, their ratios to the naive baseline, the targets, the outputs.

Pure code: it is given measured numbers and computes, formats and writes; it measures nothing.
"""

import json
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: The handler every ratio is taken against.
NAIVE = "naive"
#: The handler the targets are about.
INGEST = "ingest"
#: How each handler's code is started, in table order.
CASES = ("bytecode", "no-bytecode", "warm-cache")
CASE_TITLES = {
    "bytecode": "shipped bytecode",
    "no-bytecode": "no bytecode, read-only",
    "warm-cache": "warm bytecode cache",
}
MB = 1_000_000


@dataclass(frozen=True)
class Spread:
    """Median and worst of repeated wall times, and the median CPU time, in milliseconds.

    The CPU time is the process's own: on a loaded machine it grows far less than the wall
    time, which includes waiting for a core.
    """

    median_ms: float
    max_ms: float
    cpu_median_ms: float | None = None

    @classmethod
    def of(cls, seconds: list[float], cpu_seconds: list[float] | None = None) -> "Spread":
        """Summarise timings given in seconds.

        Raises:
            ValueError: `seconds` is empty.
        """
        if not seconds:
            raise ValueError("no timings to summarise")
        cpu = statistics.median(cpu_seconds) * 1000 if cpu_seconds else None
        return cls(statistics.median(seconds) * 1000, max(seconds) * 1000, cpu)


@dataclass(frozen=True)
class HandlerFigures:
    """What was measured for one handler; `error` set means nothing of it was timed.

    Attributes:
        name: Short name (`ingest`, `naive`, ...).
        description: What the handler is, for the table.
        cold: Init + first invoke per case (see `CASES`).
        peak_rss_mb: The highest peak RSS of its processes, in MB (10^6 bytes).
        warm_p50_us: Median of the warm deliveries, in microseconds.
        warm_p99_us: 99th percentile of the warm deliveries, in microseconds.
        error: Why the handler could not be measured (its figures are then empty).
    """

    name: str
    description: str
    cold: dict[str, Spread] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    warm_p50_us: float | None = None
    warm_p99_us: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """One cold-start, latency or size target, read from the figures (never asserted in tests).

    Attributes:
        name: What is compared.
        measured: The measured value (a ratio, or MB), None when not measured.
        limit: The highest value that meets the target.
        unit: `x` for a ratio, `MB` for a size.
        cpu_measured: The same ratio in CPU time, for the cold-start ratios (shown beside).
    """

    name: str
    measured: float | None
    limit: float
    unit: str
    cpu_measured: float | None = None

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None when it was not measured."""
        return None if self.measured is None else self.measured <= self.limit


@dataclass(frozen=True)
class BenchFigures:
    """Everything one `make bench` run measured.

    Attributes:
        python: The interpreter version the handlers ran on.
        runs: Fresh processes per handler and case.
        requests: Warm deliveries per handler.
        handlers: One entry per handler, in table order.
        asset_zip_bytes: The ingest asset zipped (deflate, level 9), in bytes.
        synth_seconds: Wall time of `cdk synth` into a fresh output folder, None if skipped.
        suite_seconds: The template test suite's wall time, None when not measured.
        heaviest_imports: `(package, milliseconds)`: the asset's costliest imports.
        notes: Lines printed under the table (what each case means, what was skipped).
    """

    python: str
    runs: int
    requests: int
    handlers: list[HandlerFigures]
    asset_zip_bytes: int | None = None
    synth_seconds: float | None = None
    suite_seconds: float | None = None
    heaviest_imports: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def handler(self, name: str) -> HandlerFigures | None:
        """Return the figures of the handler named `name`, if it was measured at all."""
        return next((figures for figures in self.handlers if figures.name == name), None)


def ratio(value: float | None, baseline: float | None) -> float | None:
    """Return `value / baseline`, or None when either is missing or the baseline is 0."""
    if value is None or not baseline:
        return None
    return value / baseline


def cold_median(figures: HandlerFigures | None, case: str, *, cpu: bool = False) -> float | None:
    """Return the median init + first invoke of `case` in ms (wall, or CPU), None if unmeasured."""
    if figures is None or case not in figures.cold:
        return None
    spread = figures.cold[case]
    return spread.cpu_median_ms if cpu else spread.median_ms


def warm_p99(figures: HandlerFigures | None) -> float | None:
    """Return the warm p99 in µs, None when not measured."""
    return None if figures is None else figures.warm_p99_us


def targets(figures: BenchFigures) -> list[Target]:
    """Read the targets from the figures: each limit is what the template aims at."""
    ingest, naive = figures.handler(INGEST), figures.handler(NAIVE)
    zipped = None if figures.asset_zip_bytes is None else figures.asset_zip_bytes / MB
    return [
        Target(
            "ingest init + first invoke with bytecode, x naive",
            ratio(cold_median(ingest, "bytecode"), cold_median(naive, "bytecode")),
            0.85,
            "x",
            ratio(
                cold_median(ingest, "bytecode", cpu=True), cold_median(naive, "bytecode", cpu=True)
            ),
        ),
        Target(
            "ingest with shipped bytecode, x the same with a warm bytecode cache",
            ratio(cold_median(ingest, "bytecode"), cold_median(ingest, "warm-cache")),
            1.1,
            "x",
            ratio(
                cold_median(ingest, "bytecode", cpu=True),
                cold_median(ingest, "warm-cache", cpu=True),
            ),
        ),
        Target(
            "ingest warm p99, x naive's",
            ratio(warm_p99(ingest), warm_p99(naive)),
            2.0,
            "x",
        ),
        Target("ingest peak RSS", ingest.peak_rss_mb if ingest else None, 80.0, "MB"),
        Target("zipped ingest asset", zipped, 6.0, "MB"),
    ]


def to_json(figures: BenchFigures) -> dict[str, Any]:
    """Return the figures, their ratios to the naive baseline and the targets, as JSON."""
    naive = figures.handler(NAIVE)
    document = asdict(figures)
    for entry, handler in zip(document["handlers"], figures.handlers, strict=True):
        entry["ratios_to_naive"] = {
            **{
                f"cold_{case}": ratio(cold_median(handler, case), cold_median(naive, case))
                for case in CASES
            },
            "warm_p99": ratio(handler.warm_p99_us, warm_p99(naive)),
        }
    document["targets"] = [{**asdict(target), "met": target.met} for target in targets(figures)]
    return document


def write_json(figures: BenchFigures, path: Path) -> None:
    """Write `to_json(figures)` to `path`, creating its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(figures), indent=2) + "\n", encoding="utf-8")


def markdown(figures: BenchFigures) -> str:
    """Return the figures as a markdown table followed by the other figures and targets."""
    naive = figures.handler(NAIVE)
    header = ["handler"]
    for case in CASES:
        header += [f"init + first invoke, {CASE_TITLES[case]} (median / max (CPU))", "x naive"]
    header += ["peak RSS", "warm p50", "warm p99", "p99 x naive"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for handler in figures.handlers:
        lines.append("| " + " | ".join(_row(handler, naive, len(header))) + " |")
    lines += ["", *_other_figures(figures), "", "Targets:"]
    for target in targets(figures):
        verdict = {True: "met", False: "NOT met", None: "not measured"}[target.met]
        measured = "-" if target.measured is None else f"{target.measured:.2f}{target.unit}"
        if target.cpu_measured is not None:
            measured += f" (CPU {target.cpu_measured:.2f}x)"
        lines.append(f"- {target.name}: {measured} (<= {target.limit:g}{target.unit}): {verdict}")
    if figures.notes:
        lines += ["", *figures.notes]
    return "\n".join(lines)


def _row(handler: HandlerFigures, naive: HandlerFigures | None, width: int) -> list[str]:
    name = f"{handler.name}: {handler.description}"
    if handler.error is not None:
        return [name, f"failed, not timed: {handler.error}", *["-"] * (width - 2)]
    cells = [name]
    for case in CASES:
        spread = handler.cold.get(case)
        cells.append("-" if spread is None else _spread(spread))
        wall = _times(ratio(cold_median(handler, case), cold_median(naive, case)))
        cpu = ratio(cold_median(handler, case, cpu=True), cold_median(naive, case, cpu=True))
        cells.append(wall if cpu is None else f"{wall} (CPU {_times(cpu)})")
    cells.append(_number(handler.peak_rss_mb, "{:.0f} MB"))
    cells.append(_number(handler.warm_p50_us, "{:.0f} µs"))
    cells.append(_number(handler.warm_p99_us, "{:.0f} µs"))
    cells.append(_times(ratio(handler.warm_p99_us, warm_p99(naive))))
    return cells


def _other_figures(figures: BenchFigures) -> list[str]:
    zipped = figures.asset_zip_bytes
    lines = [
        f"Python {figures.python}; {figures.runs} fresh processes per handler and case; "
        f"{figures.requests} warm deliveries per handler.",
        "- zipped ingest asset: " + _number(zipped and zipped / MB, "{:.2f} MB"),
        "- cdk synth (fresh output folder): "
        + _number(figures.synth_seconds, "{:.1f} s", "not measured in this run"),
        "- template test suite: "
        + _number(figures.suite_seconds, "{:.0f} s", "not measured in this run"),
    ]
    if figures.heaviest_imports:
        costs = ", ".join(f"{name} {ms:.0f} ms" for name, ms in figures.heaviest_imports)
        lines.append(f"- costliest imports of the asset's ingest handler: {costs}")
    return lines


def _spread(spread: Spread) -> str:
    cpu = "" if spread.cpu_median_ms is None else f" (CPU {spread.cpu_median_ms:.1f})"
    return f"{spread.median_ms:.1f} / {spread.max_ms:.1f} ms{cpu}"


def _times(value: float | None) -> str:
    if value is None:
        return "-"
    return "<0.01x" if value < 0.01 else f"{value:.2f}x"


def _number(value: float | None, form: str, missing: str = "-") -> str:
    return missing if value is None else form.format(value)
