"""Sign requests exactly as QStash does, for tests and local runs.

Claims and algorithm: https://upstash.com/docs/qstash/features/security. QStash mints a
fresh token for every delivery attempt; each lives 5 minutes and has `nbf` 0
(https://upstash.com/docs/qstash/overall/changelog, September 2024).
"""

import base64
import hashlib
import secrets
import time
from typing import Any

import jwt

TOKEN_LIFETIME_SECONDS = 300


def sign(
    body: bytes,
    url: str,
    key: str,
    /,
    *,
    now: float | None = None,
    lifetime: int = TOKEN_LIFETIME_SECONDS,
    **overrides: Any,
) -> str:
    """Return an `Upstash-Signature` token for a request.

    Args:
        body: The exact request body bytes.
        url: The destination URL (the `sub` claim).
        key: The signing key (its UTF-8 bytes are the HMAC key).
        now: Unix seconds to mint at (default: the current time).
        lifetime: Seconds until `exp`.
        **overrides: Claims to replace or add; a value of None removes the claim.

    Returns:
        A compact HS256 JWT.
    """
    issued = int(time.time() if now is None else now)
    digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode("ascii")
    claims: dict[str, Any] = {
        "iss": "Upstash",
        "sub": url,
        "exp": issued + lifetime,
        "nbf": 0,
        "iat": issued,
        "jti": f"jwt_{secrets.token_hex(12)}",
        "body": digest,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key.encode("utf-8"), algorithm="HS256")


def new_signing_key() -> str:
    """Return a fresh random key shaped like QStash's: `sig_` + 28 characters (32 bytes)."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    return "sig_" + "".join(secrets.choice(alphabet) for _ in range(28))
