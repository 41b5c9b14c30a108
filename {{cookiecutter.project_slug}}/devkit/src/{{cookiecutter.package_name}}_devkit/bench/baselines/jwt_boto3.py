"""Baseline `jwt_boto3`: pyjwt + boto3 and no framework, reading the Function URL event."""

import base64
import hashlib
import json
import os
from typing import Any

import boto3
import jwt

KEYS = (os.environ["QSTASH_CURRENT_SIGNING_KEY"], os.environ["QSTASH_NEXT_SIGNING_KEY"])
BASE_URL = os.environ["PUBLIC_BASE_URL"]
QUEUE_URL = os.environ["JOBS_QUEUE_URL"]
sqs = boto3.client("sqs")


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Verify the delivery, send the job to SQS, answer 202 (401 when unsigned)."""
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    headers = event.get("headers", {})
    path = event["rawPath"]
    if not verified(headers.get("upstash-signature", ""), body, BASE_URL + path):
        return {"statusCode": 401, "body": '{"error": "invalid signature"}'}
    job = {"job": path.rpartition("/")[2], "payload": json.loads(body or b"null")}
    job["message_id"] = headers.get("upstash-message-id")
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(job))
    return {"statusCode": 202, "body": '{"status": "accepted"}'}


def verified(token: str, body: bytes, url: str) -> bool:
    """Whether `token` is a QStash token for this body and URL, signed with either key."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode().rstrip("=")
    for key in KEYS:
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=["HS256"],
                issuer="Upstash",
                options={"require": ["iss", "sub", "exp", "nbf", "body"]},
            )
        except jwt.InvalidTokenError:
            continue
        return bool(claims["sub"] == url and claims["body"].rstrip("=") == digest)
    return False
