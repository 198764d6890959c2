"""Live access and refresh tokens of the imported clients (`--tokens`), so running integrations
keep working through the switch.

- Tokens of ProcessMaker's own web and mobile clients are web sessions: not imported.
- A token whose user cannot log in here (inactive, LDAP, no role) is not imported: here, such a
  user has no live tokens.
- SCOPE NULL (none asked; ProcessMaker never checks scopes) becomes `*`, so the token keeps working
  under our scope checks. EXPIRES is the ProcessMaker server's local time (`--source-timezone`).
- A token is imported once: a later run never brings back one revoked or purged here since.

Tokens are read in batches of 1,000 and written with one INSERT per batch: a token table can hold
millions of rows.
"""

from __future__ import annotations

import uuid
from itertools import islice
from typing import Any

from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import issued_to
from pmimport import mapping
from pmimport.common import Run, per_table
from pmimport.ledger import Ledger
from pmimport.mapping import Mapped, Refused, Skipped
from pmimport.models import ImportedRow
from workspaces.models import User

BATCH = 1000
SOURCES = {
    "access tokens": ("OAUTH_ACCESS_TOKENS", "ACCESS_TOKEN", AccessToken, ImportedRow.Kind.ACCESS_TOKEN),
    "refresh tokens": ("OAUTH_REFRESH_TOKENS", "REFRESH_TOKEN", RefreshToken, ImportedRow.Kind.REFRESH_TOKEN),
}


def import_tokens(run: Run, table: str) -> None:
    source_table, column, model, kind = SOURCES[table]
    run.report.start(table)
    database = run.layout.workspace
    if source_table not in database.tables:
        run.report.note(table, source_table, "no such table: nothing to import")
        return
    floor = mapping.expiry_floor(run.now, run.zone)
    where = "WHERE EXPIRES > %s"
    total = database.count(source_table, where, (floor,))
    clients = {app.client_id: app for app in Application.objects.filter(workspace=run.target, is_local=False)}
    users = User.objects.filter(workspace=run.target).select_related("role")
    can_log_in = {user.uid: user for user in users if user.can_log_in()}
    ledger = Ledger(run.target, kind)
    rows = database.rows(f"SELECT * FROM `{source_table}` {where}", (floor,))  # noqa: S608 - names are ours
    done = 0
    with per_table():
        while batch := list(islice(rows, BATCH)):
            candidates = []
            for row in batch:
                try:
                    candidates.append(check(run, row, column, clients, can_log_in, model is RefreshToken))
                except Skipped as skipped:
                    run.report.count(table, "skipped", reason=str(skipped), listed=False)
                except Refused as refused:
                    run.report.count(table, "failed", f"token of client {mapping.text(row, 'CLIENT_ID')}", str(refused))
            store(run, table, candidates, model, ledger)
            done += len(batch)
            run.progress(table, done, total)


def check(
    run: Run,
    row: dict[str, Any],
    column: str,
    clients: dict[str, Application],
    can_log_in: dict[str, User],
    needs_user: bool,
) -> Mapped:
    client_id = mapping.text(row, "CLIENT_ID").strip()
    if client_id in mapping.LOCAL_CLIENTS:
        raise Skipped("a web session of ProcessMaker's own client")
    mapped = mapping.map_token(row, column, run.zone, run.now)
    if client_id not in clients:
        raise Refused(f"its client {client_id[:80]!r} was not imported")
    uid = mapped.values["user"]
    if uid is None and needs_user:
        raise Refused("a refresh token acting for no user")
    if uid is not None and uid not in can_log_in:
        raise Skipped("its user was not imported or cannot log in here")
    mapped.values.update(application=clients[client_id], user=can_log_in.get(uid) if uid else None)
    return mapped


def store(run: Run, table: str, candidates: list[Mapped], model: Any, ledger: Ledger) -> None:
    """Insert the batch's tokens not imported before, with their ledger rows."""
    keys = [mapped.key for mapped in candidates]
    seen = ledger.keys_among(keys)
    taken = set(model.objects.filter(token_checksum__in=keys).values_list("token_checksum", flat=True))
    fresh, entries = [], []
    for mapped in candidates:
        if mapped.key in seen:
            run.report.count(table, "unchanged")
        elif mapped.key in taken:
            run.report.count(table, "failed", mapped.label, "the same token is already in use here")
        else:
            fresh.append(build(run, mapped, model))
            entries.append(ledger.new_entry(mapped.key))
            taken.add(mapped.key)
            run.report.count(table, "created")
    model.objects.bulk_create(fresh)
    ImportedRow.objects.bulk_create(entries)


def build(run: Run, mapped: Mapped, model: Any) -> AccessToken | RefreshToken:
    values = mapped.values
    common = {**issued_to(run.target, values["application"], values["user"]), "scope": values["scope"]}
    if model is AccessToken:
        return AccessToken(**common, token=values["token"], token_checksum=mapped.key, expires=values["expires"])
    # Only the refresh token's hash is kept, as for every refresh token here; a family of its own,
    # so presenting it twice revokes what it gave.
    return RefreshToken(
        **common, token="", token_checksum=mapped.key, expires=values["expires"], token_family=uuid.uuid4()
    )
