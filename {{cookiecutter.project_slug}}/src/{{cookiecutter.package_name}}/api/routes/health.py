"""Liveness: answers without touching secrets, queues or tables."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.api_route("/health", methods=["GET", "HEAD"])
def health() -> dict[str, str]:
    """Return `{"status": "ok"}`."""
    return {"status": "ok"}
