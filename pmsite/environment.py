"""How a setting is read from the environment and what type it has (healthchecks' style): the raw
text of a variable, or of the file `<NAME>_FILE` names (the Docker-secrets convention), and one parser
per type, each with a message that names the variable when its value is wrong. Which variables exist
is pmsite/config.py's business. Imported before Django is set up: nothing of the project's here."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, cast, overload
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off")


def raw(environ: Mapping[str, str], name: str) -> str:
    """The text of `name`, or of the file `name_FILE` names; "" when neither is set."""
    file_name = environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text().strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE names a file that cannot be read: {error}") from None
    return environ.get(name, "")


def text(name: str, value: str) -> str:
    return value


def boolean(name: str, value: str) -> bool:
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def whole_number(name: str, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def names(name: str, value: str) -> list[str]:
    """Comma-separated words (host names, origins)."""
    return [item.strip() for item in value.split(",") if item.strip()]


def ip_addresses(name: str, value: str) -> list[str]:
    addresses = names(name, value)
    for address in addresses:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ImproperlyConfigured(f"{name} lists IP addresses (comma-separated), not {address!r}") from None
    return addresses


def ip_networks(name: str, value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """Comma-separated addresses or networks (`10.0.0.0/8,127.0.0.1`)."""
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in names(name, value))
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} lists addresses or networks: {error}") from None


def fernet_keys(name: str, value: str) -> list[str]:
    """Comma-separated Fernet keys (32 bytes, URL-safe base64), each checked."""
    from cryptography.fernet import Fernet

    keys = names(name, value)
    for position, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 bytes in URL-safe base64; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            ) from None
    return keys


def log_level(name: str, value: str) -> str:
    level = value.upper()
    if not isinstance(logging.getLevelName(level), int):
        raise ImproperlyConfigured(f"{name} must be a level name such as INFO or DEBUG, not {value!r}")
    return level


def one_of(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, value: str) -> str:
        if value.lower() not in choices:
            raise ImproperlyConfigured(f"{name} must be {' or '.join(choices)}, not {value!r}")
        return value.lower()

    return parse


def origin(value: str, allow_http: bool) -> str:
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


T = TypeVar("T")
SETTINGS = "pmsite/settings.py"


class Variable(Generic[T]):
    """One environment variable, declared as an attribute of a `Concern` and named by it: how its
    text is parsed, its default (a value, or a function of the concern for a default that follows
    another variable), how the documentation shows that default, what it means and who reads it."""

    name: str

    def __init__(
        self,
        parse: Callable[[str, str], T],
        default: T | Callable[[Any], T],
        meaning: str,
        *,
        shown: str = "",
        read_by: str = SETTINGS,
    ) -> None:
        self.parse, self.default, self.meaning, self.read_by = parse, default, meaning, read_by
        self.shown = shown or shown_default(default)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, concern: None, owner: type) -> Variable[T]: ...

    @overload
    def __get__(self, concern: Concern, owner: type) -> T: ...

    def __get__(self, concern: Concern | None, owner: type) -> Variable[T] | T:
        if concern is None:
            return self
        return concern.value(self)


def shown_default(default: object) -> str:
    if callable(default):
        raise TypeError("a default computed from other variables says how it is shown (shown=...)")
    if default == "" or default == []:
        return "empty"
    if isinstance(default, bool):
        return f"`{str(default).lower()}`"
    if isinstance(default, list):
        return f"`{','.join(default)}`"
    return f"`{default}`"


class Concern:
    """The variables about one thing (the database, HTTPS, ...), read from `environ` (the process's
    by default) when first asked for. An empty variable counts as unset. `check()` reads them all,
    so a wrong value stops the app at start even where the settings do not use it."""

    title: ClassVar[str]

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ
        self.values: dict[str, Any] = {}

    @classmethod
    def variables(cls) -> list[Variable[Any]]:
        return [value for value in vars(cls).values() if isinstance(value, Variable)]

    def value(self, variable: Variable[T]) -> T:
        if variable.name not in self.values:
            text = raw(self.environ, variable.name)
            if text:
                self.values[variable.name] = variable.parse(variable.name, text)
            elif callable(variable.default):
                self.values[variable.name] = variable.default(self)
            else:
                self.values[variable.name] = variable.default
        return cast(T, self.values[variable.name])

    def check(self) -> None:
        for variable in self.variables():
            self.value(variable)
