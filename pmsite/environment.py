"""Reading settings from the environment (healthchecks' style): each variable's type checked once,
with a message that names it when it is wrong. A secret may come from a file through `<NAME>_FILE`.
Imported by pmsite.settings before Django is set up: nothing of the project's here."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str = "") -> str:
    """The variable `name`, or the content of the file named by `name_FILE`."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name, "")
    if value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env(name, "")
    if value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def public_url(value: str, allow_http: bool) -> str:
    """PM_PUBLIC_URL as an origin (scheme and host, no path or slash), or "" when it is not set (the
    plain-HTTP demo; a server without it refuses to start: `require_public_url`)."""
    if not value:
        return ""
    parts = urlsplit(value)
    schemes = ("https", "http") if allow_http else ("https",)
    if (
        parts.scheme not in schemes
        or not parts.hostname
        or parts.username
        or parts.password
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"PM_PUBLIC_URL must be an {' or '.join(schemes)} origin such as https://id.example.com "
            f"(a scheme, a host and a port at most: no path), not {value!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def require_public_url(public: str, allow_http: bool) -> None:
    """What a server (pmsite.wsgi, pmsite.asgi) checks before it serves: outside the plain-HTTP demo
    it publishes URLs, so it must know its origin. Management commands run without it."""
    if not public and not allow_http:
        raise ImproperlyConfigured(
            "PM_PUBLIC_URL is not set. Set it to the https origin clients reach this server at (for example "
            "https://id.example.com): the issuer, the metadata and every URL this server publishes name it. "
            "(PM_ALLOW_HTTP=1, the loopback demo, uses each request's own origin instead.)"
        )


def ip_addresses(name: str) -> list[str]:
    addresses = env_list(name, "")
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ImproperlyConfigured(f"{name} lists IP addresses (comma-separated), not {address!r}") from None
    return addresses


def ip_networks(name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (`10.0.0.0/8,127.0.0.1`)."""
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in env_list(name, ""))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} lists addresses or networks: {error}") from None
