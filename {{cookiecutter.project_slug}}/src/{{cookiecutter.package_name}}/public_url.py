"""Where the public base URL comes from: the URL QStash calls this app at.

QStash puts the URL it sent a request to in the token's `sub` claim
(https://upstash.com/docs/qstash/howto/signature); the receiver compares it with the public
base URL plus the route's path. The scheme and host must come from configuration, never from
the request: behind a proxy or API Gateway the request's own URL is not the one QStash signed.

Platform sources live with their platform (`aws/public_url.py`).
"""

from typing import Protocol
from urllib.parse import urlsplit

from .errors import ConfigurationError


def normalise_public_base_url(value: str, *, allow_http: bool) -> str:
    """Strip whitespace and trailing slashes, and check that the URL can be a base URL.

    Args:
        value: The configured URL, e.g. `https://api.example.com/prod/`.
        allow_http: Whether plain `http://` is acceptable (local development only).

    Returns:
        The URL without surrounding whitespace or a trailing `/`, e.g.
        `https://api.example.com/prod`.

    Raises:
        ValueError: The URL is not https (or http when allowed), has no host, or carries a
            query string or fragment (a base URL is followed by a route's path).
    """
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise ValueError("must start with https:// (or http:// in development)")
    if parts.scheme == "http" and not allow_http:
        raise ValueError("must be https:// outside development")
    if not parts.hostname:
        raise ValueError("must name a host, e.g. https://api.example.com")
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query string or fragment")
    return url


class PublicBaseUrlSource(Protocol):
    """Supplies the public base URL, cached as the source sees fit."""

    def get(self) -> str:
        """Return the public base URL, without a trailing slash.

        Raises:
            ConfigurationError: No URL is configured, or it cannot be read or is invalid;
                every verified route then answers 503 (QStash retries).
        """
        ...


class StaticPublicBaseUrl:
    """A URL given once, from `PUBLIC_BASE_URL` (a custom domain, API Gateway, local runs).

    Args:
        url: The normalised URL (see `Settings.public_base_url`), or None when none is
            configured (every `get` then fails closed).
    """

    def __init__(self, url: str | None) -> None:
        self._url = url

    def get(self) -> str:
        """Return the URL.

        Raises:
            ConfigurationError: No URL was configured.
        """
        if self._url is None:
            raise ConfigurationError(
                "the public base URL is not configured: set PUBLIC_BASE_URL (or, on AWS, "
                "PUBLIC_BASE_URL_PARAMETER); cannot check the token's subject"
            )
        return self._url
