"""Connections to an authentication source's servers, and the two things done there: find a user's
entry (as the search user, or anonymously) and bind as that entry with the password typed.

Every connection verifies the server's certificate and host name (StartTLS or LDAPS; "none" sends
passwords in clear and is the operator's explicit choice), follows no referral, and gives up after the
source's timeouts; the servers are tried in order until one answers. A connection bound as a user is
closed at once and never searches. Search filters are built with RFC 4515 escaping
(`ldap.filter.escape_filter_chars`), so a typed username is never filter syntax.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ldap
import ldap.filter
from django.conf import settings

from workspaces.models import AuthSource

log = logging.getLogger(__name__)
UNAVAILABLE = (ldap.SERVER_DOWN, ldap.TIMEOUT, ldap.TIMELIMIT_EXCEEDED, ldap.CONNECT_ERROR, ldap.UNAVAILABLE, ldap.BUSY)


ACCOUNT_ATTRIBUTES = ("userAccountControl", "accountExpires")  # Active Directory's: disabled, expired


class DirectoryUnavailable(Exception):
    """No server of the source answered in time (or the TLS handshake failed): not the user's fault."""


class DirectoryRefused(Exception):
    """The directory refused the bind. `code`: Active Directory's sub-code (`data 52e`), when it sent one."""

    def __init__(self, code: str = "") -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Entry:
    dn: str
    attributes: dict[str, list[str]]

    def first(self, attribute: str) -> str:
        for name, values in self.attributes.items():
            if name.lower() == attribute.lower() and values:
                return values[0]
        return ""


def _ca_file(pem: str) -> str:
    """A file holding `pem` (libldap reads CA certificates from a file), in the var directory's `ca/`, which
    only this service's user may write; its content is checked before every use, never trusted."""
    folder = Path(settings.VAR_DIR) / "ca"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(pem.encode()).hexdigest()[:32]}.pem"
    try:
        if path.read_text() == pem:
            return str(path)
    except OSError:
        pass
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as partial:
        partial.write(pem)
    Path(partial.name).replace(path)
    return str(path)


def _uri(source: AuthSource, server: str) -> str:
    scheme = "ldaps" if source.encryption == AuthSource.Encryption.LDAPS else "ldap"
    return f"{scheme}://{server}:{source.port}"


def _open(source: AuthSource, server: str) -> Any:
    connection = ldap.initialize(_uri(source, server))
    connection.set_option(ldap.OPT_PROTOCOL_VERSION, ldap.VERSION3)
    connection.set_option(ldap.OPT_REFERRALS, 0)
    connection.set_option(ldap.OPT_NETWORK_TIMEOUT, source.connect_timeout)
    connection.set_option(ldap.OPT_TIMEOUT, source.operation_timeout)
    if source.encryption != AuthSource.Encryption.NONE:
        connection.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
        if source.ca_certificates.strip():
            connection.set_option(ldap.OPT_X_TLS_CACERTFILE, _ca_file(source.ca_certificates))
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)  # last: applies the TLS options above
        if source.encryption == AuthSource.Encryption.STARTTLS:
            connection.start_tls_s()
    return connection


@contextmanager
def connected(source: AuthSource) -> Iterator[Any]:
    """A connection to the first server that answers; DirectoryUnavailable when none does."""
    failures = []
    for server in source.server_list:
        try:
            connection = _open(source, server)
        except UNAVAILABLE as error:
            failures.append(f"{server}: {describe(error)}")
            continue
        try:
            yield connection
        finally:
            try:
                connection.unbind_s()
            except ldap.LDAPError:
                pass  # a connection the server already dropped
        return
    log.warning("authentication source %r of workspace %s unavailable: %s", source.name, source.workspace_id,
                "; ".join(failures))  # fmt: skip
    raise DirectoryUnavailable("; ".join(failures))


def describe(error: ldap.LDAPError) -> str:
    details = error.args[0] if error.args and isinstance(error.args[0], dict) else {}
    return str(details.get("info") or details.get("desc") or error.__class__.__name__)


def user_filter(source: AuthSource, name: str) -> str:
    """The filter finding `name` by the source's identifier attribute (RFC 4515-escaped), within the
    source's users filter."""
    own = f"({source.id_attribute}={ldap.filter.escape_filter_chars(name)})"
    return f"(&{own}{source.users_filter})" if source.users_filter else own


@contextmanager
def searching(source: AuthSource) -> Iterator[Any]:
    """A connection bound as the source's search user (or anonymous): the only kind that searches."""
    try:
        with connected(source) as connection:
            if source.bind_dn:
                connection.simple_bind_s(source.bind_dn, source.bind_password)
            yield connection
    except UNAVAILABLE as error:
        raise DirectoryUnavailable(describe(error)) from None
    except ldap.INVALID_CREDENTIALS:
        log.error("authentication source %r: the search user's DN or password is wrong", source.name)
        raise DirectoryUnavailable("the search user's credentials are refused") from None
    except ldap.SIZELIMIT_EXCEEDED:
        raise  # an answer about what was asked: the caller's
    except ldap.LDAPError as error:  # a filter it cannot parse, a base DN it lacks, StartTLS it does not speak, ...
        log.error("authentication source %r: the directory refused the search: %s", source.name, describe(error))
        raise DirectoryUnavailable(describe(error)) from None


def entry_attributes(source: AuthSource) -> list[str]:
    """What is read of a user's entry: the identifier, the profile's attributes, AD's account state."""
    return sorted({source.id_attribute, "uid", "userPrincipalName", *source.attributes.values(), *ACCOUNT_ATTRIBUTES})


def decoded(dn: str, attributes: dict[str, list[bytes]]) -> Entry:
    return Entry(
        dn, {name: [value.decode("utf-8", "replace") for value in values] for name, values in attributes.items()}
    )


def find_user(source: AuthSource, name: str) -> Entry | None:
    """The entry the identifier `name` names under the base DN, or None (none, or more than one)."""
    try:
        with searching(source) as connection:
            found = connection.search_ext_s(
                source.base_dn, ldap.SCOPE_SUBTREE, user_filter(source, name), entry_attributes(source), sizelimit=2,
                timeout=source.operation_timeout,
            )  # fmt: skip
    except ldap.SIZELIMIT_EXCEEDED:
        return None
    except UNAVAILABLE as error:
        raise DirectoryUnavailable(describe(error)) from None
    entries = [(dn, attributes) for dn, attributes in found if dn]
    return decoded(*entries[0]) if len(entries) == 1 else None


def bind_as(source: AuthSource, dn: str, password: str) -> None:
    """Bind as `dn` with `password` on a connection of its own, closed at once; DirectoryRefused when
    the directory refuses. An empty password is refused here, never sent (it would be an
    unauthenticated bind, which succeeds for any DN)."""
    if not password or not dn:
        raise DirectoryRefused()
    try:
        with connected(source) as connection:
            connection.simple_bind_s(dn, password)
    except ldap.INVALID_CREDENTIALS as error:
        raise DirectoryRefused(ad_code(error)) from None
    except UNAVAILABLE as error:
        raise DirectoryUnavailable(describe(error)) from None
    except ldap.LDAPError as error:  # an unwilling server, a constraint: refused, and said in the log
        log.warning("authentication source %r refused a bind: %s", source.name, describe(error))
        raise DirectoryRefused(ad_code(error)) from None


def ad_code(error: ldap.LDAPError) -> str:
    """Active Directory's reason for refusing a bind, from the `data XXX` part of its diagnostic
    ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563"); ""
    for another server or none."""
    info = error.args[0].get("info", "") if error.args and isinstance(error.args[0], dict) else ""
    found = re.search(r"\bdata ([0-9a-fA-F]{3,8})\b", str(info))
    return found.group(1).lower() if found else ""


PAGE_SIZE = 500  # Active Directory answers at most 1,000 entries per page


def all_users(source: AuthSource) -> Iterator[Entry]:
    """Every entry the source's identifier attribute and users filter name under its base DN, a page
    at a time (RFC 2696 paged results), through the search user."""
    from ldap.controls import SimplePagedResultsControl

    wanted = f"(&({source.id_attribute}=*){source.users_filter})"
    paging = SimplePagedResultsControl(True, size=PAGE_SIZE, cookie="")
    with searching(source) as connection:
        while True:
            message = connection.search_ext(
                source.base_dn, ldap.SCOPE_SUBTREE, wanted, entry_attributes(source), serverctrls=[paging],
                timeout=source.operation_timeout,
            )  # fmt: skip
            try:
                _, found, _, controls = connection.result3(message, timeout=source.operation_timeout)
            except UNAVAILABLE as error:
                raise DirectoryUnavailable(describe(error)) from None
            for dn, attributes in found:
                if dn:
                    yield decoded(dn, attributes)
            cookie = next((c.cookie for c in controls if c.controlType == SimplePagedResultsControl.controlType), b"")
            if not cookie:
                return
            paging.cookie = cookie
