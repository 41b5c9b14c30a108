"""The public base URL from an SSM parameter, cached per container (Powertools parameters).

The deployed stack writes the URL QStash calls (the custom domain, else the Function URL) to
a parameter whose name is fixed in advance, because the function cannot carry its own
Function URL in its environment: see docs/design_decisions.md, "The public base URL reaches
the function through an SSM parameter".
"""

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.parameters import SSMProvider
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from ..errors import ConfigurationError
from ..public_url import normalise_public_base_url
from .clients import ssm_client

if TYPE_CHECKING:
    from botocore.client import BaseClient


class SsmPublicBaseUrl:
    """Read the public base URL from a Parameter Store parameter on first use.

    Nothing is read when the source is built: on the first deploy the function is
    initialised (and, with SnapStart, snapshotted) before the stack has written the
    parameter, which depends on the function's URL.

    The value is fetched at most once per `max_age` seconds per container, so a changed URL
    (a custom domain added later) reaches running containers within that time.

    Args:
        parameter_name: The parameter's name, e.g. `/my-stack/public-base-url`.
        max_age: Cache lifetime, in seconds.
        allow_http: Whether a plain `http://` value is acceptable (development only).
        client: The SSM client to read with; the container's fast-failing one by default.
    """

    def __init__(
        self,
        parameter_name: str,
        max_age: int,
        *,
        allow_http: bool = False,
        client: "BaseClient | None" = None,
    ) -> None:
        self._parameter_name = parameter_name
        self._max_age = max_age
        self._allow_http = allow_http
        # A provider of our own, not Powertools' default one: that one builds its client
        # from a new boto3 session on first use (about 100 ms) with 60-second timeouts.
        self._provider = SSMProvider(boto3_client=client or ssm_client())

    def get(self) -> str:
        """Return the URL from the (cached) parameter, without a trailing slash.

        Raises:
            ConfigurationError: The parameter does not exist, cannot be read, or does not
                hold an https URL (http too when allowed) with a host and no query string.
        """
        try:
            value = self._provider.get(self._parameter_name, max_age=self._max_age)
        except GetParameterError as error:
            raise ConfigurationError(
                "cannot read the public base URL parameter",
                parameter=self._parameter_name,
                cause=str(error),
            ) from None
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(
                "the public base URL parameter is empty", parameter=self._parameter_name
            )
        try:
            return normalise_public_base_url(value, allow_http=self._allow_http)
        except ValueError as error:
            raise ConfigurationError(
                f"the public base URL parameter {error}: {value.strip()!r}",
                parameter=self._parameter_name,
            ) from None
