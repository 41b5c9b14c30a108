"""The services a request needs, built once per container by a platform module."""

from dataclasses import dataclass

from .config import Settings
from .handoff import Handoff
from .jobs import JobRegistry
from .public_url import PublicBaseUrlSource
from .qstash.keys import SigningKeySource
from .store import DeliveryStore


@dataclass(frozen=True)
class Services:
    """Everything the routes depend on; tests build one from in-memory parts.

    Attributes:
        settings: The application settings.
        signing_keys: Where the QStash signing keys come from.
        public_base_url: Where the URL QStash calls this app at comes from; each token's
            `sub` is checked against it.
        registry: The job registry.
        handoff: Where accepted jobs go.
        store: Hand-off marks, delivery outcomes, dead letters.
    """

    settings: Settings
    signing_keys: SigningKeySource
    public_base_url: PublicBaseUrlSource
    registry: JobRegistry
    handoff: Handoff
    store: DeliveryStore
