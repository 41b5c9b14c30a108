"""The chaos scenario's verdict and report (the scenario itself runs in tests/e2e)."""

import dataclasses

import pytest

from {{ cookiecutter.package_name }}_devkit.chaos import ChaosReport, ChaosSettings

REPORT = ChaosReport(
    settings=ChaosSettings(count=10),
    published=10,
    done_once=9,
    dead_lettered=1,
    lost=0,
    doubled=0,
    qstash_dead_letters=1,
    stored_dead_letters=1,
    sqs_dead_letters=0,
    done_and_dead_lettered=0,
    injected={"hand-off failures": 2},
    seconds=1.5,
)


def test_report_is_ok_when_nothing_is_lost_or_doubled() -> None:
    assert REPORT.ok


@pytest.mark.parametrize("change", [{"lost": 1, "done_once": 8}, {"doubled": 1, "done_once": 8}])
def test_report_is_not_ok_when_a_message_is_lost_or_doubled(change: dict[str, int]) -> None:
    assert not dataclasses.replace(REPORT, **change).ok


def test_report_prints_every_count() -> None:
    text = "\n".join(REPORT.lines())
    for label in ("published", "done once", "dead-lettered", "lost", "doubled", "took 1.5 s"):
        assert label in text
