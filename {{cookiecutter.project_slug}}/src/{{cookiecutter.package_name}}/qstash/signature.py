"""Verify the `Upstash-Signature` JWT that QStash puts on every request it makes.

Protocol facts (https://upstash.com/docs/qstash/howto/signature and
https://upstash.com/docs/qstash/features/security):

- the token is a JWT signed with HS256; the HMAC key is the signing-key string's UTF-8 bytes;
- claims: `iss` = "Upstash", `sub` = the URL the request was sent to, `exp`/`iat`/`nbf`
  (QStash sends `nbf` 0 since September 2024), `jti`, and `body` = url-safe base64 of the
  SHA-256 of the raw request body (padded; compare with `=` stripped on both sides);
- two keys are live at any time, current and next; rolling makes next the current one
  (https://upstash.com/docs/qstash/howto/roll-signing-keys), so verify with both.

We verify the raw request bytes ourselves rather than through the qstash SDK's `Receiver`:
it hashes a `str` (so binary bodies cannot verify), ignores its clock tolerance, and
importing it pulls in httpx (about 120 ms of cold start).
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import jwt

from ..errors import SignatureError

ISSUER = "Upstash"
ALGORITHM = "HS256"
# `jti` is required because the receiver refuses a token it has seen before (replay).
REQUIRED_CLAIMS = ["iss", "exp", "body", "jti"]


@dataclass(frozen=True, repr=False)
class SigningKeys:
    """The two live QStash signing keys. `repr` hides them so they never reach a log.

    Attributes:
        current: The key QStash signs with now (`QSTASH_CURRENT_SIGNING_KEY`).
        next: The key QStash will sign with after the next roll (`QSTASH_NEXT_SIGNING_KEY`).
    """

    current: str
    next: str

    def __repr__(self) -> str:
        return "SigningKeys(current=***, next=***)"


@dataclass(frozen=True)
class VerifiedClaims:
    """The claims of a token that verified.

    Attributes:
        subject: The `sub` claim: the URL QStash sent the request to.
        issued_at: The `iat` claim, unix seconds, or None when absent.
        expires_at: The `exp` claim, unix seconds.
        token_id: The `jti` claim: unique per token, so per delivery attempt.
        key: Which key verified the token: "current" or "next".
    """

    subject: str | None
    issued_at: int | None
    expires_at: int
    token_id: str
    key: str


def body_hash(body: bytes) -> str:
    """Return the `body` claim QStash computes for a request body.

    Args:
        body: The raw request body, exactly as received.

    Returns:
        URL-safe base64 of the SHA-256 digest, with `=` padding (as QStash sends it).
    """
    return base64.urlsafe_b64encode(hashlib.sha256(body).digest()).decode("ascii")


def verify_signature(
    token: str,
    *,
    body: bytes,
    url: str | None,
    keys: SigningKeys,
    leeway: float,
) -> VerifiedClaims:
    """Verify an `Upstash-Signature` token against the raw body and the public URL.

    The token is tried with the current key, then with the next key; it is accepted when
    either key verifies the signature, `iss`, `exp`/`nbf`/`iat` (within `leeway`), `sub`
    and the body hash together.

    Args:
        token: The `Upstash-Signature` header value (a compact JWT).
        body: The raw request body bytes, before any decoding or parsing.
        url: The public URL of the route that received the request, or None to skip the
            `sub` check. Trailing slashes are ignored on both sides.
        keys: The current and next signing keys.
        leeway: Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.

    Returns:
        The verified claims.

    Raises:
        SignatureError: Neither key verifies the token. `details` holds the reason each key
            failed under "current" and "next".
    """
    reasons: dict[str, str] = {}
    for name, key in (("current", keys.current), ("next", keys.next)):
        try:
            claims = _verify_with_key(token, body=body, url=url, key=key, leeway=leeway)
        except SignatureError as error:
            reasons[name] = error.message
            continue
        return VerifiedClaims(
            subject=claims.get("sub"),
            issued_at=claims.get("iat"),
            expires_at=claims["exp"],
            token_id=claims["jti"],
            key=name,
        )
    raise SignatureError("signature does not verify with the current or the next key", **reasons)


def _verify_with_key(
    token: str, *, body: bytes, url: str | None, key: str, leeway: float
) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.encode("utf-8"),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            leeway=leeway,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as error:
        raise SignatureError(f"invalid token: {error}") from None

    if url is not None:
        subject = claims.get("sub")
        if not isinstance(subject, str) or subject.rstrip("/") != url.rstrip("/"):
            raise SignatureError(f"subject {subject!r} is not this route's URL {url!r}")

    claimed = claims["body"]
    if not isinstance(claimed, str) or not hmac.compare_digest(
        claimed.rstrip("=").encode("ascii", "replace"),
        body_hash(body).rstrip("=").encode("ascii"),
    ):
        raise SignatureError("body hash does not match the request body")
    return claims
