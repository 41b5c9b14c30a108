"""`dlq list | get | replay | delete`: QStash's dead-letter queue, and the replay check."""

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from ..config import Settings
from ..errors import ConfigurationError
from ..qstash.dlq import DeadLetter, DeadLetterQueue
from ..qstash.rest import QStashApi
from ..replay import ReplayGuard, ReplayRefusedError
from .output import PROG, Output


def run_dlq_list(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq list`: one page, or every page with `--all`."""
    with QStashApi.from_settings(settings) as api:
        dlq = DeadLetterQueue(api)
        # Newest first, across pages too: the first page holds the latest failures.
        if args.all:
            messages, cursor = list(dlq.iterate(order="latestFirst")), None
        else:
            page = dlq.list(cursor=args.cursor, count=args.count, order="latestFirst")
            messages, cursor = page.messages, page.cursor
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
    """`dlq replay`: check that the job never ran, then `POST /v2/dlq/retry/{dlqId}`.

    The check reads the dead letter's original message id from QStash and looks it up in
    the receiver's hand-off marks and the worker's idempotency records (`ReplayGuard`).
    `--force` skips it.
    """
    guard = None if args.force else _replay_guard(settings)
    with QStashApi.from_settings(settings) as api:
        dlq = DeadLetterQueue(api)
        note = "not checked for an earlier run: --force"
        if guard is not None:
            message_id = dlq.get(args.dlq_id).message_id
            try:
                guard.check(message_id)
            except ReplayRefusedError as refusal:
                raise ReplayRefusedError(
                    f"not replaying {args.dlq_id}: {refusal.message}. If it must run "
                    f"again: {PROG} dlq replay {args.dlq_id} --force",
                    dlq_id=args.dlq_id,
                    override="--force",
                    **refusal.details,
                ) from None
            note = f"checked first: message {message_id} never reached the worker"
        result = dlq.replay(args.dlq_id, retries=args.retries)
    document = result.to_json() | {"checked": guard is not None}
    return Output(document, f"replayed {result.dlq_id} as {result.message_id} ({note})")


def run_dlq_delete(args: argparse.Namespace, settings: Settings) -> Output:
    """`dlq delete`: remove the dead letter."""
    with QStashApi.from_settings(settings) as api:
        DeadLetterQueue(api).delete(args.dlq_id)
    return Output({"dlqId": args.dlq_id, "deleted": True}, f"deleted {args.dlq_id}")


{% if cookiecutter.cloud == "aws-lambda" -%}
def _replay_guard(settings: Settings) -> ReplayGuard:
    """The replay check on this deployment's tables: DynamoDB, through boto3 (AWS).

    Raises:
        ConfigurationError: A table name is not set, or no DynamoDB client can be made.
    """
    app_table, idempotency_table = settings.app_table_name, settings.idempotency_table_name
    if not app_table or not idempotency_table:
        missing = [
            name
            for name, value in (
                ("APP_TABLE_NAME", app_table),
                ("IDEMPOTENCY_TABLE_NAME", idempotency_table),
            )
            if not value
        ]
        raise ConfigurationError(
            f"{' and '.join(missing)} not set: dlq replay first checks, in the stack's "
            "tables, that the dead letter's job never ran; set them, or pass --force to "
            "replay without the check",
            missing=missing,
        )
    # Imported here: only this command needs boto3 and Powertools.
    from botocore.exceptions import BotoCoreError

    from ..aws.clients import dynamodb_client
    from ..aws.worker import idempotency_config
    from ..store.dynamodb import DynamoDBDeliveryStore
    from ..store.idempotency import DynamoDBJobRuns

    try:
        client = dynamodb_client()
    except BotoCoreError as error:  # e.g. no AWS region configured
        raise ConfigurationError(f"cannot reach DynamoDB to check the replay: {error}") from None
    expiry = settings.idempotency_expiry_seconds
    return ReplayGuard(
        DynamoDBDeliveryStore(client, app_table, handoff_mark_ttl_seconds=expiry),
        DynamoDBJobRuns(client, idempotency_table, idempotency_config(settings)),
    )


{% else -%}
def _replay_guard(settings: Settings) -> ReplayGuard:
    """The replay check on this deployment's Firestore records (Google Cloud).

    Raises:
        ConfigurationError: No Firestore client can be made (no credentials or project).
    """
    # Imported here: only this command needs google-cloud-firestore.
    from google.auth.exceptions import GoogleAuthError

    from ..gcp.wiring import replay_guard

    try:
        return replay_guard(settings)
    except GoogleAuthError as error:  # e.g. no application-default credentials
        raise ConfigurationError(
            f"cannot reach Firestore to check the replay: {error}; set GOOGLE_CLOUD_PROJECT "
            "and run `gcloud auth application-default login`, or pass --force to replay "
            "without the check"
        ) from None


{% endif -%}
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
