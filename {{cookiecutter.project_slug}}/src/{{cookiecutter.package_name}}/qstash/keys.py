"""Where signing keys come from, and the one rule every source's keys must pass.

Platform sources live with their platform (`aws/`).
"""

from typing import Protocol

from ..errors import SigningKeysUnavailableError
from .signature import SigningKeys

#: Signing keys anyone can read: the fixed keys of the official QStash dev server's four
#: built-in users (https://upstash.com/docs/qstash/howto/local-development), and the pair
#: the Upstash Workflow docs print as that server's output
#: (https://upstash.com/docs/workflow/howto/local-development). Whoever holds them can sign
#: deliveries, so they are for a laptop only.
PUBLIC_SIGNING_KEYS = frozenset(
    {
        "sig_7RvLjqfZBvP5KEUimQCE1pvpLuou",
        "sig_7W3ZNbfKWk5NWwEs3U4ixuQ7fxwE",
        "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
        "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
        "sig_7GVPjvuwsfqF65iC8fSrs1dfYruM",
        "sig_5NoELc3EFnZn4DVS5bDs2Nk4b7Ua",
        "sig_6jWGaWRxHsw4vMSPJprXadyvrybF",
        "sig_7qHbvhmahe5GwfePDiS5Lg3pi6Qx",
        "sig_5T8FcSsynBjn9mMLBsXhpacRovJf",
        "sig_7GFR4YaDshFcqsxWRZpRB161jguD",
    }
)
#: Text that marks a value nobody replaced (compared in lower case).
PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "<", "your-")


def is_placeholder(value: str) -> bool:
    """Whether `value` looks like a template value nobody replaced, e.g. `<your key>`."""
    lowered = value.lower()
    return any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def is_public_signing_key(key: str) -> bool:
    """Whether `key` is a dev-server key or a placeholder: known to anyone, so no secret."""
    return key in PUBLIC_SIGNING_KEYS or is_placeholder(key)


def refuse_public_signing_keys(keys: SigningKeys, *, source: str) -> None:
    """Fail closed when a key is public, wherever the keys came from.

    Settings refuse such keys from environment variables at start-up; this is the same
    rule applied to the keys a source actually returned (a Secrets Manager secret, a
    static pair, anything else), checked before any delivery is verified with them.

    Args:
        keys: The keys a source returned.
        source: Where they came from, for the log (never the keys themselves).

    Raises:
        SigningKeysUnavailableError: Either key is public or a placeholder. `details`
            names which ("current", "next") and the source, never the key.
    """
    pair = {"current": keys.current, "next": keys.next}
    public = [name for name, key in pair.items() if is_public_signing_key(key)]
    if public:
        raise SigningKeysUnavailableError(
            f"the {' and '.join(public)} signing key is public (the QStash dev server's) or a "
            "placeholder; outside development use the keys from the Upstash console",
            keys=public,
            source=source,
        )


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
