"""What the commands print: their output as text or JSON, and errors as one line."""

import json
from dataclasses import dataclass
from typing import Any, TextIO

from pydantic import ValidationError

from ..errors import AppError

PROG = "{{ cookiecutter.project_slug }}"


@dataclass(frozen=True)
class Output:
    """What a command prints: `document` with `--output json`, else `text` for people.

    `status` is the exit status (1 when `doctor` found something).
    """

    document: Any
    text: str
    status: int = 0


def emit(output: Output, *, as_json: bool, out: TextIO) -> None:
    """Print a command's output as JSON or as text."""
    if as_json:
        out.write(json.dumps(output.document, ensure_ascii=False) + "\n")
    elif output.text:
        out.write(output.text + "\n")


def report_error(error: Exception, *, as_json: bool, out: TextIO) -> None:
    """Print an error as one line: `error: ...`, or a JSON object with its details."""
    if as_json:
        details = error.details if isinstance(error, AppError) else {}
        document = {"error": describe_error(error), "details": details}
        out.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")
    else:
        out.write(f"error: {describe_error(error)}\n")


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
