"""The QStash REST token from the stack's AWS Secrets Manager secret (Powertools parameters)."""

from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import (
    GetParameterError,
    TransformParameterError,
)

from ..errors import ConfigurationError
from ..qstash.keys import is_placeholder

TOKEN_FIELD = "QSTASH_TOKEN"  # noqa: S105 - the field's name, not a token


def read_qstash_token(secret_id: str) -> str | None:
    """Read `QSTASH_TOKEN` from a JSON secret, fresh (no cache: a deploy runs once).

    The stack creates the secret with every field empty; its values are set out of band
    (`aws secretsmanager put-secret-value`). The token is returned, never logged.

    Args:
        secret_id: The secret's ARN or name.

    Returns:
        The token, or None while the field is missing, empty or a placeholder.

    Raises:
        ConfigurationError: The secret cannot be read or is not a JSON object; the message
            names the secret, never its value.
    """
    try:
        secret = parameters.get_secret(secret_id, transform="json", force_fetch=True)
    except (GetParameterError, TransformParameterError) as error:
        raise ConfigurationError(
            f"cannot read the QStash secret {secret_id}: {error}", secret_id=secret_id
        ) from None
    if not isinstance(secret, dict):
        raise ConfigurationError(
            f"the QStash secret {secret_id} is not a JSON object with a {TOKEN_FIELD} field",
            secret_id=secret_id,
        )
    token = secret.get(TOKEN_FIELD)
    if not isinstance(token, str) or not token.strip() or is_placeholder(token):
        return None
    return token.strip()
