"""Signing keys from AWS Secrets Manager, cached per container (Powertools parameters)."""

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import (
    GetParameterError,
    TransformParameterError,
)

from ..errors import SigningKeysUnavailableError
from ..qstash.signature import SigningKeys

CURRENT_FIELD = "QSTASH_CURRENT_SIGNING_KEY"
NEXT_FIELD = "QSTASH_NEXT_SIGNING_KEY"


class SecretsManagerSigningKeySource:
    """Read the keys from a JSON secret with fields named like the environment variables.

    The secret: `{"QSTASH_CURRENT_SIGNING_KEY": "sig_...", "QSTASH_NEXT_SIGNING_KEY": "sig_..."}`.

    The secret is fetched at most once per `max_age` seconds per container, so a key roll
    reaches running containers within that time; until then the old next key (now QStash's
    current key) still verifies.

    Args:
        secret_id: The secret's ARN or name.
        max_age: Cache lifetime, in seconds.
    """

    def __init__(self, secret_id: str, max_age: int) -> None:
        self._secret_id = secret_id
        self._max_age = max_age

    def get(self) -> SigningKeys:
        """Return the keys from the (cached) secret.

        Raises:
            SigningKeysUnavailableError: The secret cannot be read, is not JSON, or lacks a key.
        """
        try:
            secret = parameters.get_secret(self._secret_id, transform="json", max_age=self._max_age)
        except (GetParameterError, TransformParameterError) as error:
            raise SigningKeysUnavailableError(
                "cannot read the signing keys secret", secret_id=self._secret_id, cause=str(error)
            ) from None
        fields = secret if isinstance(secret, dict) else {}
        # Signing keys never hold whitespace; a newline pasted with a key would fail every
        # delivery with a 401 that names no cause.
        current, upcoming = (_stripped(fields.get(name)) for name in (CURRENT_FIELD, NEXT_FIELD))
        if not (current and upcoming):
            raise SigningKeysUnavailableError(
                f"the signing keys secret needs string fields {CURRENT_FIELD} and {NEXT_FIELD}",
                secret_id=self._secret_id,
            )
        return SigningKeys(current=current, next=upcoming)


def _stripped(value: object) -> str | None:
    return value.strip() if isinstance(value, str) else None
