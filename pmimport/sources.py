"""Authentication sources: RBAC_AUTHENTICATION_SOURCE (AUTHENTICATION_SOURCE in a 2.x `rb_` database),
the LDAP and Active Directory servers ProcessMaker's directory users sign in against.

The search user's password is decoded from ProcessMaker's `G::encrypt` form (keyed by the server
name) and stored encrypted under PM_ENCRYPTION_KEYS. A source without TLS comes over as it was, with
a note: its passwords cross the network in clear until StartTLS is turned on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from plumbing.encryption import EncryptionUnavailable
from pmimport import mapping
from pmimport.common import Run, one_row, per_table, settle
from pmimport.ledger import Ledger
from pmimport.mapping import Mapped, Refused
from pmimport.models import ImportedRow
from pmimport.phpdata import G_ENCRYPT_MARKER, g_decrypt, unserialize
from workspaces.models import AuthSource

TABLE = "auth sources"
LDAPS_PORT = 636
# AUTH_SOURCE_IDENTIFIER_FOR_USER as ProcessMaker's form writes it (lower case) -> the attribute's name
IDENTIFIERS = {"uid": "uid", "samaccountname": "sAMAccountName", "userprincipalname": "userPrincipalName"}


def import_sources(run: Run) -> dict[str, AuthSource]:
    """The workspace's sources by ProcessMaker's AUTH_SOURCE_UID, imported or updated."""
    name = run.layout.table("AUTHENTICATION_SOURCE")
    if name not in run.layout.rbac.tables:
        return {}
    ledger = Ledger(run.target, ImportedRow.Kind.AUTH_SOURCE)
    run.report.start(TABLE)
    sql = f"SELECT * FROM `{name}` ORDER BY AUTH_SOURCE_UID"  # noqa: S608 - a fixed name behind the layout's prefix
    rows = list(run.layout.rbac.rows(sql))
    with per_table():
        for done, row in enumerate(rows, 1):
            label = f"{mapping.text(row, 'AUTH_SOURCE_NAME')} ({mapping.text(row, 'AUTH_SOURCE_UID')})"
            one_row(run, TABLE, label, lambda row=row: sync_source(run, ledger, map_source(row)))  # type: ignore[misc]
            run.progress(TABLE, done, len(rows))
    return {source.uid: source for source in AuthSource.objects.filter(workspace=run.target)}


def map_source(row: dict[str, Any]) -> Mapped:
    uid, name = mapping.text(row, "AUTH_SOURCE_UID").strip(), mapping.text(row, "AUTH_SOURCE_NAME").strip()
    if not uid or len(uid) > 32:
        raise Refused("no AUTH_SOURCE_UID, or one longer than 32 characters")
    try:
        data = unserialize(mapping.text(row, "AUTH_SOURCE_DATA")) if mapping.text(row, "AUTH_SOURCE_DATA") else {}
    except ValueError as error:
        raise Refused(f"AUTH_SOURCE_DATA cannot be read ({error})") from None
    data = data if isinstance(data, dict) else {}
    server, notes = mapping.text(row, "AUTH_SOURCE_SERVER_NAME").strip(), []
    port = int(mapping.text(row, "AUTH_SOURCE_PORT", "389") or 389)
    if mapping.text(row, "AUTH_SOURCE_ENABLED_TLS", "0") == "1":
        encryption = AuthSource.Encryption.STARTTLS
    elif port == LDAPS_PORT:
        encryption = AuthSource.Encryption.LDAPS
    else:
        encryption = AuthSource.Encryption.NONE
        notes.append("no TLS in ProcessMaker: passwords cross the network in clear until StartTLS is turned on")
    anonymous = mapping.text(row, "AUTH_ANONYMOUS", "0") == "1"
    identifier = str(data.get("AUTH_SOURCE_IDENTIFIER_FOR_USER") or "uid").strip()
    users_filter = str(data.get("AUTH_SOURCE_USERS_FILTER") or "").strip()
    if users_filter and not users_filter.startswith("("):
        users_filter = f"({users_filter})"
    label = (name or uid)[:128]
    values = {
        "name": label,
        "kind": AuthSource.Kind.AD if str(data.get("LDAP_TYPE", "")).lower() == "ad" else AuthSource.Kind.LDAP,
        "servers": server,
        "port": port,
        "encryption": encryption,
        "base_dn": mapping.text(row, "AUTH_SOURCE_BASE_DN").strip(),
        "bind_dn": "" if anonymous else mapping.text(row, "AUTH_SOURCE_SEARCH_USER").strip(),
        "id_attribute": IDENTIFIERS.get(identifier.lower(), identifier),
        "users_filter": users_filter,
        "retired_ou": str(data.get("AUTH_SOURCE_RETIRED_OU") or "").strip(),
    }
    # The search password stays out of the ledger (which keeps a digest of every value): it is
    # compared with the one stored here instead (sync_source).
    password = "" if anonymous else search_password(mapping.text(row, "AUTH_SOURCE_PASSWORD"), server)
    return Mapped(key=uid, label=label, values=values, notes=notes, secret=password)


def search_password(stored: str, server: str) -> str:
    """The search user's password: decoded when ProcessMaker stored it `G::encrypt`ed (its marker
    says so), else as it is (older versions stored it plain)."""
    if not stored.endswith(G_ENCRYPT_MARKER):
        return stored
    try:
        return g_decrypt(stored, server)
    except ValueError:
        raise Refused("the search user's password cannot be decoded (was the server name changed?)") from None


def sync_source(run: Run, ledger: Ledger, mapped: Mapped) -> str:
    source = AuthSource.objects.filter(workspace=run.target, uid=mapped.key).first()
    entry, fields = settle(ledger, mapped, source)
    new_password = source is None or source.bind_password != mapped.secret
    if not fields and not new_password:
        return "unchanged"
    created = source is None
    source = source or AuthSource(workspace=run.target, uid=mapped.key)
    for name in fields:
        setattr(source, name, mapped.values[name])
    source.bind_password = mapped.secret
    try:
        source.full_clean(exclude=["workspace"])
        source.save()
    except ValidationError as invalid:
        raise Refused("; ".join(f"{n}: {' '.join(m)}" for n, m in invalid.message_dict.items())) from None
    except EncryptionUnavailable as error:
        raise Refused(str(error)) from None
    for note in mapped.notes:
        run.report.note(TABLE, mapped.label, note)
    ledger.record(entry, mapped.key, mapped.values)
    return "created" if created else "updated"
