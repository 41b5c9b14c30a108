"""Request dependencies: a route declares what it needs by type (`delivery: VerifiedDelivery`)."""

import logging
from contextlib import aclosing
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..errors import BodyTooLargeError, SignatureError
from ..qstash import DeliveryMetadata, SigningKeys, VerifiedClaims, verify_signature
from ..qstash.keys import refuse_public_signing_keys
from ..services import Services

logger = logging.getLogger(__name__)


def get_services(request: Request) -> Services:
    """Return the services `create_app` was given."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


@dataclass(frozen=True)
class Delivery:
    """A request whose `Upstash-Signature` verified.

    Attributes:
        body: The raw body bytes the signature covers.
        metadata: The QStash delivery headers.
        claims: The verified token claims.
        handed_off_before: Whether this message id was handed off to the worker before (a
            duplicate job delivery); read only by `verify_job_delivery`, False elsewhere.
    """

    body: bytes
    metadata: DeliveryMetadata
    claims: VerifiedClaims
    handed_off_before: bool = False


async def verify_delivery(request: Request, services: ServicesDep) -> Delivery:
    """Check a QStash delivery before anything parses its payload or records it.

    The order is deliberate:

    1. The body is read with a bound (`MAX_BODY_BYTES`) before it is hashed: an oversize
       body costs neither the memory nor the hashing. This is before anything else, so an
       unsigned oversize request (with or without an `Upstash-Signature` header) is refused
       489 too.
    2. The signature is verified: the body hash, `sub`, expiry, with either key.
    3. The delivery headers (message id, `Upstash-Retried`, schedule id) are checked after
       verification: none of them is signed, so checking first would not make them
       trustworthy, and an unsigned request learns nothing but 401. They are checked
       before the token is claimed, so a malformed delivery leaves no record at all.
    4. The token is claimed, once (a token seen before is a replay).

    Raises:
        SignatureError: The header is missing, the token does not verify, or it was used
            before (401).
        BodyTooLargeError: The body is over `MAX_BODY_BYTES` (489, permanent).
        InvalidHeaderError: A delivery header is malformed (489, permanent).
        SigningKeysUnavailableError: No signing keys can be loaded, or one is public outside
            development (503, fail closed).
        ConfigurationError: The public base URL is not configured or cannot be read, so
            `sub` cannot be checked (503).
        Exception: The store could not record the token (503 from the app's catch-all:
            QStash retries).
    """
    return await _verify(request, services, reads_hand_off_mark=False)


async def verify_job_delivery(request: Request, services: ServicesDep) -> Delivery:
    """`verify_delivery` for the job route, which also needs the message id's hand-off mark.

    The mark is read in the same store call that claims the token
    (`DeliveryStore.claim_delivery`), so a job delivery waits for one round trip, not two;
    `Delivery.handed_off_before` carries what was found. Other routes' messages are never
    handed off, so they do not read it.

    Raises:
        As `verify_delivery`.
    """
    return await _verify(request, services, reads_hand_off_mark=True)


async def _verify(request: Request, services: Services, *, reads_hand_off_mark: bool) -> Delivery:
    body = await read_body(request, max_bytes=services.settings.max_body_bytes)
    token = request.headers.get("upstash-signature")
    if not token:
        raise SignatureError("missing Upstash-Signature header")
    keys = signing_keys(services)
    # Read per request (the source caches it), never when the app is built: on AWS the
    # parameter holding it may not exist yet when the first version is initialised.
    base_url = services.public_base_url.get()
    leeway = services.settings.signature_leeway_seconds
    claims = verify_signature(
        token, body=body, url=public_url(base_url, request), keys=keys, leeway=leeway
    )
    metadata = DeliveryMetadata.from_headers(request.headers)
    # QStash mints a token per delivery attempt, so a token seen before is a replay: without
    # this, one captured token could be re-sent with new message ids to queue more work.
    # Without a message id the store claims the token alone and reads no mark.
    mark_of = metadata.message_id if reads_hand_off_mark else ""
    claim = services.store.claim_delivery(claims.token_id, claims.expires_at + leeway, mark_of)
    if claim == "replay":
        raise SignatureError("token already used (replay)", token_id=claims.token_id)
    if claims.key == "next":
        logger.info("signature verified with the next key: QStash rolled its keys")
    return Delivery(body, metadata, claims, handed_off_before=claim == "handed off")


async def read_body(request: Request, *, max_bytes: int) -> bytes:
    """Read the request body, refusing it as soon as it is over `max_bytes`.

    A `Content-Length` over the limit is refused before reading anything; the bytes are
    counted as they arrive all the same, since the header may be absent or wrong.

    Args:
        request: The incoming request.
        max_bytes: The largest body accepted, in bytes.

    Returns:
        The whole body.

    Raises:
        BodyTooLargeError: The declared or the received body is over `max_bytes`.
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and _over(declared, max_bytes):
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    received = 0
    # aclosing: leaving the loop early must close the stream now, not whenever it is collected.
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            received += len(chunk)
            if received > max_bytes:
                raise _too_large(max_bytes)
            chunks.append(chunk)
    return b"".join(chunks)


def _over(digits: str, limit: int) -> bool:
    # Compare lengths first: int() refuses strings of more than 4,300 digits (ValueError),
    # and the sender chose this one.
    digits = digits.lstrip("0") or "0"
    return len(digits) > len(str(limit)) or int(digits) > limit


def _too_large(max_bytes: int) -> BodyTooLargeError:
    return BodyTooLargeError(
        f"the request body is over the receiver's limit of {max_bytes:,} bytes "
        "(MAX_BODY_BYTES): publish a reference to the data (e.g. {% if cookiecutter.cloud == "aws-lambda" %}an S3 key{% else %}a gs:// URI{% endif %}) instead",
        max_bytes=max_bytes,
    )


VerifiedDelivery = Annotated[Delivery, Depends(verify_delivery)]
VerifiedJobDelivery = Annotated[Delivery, Depends(verify_job_delivery)]


def signing_keys(services: Services) -> SigningKeys:
    """Return the keys to verify with, refusing public ones outside development.

    The check runs on what the source returned, so one rule covers every source:
    environment variables, a Secrets Manager secret, a static pair.

    Raises:
        SigningKeysUnavailableError: No keys can be loaded, or a key is public (503).
    """
    keys = services.signing_keys.get()
    if services.settings.environment != "development":
        refuse_public_signing_keys(keys, source=type(services.signing_keys).__name__)
    return keys


def public_url(base_url: str, request: Request) -> str:
    """Build the URL QStash was given for this route from the configured public base URL.

    The scheme and host come from configuration, never from the request: behind a
    TLS-terminating proxy or API Gateway the request's own URL differs from the one QStash
    signed. The path is the route's path inside the app (API Gateway stages and mount
    points are part of `base_url`).

    Args:
        base_url: The public base URL, without a trailing slash.
        request: The incoming request.

    Returns:
        `base_url` + path, plus `?query` when the request has a query string.
    """
    path: str = request.scope["path"]
    root_path: str = request.scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{base_url}{path}" + (f"?{query}" if query else "")
