"""Build real AWS Lambda event shapes (from tests/fixtures/events) around a request."""

import base64
import copy
import json
from pathlib import Path
from typing import Any

EVENTS = Path(__file__).parent / "fixtures" / "events"
FUNCTION_URL_HOST = "abc123xyz.lambda-url.us-east-1.on.aws"
API_GATEWAY_HOST = "abc123.execute-api.us-east-1.amazonaws.com"


def load_event(name: str) -> dict[str, Any]:
    """Return a fresh copy of a fixture event."""
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return copy.deepcopy(event)


def function_url_event(
    path: str,
    body: bytes,
    headers: dict[str, str],
    *,
    base64_body: bool = False,
    query: str = "",
) -> dict[str, Any]:
    """A Lambda Function URL (payload format 2.0) POST event; header names are lower-cased."""
    event = load_event("function_url_v2.json")
    event["rawPath"] = path
    event["rawQueryString"] = query
    event["requestContext"]["http"]["path"] = path
    event["headers"].update({name.lower(): value for name, value in headers.items()})
    event["isBase64Encoded"] = base64_body
    event["body"] = base64.b64encode(body).decode() if base64_body else body.decode("utf-8")
    return event


def api_gateway_v1_event(
    path: str, body: bytes, headers: dict[str, str], *, stage: str = "prod"
) -> dict[str, Any]:
    """An API Gateway REST (payload format 1.0) POST event with a stage; header case kept."""
    event = load_event("api_gateway_v1.json")
    event["path"] = path
    event["requestContext"]["path"] = f"/{stage}{path}"
    event["requestContext"]["stage"] = stage
    event["headers"].update(headers)
    event["multiValueHeaders"].update({name: [value] for name, value in headers.items()})
    event["body"] = body.decode("utf-8")
    return event
