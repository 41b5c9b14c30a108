"""Build the application and its services from settings, on Google Cloud Functions.

Secrets (`QSTASH_TOKEN`, `QSTASH_CURRENT_SIGNING_KEY`, `QSTASH_NEXT_SIGNING_KEY`) reach the
function as environment variables, mapped from Secret Manager by `gcloud functions deploy
--set-secrets`; nothing here reads Secret Manager itself.
"""

import logging

from fastapi import FastAPI

from ..api import create_app
from ..api.routes.worker import worker_router
from ..config import Settings
from ..errors import ConfigurationError, HandoffError
from ..handoff import Handoff, JobEnvelope
from ..handoff.qstash import QStashHandoff
from ..jobs import registry
from ..public_url import StaticPublicBaseUrl
from ..qstash import SigningKeys
from ..qstash.keys import SigningKeySource, StaticSigningKeySource
from ..replay import ReplayGuard
from ..services import Services
from ..store.firestore import FirestoreDeliveryStore, FirestoreJobRuns
from .firestore import firestore_client

logger = logging.getLogger(__name__)


def signing_key_source(settings: Settings) -> SigningKeySource:
    """Return the keys from `QSTASH_CURRENT_SIGNING_KEY` and `QSTASH_NEXT_SIGNING_KEY`.

    Without them a source with no keys is returned: every verified route then fails closed
    (503).
    """
    current, upcoming = settings.qstash_current_signing_key, settings.qstash_next_signing_key
    if current is None or upcoming is None:
        return StaticSigningKeySource(None)
    return StaticSigningKeySource(
        SigningKeys(current=current.get_secret_value(), next=upcoming.get_secret_value())
    )


def delivery_store(settings: Settings) -> FirestoreDeliveryStore:
    """Return the Firestore delivery store the settings name (one client per container)."""
    return FirestoreDeliveryStore(
        firestore_client(settings.google_cloud_project, settings.firestore_database),
        handoff_mark_ttl_seconds=settings.idempotency_expiry_seconds,
        collection_prefix=settings.firestore_collection_prefix,
        timeout_seconds=settings.firestore_timeout_seconds,
    )


def job_runs(settings: Settings) -> FirestoreJobRuns:
    """Return the worker's Firestore idempotency records the settings name."""
    return FirestoreJobRuns(
        firestore_client(settings.google_cloud_project, settings.firestore_database),
        expiry_seconds=settings.idempotency_expiry_seconds,
        collection_prefix=settings.firestore_collection_prefix,
        timeout_seconds=settings.firestore_timeout_seconds,
    )


class _NoPublicUrlHandoff:
    """Development without `PUBLIC_BASE_URL`: nothing can be addressed to the worker route."""

    def send(self, envelope: JobEnvelope) -> None:
        raise HandoffError("PUBLIC_BASE_URL is not set: the worker route has no address")


def gcp_services(settings: Settings) -> Services:
    """Wire the signing keys, the public base URL, Firestore and the QStash hand-off.

    Nothing is read from Google Cloud or QStash here.

    Raises:
        ConfigurationError: `PUBLIC_BASE_URL` is not set outside development (the expected
            `sub` of every token and the worker's address are built from it), or
            `QSTASH_TOKEN` is not set (the hand-off publishes through QStash).
        UnsafeDestinationError: `PUBLIC_BASE_URL` is local while QStash is not.
    """
    base_url = settings.public_base_url
    handoff: Handoff
    if base_url is not None:
        handoff = QStashHandoff.from_settings(settings, base_url)
    elif settings.environment == "development":
        logger.warning("PUBLIC_BASE_URL is not set: every QStash route answers 503")
        handoff = _NoPublicUrlHandoff()
    else:
        raise ConfigurationError(
            "PUBLIC_BASE_URL must be set to the function's URL, e.g. "
            "https://<region>-<project>.cloudfunctions.net/<function>: QStash signs "
            "that URL, and the function sees only the path after the function's name"
        )
    return Services(
        settings=settings,
        signing_keys=signing_key_source(settings),
        public_base_url=StaticPublicBaseUrl(base_url),
        registry=registry,
        handoff=handoff,
        store=delivery_store(settings),
    )


def create_gcp_app(settings: Settings) -> FastAPI:
    """Return the application with the worker route, which only Cloud Functions serves.

    Raises:
        ConfigurationError, UnsafeDestinationError: See `gcp_services`.
    """
    worker = worker_router(job_runs(settings), lease_seconds=settings.worker_lease_seconds)
    return create_app(gcp_services(settings), extra_routers=[worker])


def replay_guard(settings: Settings) -> ReplayGuard:
    """The `dlq replay` check on this deployment's Firestore records.

    Needs Google credentials that can read the database (e.g. `gcloud auth
    application-default login`) and `GOOGLE_CLOUD_PROJECT`.
    """
    return ReplayGuard(delivery_store(settings), job_runs(settings))
