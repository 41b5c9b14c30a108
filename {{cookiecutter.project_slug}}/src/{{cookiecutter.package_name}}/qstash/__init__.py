"""The QStash edge: signature verification and message shapes. No web framework, no cloud SDK."""

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
