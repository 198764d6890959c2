"""The one way this server sends an HTTP request to an address someone else chose (an OpenID Connect
back-channel logout URI): a form POST with timeouts, a cap on what is read back, no redirects, and
no loopback, private, link-local or otherwise special address unless the caller allows them.

The host is resolved once and the connection made to the address that was checked (a name that
resolves to a public address when checked and a private one when connected cannot slip through);
TLS still verifies the certificate against the host name.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

CONNECT_SECONDS = 3.0
READ_SECONDS = 5.0
MAX_RESPONSE_BYTES = 64 * 1024


class OutboundRefused(Exception):
    """Not sent: the URL or the address it resolves to is not one this server sends to."""


class OutboundFailed(Exception):
    """Sent, or tried, and it failed: no connection, a timeout, a TLS error."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def is_special(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved or unspecified (IPv4-mapped ones as such)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise OutboundFailed(f"cannot resolve {host}: {error}") from None
    addresses = [str(info[4][0]) for info in found]
    if not addresses:
        raise OutboundFailed(f"{host} has no address")
    if not allow_private and any(is_special(address) for address in addresses):
        raise OutboundRefused(f"{host} resolves to a loopback or private address")
    return addresses[0]


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a checked address, the certificate verified against the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), CONNECT_SECONDS)
        self.sock.settimeout(self.timeout)


def post_form(url: str, fields: dict[str, str], *, allow_private: bool = False) -> Answer:
    """POST `fields` form-encoded to `url` (http or https); the status and at most
    MAX_RESPONSE_BYTES of the body. OutboundRefused or OutboundFailed when it cannot."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise OutboundRefused("only http and https URLs with a host and no credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise OutboundRefused("the URL's port is not a number from 1 to 65535") from None
    address = resolve(parts.hostname, port, allow_private)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, address, port, READ_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(
            "POST", path, body=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "pm-oauth"},
        )  # fmt: skip
        response = connection.getresponse()
        return Answer(response.status, response.read(MAX_RESPONSE_BYTES))
    except (OSError, http.client.HTTPException) as error:
        raise OutboundFailed(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
