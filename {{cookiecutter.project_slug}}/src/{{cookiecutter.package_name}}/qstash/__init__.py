"""The QStash edge: signature verification and message shapes. No web framework, no cloud SDK.

The publisher and DLQ helpers (`client`, `dlq`, `rest`) need httpx and tenacity and are not
imported here on purpose: the ingest path imports this package and must stay without them.
"""

from .messages import CallbackBody, DeliveryMetadata
from .signature import SigningKeys, VerifiedClaims, body_hash, verify_signature

__all__ = [
    "CallbackBody",
    "DeliveryMetadata",
    "SigningKeys",
    "VerifiedClaims",
    "body_hash",
    "verify_signature",
]
