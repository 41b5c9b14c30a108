"""The HTTP layer (FastAPI): routes are glue, the logic lives in `ingest` and `outcomes`."""

from .main import create_app

__all__ = ["create_app"]
