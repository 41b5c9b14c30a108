"""Which URLs the publisher may hand to QStash, decided without any DNS lookup.

QStash calls the destination and the callbacks from the internet, so a plain-http, localhost
or private-address URL is a mistake in production: the message would be retried into the void
and end in the dead-letter queue. Against a local QStash double the same URLs are exactly
right, so a local QStash URL lifts the rule.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import UnsafeDestinationError

LOCAL_HOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def literal_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Read `host` as an IP address literal, without resolving any name.

    Accepts the shorthand forms URL parsers and `inet_aton` accept (`127.1`, `2130706433`,
    `0x7f000001`), and unwraps IPv4-mapped IPv6 (`::ffff:10.0.0.1`), so none of them slips
    past the private-address check.

    Args:
        host: A URL's host, without brackets.

    Returns:
        The address, or None when `host` is a name.
    """
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        if not host or not all(part.isalnum() for part in host.split(".")):
            return None
        try:
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_local_host(host: str) -> bool:
    """Tell whether `host` names this machine or a private network.

    Args:
        host: A URL's host, lower case, without brackets.

    Returns:
        True for `localhost` (and `*.localhost`) and for literal addresses that are not
        globally routable: loopback, private, link-local, unspecified, shared, reserved.
    """
    host = host.rstrip(".")
    if host in LOCAL_HOST_NAMES or host.endswith(".localhost"):
        return True
    address = literal_ip(host)
    return address is not None and not address.is_global


def is_local_url(url: str) -> bool:
    """Tell whether `url` points at a development service rather than a public one.

    Args:
        url: An absolute URL.

    Returns:
        True when the scheme is not https or the host is local (see `is_local_host`).
    """
    parts = urlsplit(url)
    return parts.scheme != "https" or is_local_host(parts.hostname or "")


def check_destination(url: str, *, qstash_url: str) -> None:
    """Refuse a destination or callback URL QStash could not (or should not) call.

    Args:
        url: The destination, callback or failure-callback URL.
        qstash_url: The QStash API base URL; when it is local (a development double), every
            http(s) URL is allowed.

    Raises:
        UnsafeDestinationError: `url` is not https, or its host is localhost or a private,
            loopback or link-local address, and `qstash_url` is not local.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeDestinationError(f"destination {url!r} is not an absolute http(s) URL", url=url)
    if is_local_url(qstash_url):
        return
    if parts.scheme != "https":
        raise UnsafeDestinationError(
            f"refusing to publish to {url!r}: QStash only reaches public https URLs; set "
            "PUBLIC_BASE_URL to this app's https address (plain http is for a local QStash "
            "double, i.e. a local QSTASH_URL)",
            url=url,
        )
    if is_local_host(parts.hostname):
        raise UnsafeDestinationError(
            f"refusing to publish to {url!r}: {parts.hostname} is this machine or a private "
            "network, out of QStash's reach; set PUBLIC_BASE_URL to this app's public address "
            "(local addresses are for a local QStash double, i.e. a local QSTASH_URL)",
            url=url,
        )
