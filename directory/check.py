"""An authentication source's "Test connection" (the admin's action, `manage.py authsource --test`):
reach a server, bind as the search user, find one user, and say what was found or why it failed."""

from __future__ import annotations

from dataclasses import dataclass, field

import ldap

from directory import client
from workspaces.models import AuthSource


@dataclass
class Checked:
    ok: bool = False
    lines: list[str] = field(default_factory=list)


def test_connection(source: AuthSource, username: str = "") -> Checked:
    """What a sign-in through `source` would meet: the server that answers, the search user's bind,
    and the entry of `username` (or of any user the filter names) with the profile it would give."""
    checked = Checked()
    security = {"starttls": "StartTLS, certificate verified", "ldaps": "LDAPS, certificate verified",
                "none": "no encryption: passwords cross the network in clear"}[source.encryption]  # fmt: skip
    try:
        with client.connected(source) as connection:
            checked.lines.append(f"Connected to {connection.get_option(ldap.OPT_URI)} ({security}).")
            who = source.bind_dn or "anonymous"
            if source.bind_dn:
                connection.simple_bind_s(source.bind_dn, source.bind_password)
            checked.lines.append(f"Bound as {who}.")
            wanted = client.user_filter(source, username) if username else (source.users_filter or "(objectClass=*)")
            message = connection.search_ext(
                source.base_dn, ldap.SCOPE_SUBTREE, wanted, [source.id_attribute, *source.attributes.values()],
                sizelimit=1,
            )  # fmt: skip
            # The first answer only: an entry, or the end of a search that found none.
            _, found = connection.result(message, all=0, timeout=source.operation_timeout)
    except client.DirectoryUnavailable as error:
        checked.lines.append(f"No server answered: {error}")
        return checked
    except ldap.INVALID_CREDENTIALS:
        checked.lines.append("The search user's DN or password is refused.")
        return checked
    except ldap.LDAPError as error:
        checked.lines.append(f"The directory refused: {client.describe(error)}")
        return checked
    entries = [(dn, attributes) for dn, attributes in found if dn]
    if not entries:
        checked.lines.append(f"No entry under {source.base_dn} matches {wanted}.")
        return checked
    dn, attributes = entries[0]
    entry = client.Entry(dn, {k: [v.decode("utf-8", "replace") for v in vs] for k, vs in attributes.items()})
    checked.lines.append(f"Found {dn}: {source.id_attribute}={entry.first(source.id_attribute)!r}")
    for profile_field, attribute in source.attributes.items():
        checked.lines.append(f"  {profile_field} <- {attribute}: {entry.first(attribute)!r}")
    checked.ok = True
    return checked
