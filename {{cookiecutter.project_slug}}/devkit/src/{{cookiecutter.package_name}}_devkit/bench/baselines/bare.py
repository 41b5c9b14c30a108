"""Baseline `bare`: a handler that answers 202 and does nothing else (the floor)."""


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    """Answer 202 to any event."""
    return {"statusCode": 202, "body": ""}
