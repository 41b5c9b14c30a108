"""`make soak`: arguments, printed counts, exit status (the scenario itself is faked here)."""

import dataclasses

import pytest

from {{ cookiecutter.package_name }}_devkit import soak
from {{ cookiecutter.package_name }}_devkit.chaos import ChaosSettings

from .test_chaos import REPORT


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> list[ChaosSettings]:
    """Replace the scenario with one that returns REPORT; record the settings it got."""
    calls: list[ChaosSettings] = []

    def fake(settings: ChaosSettings) -> object:
        calls.append(settings)
        return dataclasses.replace(REPORT, settings=settings)

    monkeypatch.setattr(soak, "run_chaos", fake)
    return calls


def test_count_and_seed_reach_the_scenario(ran: list[ChaosSettings]) -> None:
    assert soak.main(["--count", "25", "--seed", "9"]) == 0
    assert (ran[0].count, ran[0].seed) == (25, 9)


def test_counts_are_printed(ran: list[ChaosSettings], capsys: pytest.CaptureFixture[str]) -> None:
    soak.main(["--count", "10"])
    out = capsys.readouterr().out
    assert "published      10" in out
    assert "lost           0" in out


def test_a_lost_message_fails_the_soak(
    ran: list[ChaosSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        soak, "run_chaos", lambda settings: dataclasses.replace(REPORT, lost=1, done_once=8)
    )
    assert soak.main(["--count", "10"]) == 1


def test_count_below_one_is_a_usage_error(ran: list[ChaosSettings]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        soak.main(["--count", "0"])
    assert exit_info.value.code == 2
