"""Signing keys from AWS Secrets Manager, cached per container (Powertools parameters)."""

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import (
    GetParameterError,
    TransformParameterError,
)

from ..errors import SigningKeysUnavailableError
from ..qstash.signature import SigningKeys
from .clients import secretsmanager_client

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

CURRENT_FIELD = "QSTASH_CURRENT_SIGNING_KEY"
NEXT_FIELD = "QSTASH_NEXT_SIGNING_KEY"


class SecretsManagerSigningKeySource:
    """Read the keys from a JSON secret with fields named like the environment variables.

    The secret: `{"QSTASH_CURRENT_SIGNING_KEY": "sig_...", "QSTASH_NEXT_SIGNING_KEY": "sig_..."}`.

    The secret is fetched at most once per `max_age` seconds per container, so a key roll
    reaches running containers within that time; until then the old next key (now QStash's
    current key) still verifies.

    The secret is read with the container's fast-fail client (2 s to connect, 5 s per
    read, 3 attempts), not Powertools' default provider, whose own session reloads the
    service model on first use and whose client waits up to 60 s: a delivery waits on this
    read, and a stuck one must answer 503 within seconds so QStash retries.

    Args:
        secret_id: The secret's ARN or name.
        max_age: Cache lifetime, in seconds.
        client: The Secrets Manager client; default: the container's (`aws.clients`).
    """

    def __init__(
        self, secret_id: str, max_age: int, client: "SecretsManagerClient | None" = None
    ) -> None:
        self._secret_id = secret_id
        self._max_age = max_age
        self.client = client or secretsmanager_client()
        self._provider = parameters.SecretsProvider(boto3_client=self.client)

    def get(self) -> SigningKeys:
        """Return the keys from the (cached) secret.

        Raises:
            SigningKeysUnavailableError: The secret cannot be read, is not JSON, or lacks a key.
        """
        try:
            secret = self._provider.get(self._secret_id, transform="json", max_age=self._max_age)
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
