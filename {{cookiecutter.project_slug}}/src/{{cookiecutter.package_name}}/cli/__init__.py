"""The command line: publish, reconcile schedules, look after the dead-letter queue, run doctor.

    {{ cookiecutter.project_slug }} publish send-welcome-email --json '{...}' --delay 10s
    {{ cookiecutter.project_slug }} publish send-welcome-email --json - < payload.json
    {{ cookiecutter.project_slug }} schedules plan
    {{ cookiecutter.project_slug }} schedules apply
    {{ cookiecutter.project_slug }} dlq list
    {{ cookiecutter.project_slug }} dlq replay 1725323658779-0
    {{ cookiecutter.project_slug }} dlq delete 1725323658779-0
    {{ cookiecutter.project_slug }} doctor

Settings come from the environment (`QSTASH_TOKEN`, `QSTASH_URL`, `PUBLIC_BASE_URL`, ...;
{%- if cookiecutter.cloud == "aws-lambda" %}
`dlq replay` also reads `APP_TABLE_NAME` and `IDEMPOTENCY_TABLE_NAME`, and AWS credentials).
{%- else %}
`dlq replay` also reads Firestore: `GOOGLE_CLOUD_PROJECT`, `FIRESTORE_DATABASE`, and Google
application-default credentials).
{%- endif %}
Output is for people; `--output json` (or `--json` on the `dlq` commands) prints one JSON
document instead. Errors are one line on stderr, exit status 1 (with `--output json`, that
line is a JSON object: `{"error": ..., "details": {...}}`); usage errors exit 2.
"""

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from ..config import Settings
from ..errors import AppError
from ..qstash.options import MAX_RETRIES
from .arguments import delay, page_size, retries, unix_time
from .dlq import run_dlq_delete, run_dlq_get, run_dlq_list, run_dlq_replay
from .doctor import add_arguments as add_doctor_arguments
from .doctor import run_doctor
from .output import PROG, Output, emit, report_error
from .publish import run_jobs, run_publish
from .schedules import run_schedules_apply, run_schedules_plan

__all__ = ["build_parser", "main"]

EXIT_ERROR = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 done, 1 failed (one line on stderr) or `doctor` found something,
        2 usage error.
    """
    args = build_parser().parse_args(argv)
    as_json = args.output == "json"
    try:
        # doctor reads the settings itself: a setting the app would refuse is a finding.
        output: Output = (
            args.command(args) if args.command is run_doctor else args.command(args, Settings())
        )
    except (AppError, ValidationError, ValueError) as error:
        report_error(error, as_json=as_json, out=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    emit(output, as_json=as_json, out=sys.stdout)
    return output.status


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Publish jobs through QStash, reconcile its schedules and URL groups, "
        "and manage its dead-letter queue.",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    publish = commands.add_parser(
        "publish", help="validate a payload and publish it to a job's route"
    )
    publish.add_argument("job", help="job name, e.g. send-welcome-email (see the jobs command)")
    publish.add_argument(
        "--json",
        dest="payload",
        required=True,
        metavar="PAYLOAD",
        help="the payload as a JSON object, or - to read it from stdin",
    )
    publish.add_argument(
        "--delay", type=delay, help="deliver after this long: seconds, or 10s, 5m, 2h, 1d10h30m"
    )
    publish.add_argument(
        "--not-before", type=unix_time, metavar="UNIX", help="deliver no sooner than this"
    )
    publish.add_argument(
        "--dedup-id", help="deduplication id: QStash drops a second message with the same id"
    )
    publish.add_argument(
        "--retries",
        type=retries,
        help=f"delivery retries after the first, 0 to {MAX_RETRIES} (QStash's default: 3)",
    )
    _add_output(publish, json_flag=False)
    publish.set_defaults(command=run_publish)

    jobs = commands.add_parser("jobs", help="list the jobs this app can receive")
    _add_output(jobs, json_flag=True)
    jobs.set_defaults(command=run_jobs)

    schedules = commands.add_parser(
        "schedules", help="the QStash schedules and URL groups the jobs declare"
    )
    schedule_commands = schedules.add_subparsers(required=True, metavar="ACTION")
    for name, help_text, command in (
        ("plan", "show what apply would change (changes nothing)", run_schedules_plan),
        ("apply", "make QStash hold what the jobs declare", run_schedules_apply),
    ):
        action = schedule_commands.add_parser(name, help=help_text)
        action.add_argument(
            "--owner",
            default=PROG,
            help=f"whose schedules these are: ids start with '<owner>.' (default: {PROG}, "
            "{% if cookiecutter.cloud == "aws-lambda" %}the stack's name{% else %}the owner `make deploy` applies as{% endif %})",
        )
        _add_output(action, json_flag=True)
        action.set_defaults(command=command)

    dlq = commands.add_parser("dlq", help="QStash's dead-letter queue")
    dlq_commands = dlq.add_subparsers(required=True, metavar="ACTION")
    listing = dlq_commands.add_parser(
        "list", help="list dead letters, newest first (the first page holds the latest)"
    )
    listing.add_argument("--cursor", help="the cursor a previous page printed")
    listing.add_argument("--count", type=page_size, help="page size, 1 to 100")
    listing.add_argument("--all", action="store_true", help="follow the cursor to the end")
    _add_output(listing, json_flag=True)
    listing.set_defaults(command=run_dlq_list)
    for name, help_text, command in (
        ("get", "show one dead letter", run_dlq_get),
        (
            "replay",
            "publish a dead letter again (it leaves the DLQ), unless its job already ran",
            run_dlq_replay,
        ),
        ("delete", "delete a dead letter", run_dlq_delete),
    ):
        action = dlq_commands.add_parser(name, help=help_text)
        action.add_argument("dlq_id", metavar="DLQ_ID", help="the dead letter's dlqId")
        if name == "replay":
            action.add_argument(
                "--retries",
                type=retries,
                help=f"override the original message's retries, 0 to {MAX_RETRIES}",
            )
            action.add_argument(
                "--force",
                action="store_true",
                help="replay without checking APP_TABLE_NAME and IDEMPOTENCY_TABLE_NAME "
                "for a job that already ran",
            )
        _add_output(action, json_flag=True)
        action.set_defaults(command=command)

    doctor = commands.add_parser(
        "doctor", help="check the project for known QStash mistakes (offline; exit 1 on any)"
    )
    add_doctor_arguments(doctor)
    _add_output(doctor, json_flag=True)
    doctor.set_defaults(command=run_doctor)
    return parser


def _add_output(parser: argparse.ArgumentParser, *, json_flag: bool) -> None:
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="text (default) or json"
    )
    if json_flag:
        parser.add_argument(
            "--json", dest="output", action="store_const", const="json", help="--output json"
        )
