"""Run the command line in process, the way the CLI tests read its answers."""

import pytest

from {{ cookiecutter.package_name }}.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI with `argv`; return (exit status, stdout, stderr).

    An argparse usage error (`SystemExit`) counts as its exit status.
    """
    try:
        status = main(list(argv))
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err
