"""Liveness: answers without touching secrets, queues or tables."""

from fastapi import APIRouter

router = APIRouter(tags=["health"])


# response_model=None: the answer is a plain dict. A response model built from the return
# type would cost every cold start a pydantic validator per route (README "Cold start").
@router.api_route("/health", methods=["GET", "HEAD"], response_model=None)
def health() -> dict[str, str]:
    """Return `{"status": "ok"}`."""
    return {"status": "ok"}
