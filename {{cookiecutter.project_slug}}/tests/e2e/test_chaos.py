"""No message lost: 1,000 messages through the whole local system while things break.

Hand-off failures (10%), worker exceptions (10%), duplicate deliveries (20%) and answers lost
after the work was done (10%), all seeded. Every message must end done exactly once or in a
dead-letter store. `make soak` runs the same scenario with 10,000 messages.
"""

from {{ cookiecutter.package_name }}_devkit.chaos import ChaosSettings, run_chaos


def test_every_message_is_done_once_or_dead_lettered_under_faults() -> None:
    report = run_chaos(ChaosSettings(count=1000))  # the default timeout only guards a hang
    print("\n" + "\n".join(report.lines()))

    assert report.lost == 0
    assert report.doubled == 0
    assert report.published == report.done_once + report.dead_lettered == 1000
    assert all(count > 0 for count in report.injected.values()), report.injected
