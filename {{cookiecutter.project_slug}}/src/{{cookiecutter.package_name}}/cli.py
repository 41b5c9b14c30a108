"""The command line: publish a job, look after QStash's dead-letter queue.

    {{ cookiecutter.project_slug }} publish send-welcome-email --json '{...}' --delay 10s
    {{ cookiecutter.project_slug }} publish send-welcome-email --json - < payload.json
    {{ cookiecutter.project_slug }} dlq list
    {{ cookiecutter.project_slug }} dlq replay 1725323658779-0
    {{ cookiecutter.project_slug }} dlq delete 1725323658779-0

Settings come from the environment (`QSTASH_TOKEN`, `QSTASH_URL`, `PUBLIC_BASE_URL`, ...).
Output is for people; `--output json` (or `--json` on the `dlq` commands) prints one JSON
document instead. Errors are one line on stderr, exit status 1; usage errors exit 2.
"""

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from pydantic import ValidationError

from .config import Settings
from .errors import AppError
from .jobs import registry
from .qstash.client import Publisher
from .qstash.dlq import DeadLetter, DeadLetterQueue
from .qstash.options import MAX_RETRIES, delay_header, retries_header
from .qstash.rest import QStashApi

PROG = "{{ cookiecutter.project_slug }}"
EXIT_ERROR = 1


@dataclass(frozen=True)
class Output:
    """What a command prints: `document` with `--output json`, else `text` for people."""

    document: Any
    text: str


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: The arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 done, 1 failed (one line on stderr), 2 usage error.
    """
    args = build_parser().parse_args(argv)
    try:
        output: Output = args.command(args, Settings())
    except (AppError, ValidationError, ValueError) as error:
        print(f"error: {describe_error(error)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    emit(output, as_json=args.output == "json", out=sys.stdout)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Publish jobs through QStash and manage its dead-letter queue."
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
        "--delay", type=_delay, help="deliver after this long: seconds, or 10s, 5m, 2h, 1d10h30m"
    )
    publish.add_argument(
        "--not-before", type=_unix_time, metavar="UNIX", help="deliver no sooner than this"
    )
    publish.add_argument(
        "--dedup-id", help="deduplication id: QStash drops a second message with the same id"
    )
    publish.add_argument(
        "--retries",
        type=_retries,
        help=f"delivery retries after the first, 0 to {MAX_RETRIES} (QStash's default: 3)",
    )
    _add_output(publish, json_flag=False)
    publish.set_defaults(command=run_publish)

    jobs = commands.add_parser("jobs", help="list the jobs this app can receive")
    _add_output(jobs, json_flag=True)
    jobs.set_defaults(command=run_jobs)

    dlq = commands.add_parser("dlq", help="QStash's dead-letter queue")
    dlq_commands = dlq.add_subparsers(required=True, metavar="ACTION")
    listing = dlq_commands.add_parser(
        "list", help="list dead letters, newest first (within the page; --all: overall)"
    )
    listing.add_argument("--cursor", help="the cursor a previous page printed")
    listing.add_argument("--count", type=_page_size, help="page size, 1 to 100")
    listing.add_argument("--all", action="store_true", help="follow the cursor to the end")
    _add_output(listing, json_flag=True)
    listing.set_defaults(command=run_dlq_list)
    for name, help_text, command in (
        ("get", "show one dead letter", run_dlq_get),
        ("replay", "publish a dead letter again (it leaves the DLQ)", run_dlq_replay),
        ("delete", "delete a dead letter", run_dlq_delete),
    ):
        action = dlq_commands.add_parser(name, help=help_text)
        action.add_argument("dlq_id", metavar="DLQ_ID", help="the dead letter's dlqId")
        if name == "replay":
            action.add_argument(
                "--retries",
                type=_retries,
                help=f"override the original message's retries, 0 to {MAX_RETRIES}",
            )
        _add_output(action, json_flag=True)
        action.set_defaults(command=command)
    return parser


def run_publish(args: argparse.Namespace, settings: Settings) -> Output:
    """`publish`: validate the payload with the job's model, then publish it."""
    payload = sys.stdin.read() if args.payload == "-" else args.payload
    with Publisher.from_settings(settings) as publisher:
        result = publisher.publish(
            args.job,
            payload.encode(),
            delay=args.delay,
            not_before=args.not_before,
            deduplication_id=args.dedup_id,
            retries=args.retries,
        )
    note = " (deduplicated: QStash already had this id)" if result.deduplicated else ""
    return Output(result.to_json(), f"published {result.job} as {result.message_id}{note}")


def run_jobs(args: argparse.Namespace, settings: Settings) -> Output:
    """`jobs`: the registered jobs."""
    jobs = [{"name": job.name, "description": job.description} for job in registry]
    width = max((len(job["name"]) for job in jobs), default=0)
    text = "\n".join(f"{job['name']:<{width}}  {job['description']}" for job in jobs)
    return Output({"jobs": jobs}, text or "no jobs are registered")


def run_dlq_list(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq list`: one page, or every page with `--all`."""
    with QStashApi.from_settings(settings) as api:
        dlq = DeadLetterQueue(api)
        if args.all:
            messages, cursor = list(dlq.iterate()), None
        else:
            page = dlq.list(cursor=args.cursor, count=args.count)
            messages, cursor = page.messages, page.cursor
    # QStash documents no order for `GET /v2/dlq`: sort, so the help text holds.
    messages = sorted(messages, key=lambda m: (m.created_at or 0, m.dlq_id), reverse=True)
    document = {"messages": [_dump(message) for message in messages], "cursor": cursor}
    lines = [_summary(message) for message in messages] or ["the dead-letter queue is empty"]
    if cursor:
        lines.append(f"more: {PROG} dlq list --cursor {cursor}")
    return Output(document, "\n".join(lines))


def run_dlq_get(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq get`: one dead letter in full."""
    with QStashApi.from_settings(settings) as api:
        message = DeadLetterQueue(api).get(args.dlq_id)
    document = _dump(message)
    return Output(document, json.dumps(document, indent=2, ensure_ascii=False))


def run_dlq_replay(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq replay`: publish the dead letter again (`POST /v2/dlq/retry/{dlqId}`)."""
    with QStashApi.from_settings(settings) as api:
        result = DeadLetterQueue(api).replay(args.dlq_id, retries=args.retries)
    return Output(result.to_json(), f"replayed {result.dlq_id} as {result.message_id}")


def run_dlq_delete(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq delete`: remove the dead letter."""
    with QStashApi.from_settings(settings) as api:
        DeadLetterQueue(api).delete(args.dlq_id)
    return Output({"dlqId": args.dlq_id, "deleted": True}, f"deleted {args.dlq_id}")


def emit(output: Output, *, as_json: bool, out: TextIO) -> None:
    """Print a command's output as JSON or as text."""
    if as_json:
        out.write(json.dumps(output.document, ensure_ascii=False) + "\n")
    elif output.text:
        out.write(output.text + "\n")


def describe_error(error: Exception) -> str:
    """Say what went wrong in one line, with the field errors of an invalid payload."""
    if isinstance(error, ValidationError):  # the settings
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']).upper() or 'settings'}: {item['msg']}"
            for item in error.errors(include_url=False, include_input=False)
        )
        return f"invalid settings: {problems}"
    message = error.message if isinstance(error, AppError) else str(error)
    details = error.details if isinstance(error, AppError) else {}
    field_errors = details.get("errors")
    if isinstance(field_errors, list) and field_errors:
        message += ": " + "; ".join(
            f"{'.'.join(str(part) for part in item.get('loc', ())) or 'payload'}: {item.get('msg')}"
            for item in field_errors
            if isinstance(item, dict)
        )
    return " ".join(message.split())


def _dump(message: DeadLetter) -> dict[str, Any]:
    return message.model_dump(by_alias=True, exclude_none=True)


def _summary(message: DeadLetter) -> str:
    created = (
        datetime.fromtimestamp(message.created_at / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
        if message.created_at
        else "-"
    )
    status = message.response_status if message.response_status is not None else "-"
    return f"{message.dlq_id}  {status}  {created}  {message.url}"


def _add_output(parser: argparse.ArgumentParser, *, json_flag: bool) -> None:
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="text (default) or json"
    )
    if json_flag:
        parser.add_argument(
            "--json", dest="output", action="store_const", const="json", help="--output json"
        )


def _argument_type[T](parse: Callable[[str], T]) -> Callable[[str], T]:
    def convert(value: str) -> T:
        try:
            return parse(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    convert.__name__ = parse.__name__.lstrip("_")
    return convert


def _parse_delay(value: str) -> int | str:
    delay: int | str = int(value) if _is_whole_number(value) else value
    delay_header(delay)  # raises ValueError with the accepted forms
    return delay


def _parse_unix_time(value: str) -> int:
    if not _is_whole_number(value):
        raise ValueError(
            f"{value!r} is not unix seconds, e.g. {int(datetime.now(UTC).timestamp())}"
        )
    return int(value)


def _parse_retries(value: str) -> int:
    if not _is_whole_number(value):
        raise ValueError(f"{value!r} is not a whole number from 0 to {MAX_RETRIES}")
    retries_header(int(value))  # raises ValueError naming the bound
    return int(value)


def _parse_page_size(value: str) -> int:
    if not _is_whole_number(value) or not 1 <= int(value) <= 100:
        raise ValueError(f"{value!r} is not a page size between 1 and 100")
    return int(value)


def _is_whole_number(value: str) -> bool:
    # isascii: "²".isdigit() is True, and int("²") fails.
    return value.isascii() and value.isdigit()


_delay = _argument_type(_parse_delay)
_unix_time = _argument_type(_parse_unix_time)
_retries = _argument_type(_parse_retries)
_page_size = _argument_type(_parse_page_size)


if __name__ == "__main__":
    sys.exit(main())
