"""Where signing keys come from. Platform sources live with their platform (`aws/`)."""

from typing import Protocol

from ..errors import SigningKeysUnavailableError
from .signature import SigningKeys


class SigningKeySource(Protocol):
    """Supplies the current and next signing keys, cached as the source sees fit."""

    def get(self) -> SigningKeys:
        """Return the keys.

        Raises:
            SigningKeysUnavailableError: No keys are configured or they cannot be loaded.
        """
        ...


class StaticSigningKeySource:
    """Keys given once, e.g. from environment variables in local development.

    Args:
        keys: The keys, or None when none are configured (every `get` then fails closed).
    """

    def __init__(self, keys: SigningKeys | None) -> None:
        self._keys = keys

    def get(self) -> SigningKeys:
        """Return the keys.

        Raises:
            SigningKeysUnavailableError: No keys were configured.
        """
        if self._keys is None:
            raise SigningKeysUnavailableError(
                "no signing keys configured: set QSTASH_SIGNING_KEYS_SECRET_ARN, or "
                "QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY"
            )
        return self._keys
