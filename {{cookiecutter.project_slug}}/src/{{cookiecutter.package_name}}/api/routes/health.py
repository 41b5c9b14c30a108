"""Liveness: answers without touching secrets, queues or tables."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Return `{"status": "ok"}`."""
    return {"status": "ok"}
