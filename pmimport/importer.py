"""Import one ProcessMaker workspace: roles, users, clients and (optionally) live tokens.

Each table is imported in one transaction (`per_table`): a crash or a lost connection leaves every
earlier table imported and that table untouched, and the next run carries on from there (the
ledger knows what is done). Inside it, each row has a savepoint of its own, so a row that cannot
be imported is reported with the reason and the rest still lands. A dry run does all of it inside
one transaction that is rolled back, so it reports exactly what a real run would do.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError

from accounts.services import create_workspace, save_role
from accounts.workspace_changes import change_settings
from oauth_apps.models import Application
from oauth_apps.revocation import revoke_tokens
from pmimport import mapping, sources, tokens, users
from pmimport.common import Run, one_row, per_table, settle
from pmimport.ledger import Ledger, Report
from pmimport.mapping import Mapped, Refused
from pmimport.models import ImportedRow
from pmimport.policy import Policy
from workspaces import audit
from workspaces.models import Role, User, Workspace


def run_import(run: Run) -> Report:
    run.workspace, run.created_workspace = target_workspace(run.workspace_name)
    if run.policy is not None:
        import_policy(run, run.policy)
    system = processmaker_system(run)
    import_roles(run, system)
    directory_sources = sources.import_sources(run)
    users.import_users(run, system, directory_sources)
    import_clients(run)
    if run.tokens:
        tokens.import_tokens(run, "access tokens")
        tokens.import_tokens(run, "refresh tokens")
    return run.report


def target_workspace(name: str) -> tuple[Workspace, bool]:
    found = Workspace.objects.filter(name=name).first()
    if found is not None and found.name == name:
        return found, False
    return create_workspace(name)[0], True


def import_policy(run: Run, policy: Policy) -> None:
    """The password policy db.php sets, before the users (whose history it decides on)."""
    with per_table():
        run.policy_changed = change_settings(run.target, policy.values)
    for note in policy.notes:
        run.report.note("password policy", "db.php", note)


# --- Roles ----------------------------------------------------------------------------------


def processmaker_system(run: Run) -> str:
    """RBAC_SYSTEMS' uid of PROCESSMAKER: its roles are the workspace's (RBAC_ADMIN's are not)."""
    rows = list(run.rbac("SELECT * FROM `{SYSTEMS}` WHERE SYS_CODE = %s", ("PROCESSMAKER",)))
    return mapping.text(rows[0], "SYS_UID") if rows else mapping.PROCESSMAKER_SYSTEM


def role_names(run: Run) -> dict[str, str]:
    """ROL_UID -> the role's name from CONTENT (English when there, else any language)."""
    names: dict[str, str] = {}
    for database in {id(db): db for db in (run.layout.workspace, run.layout.rbac)}.values():
        if "CONTENT" not in database.tables:
            continue
        sql = "SELECT * FROM CONTENT WHERE CON_CATEGORY = 'ROL_NAME' ORDER BY CON_LANG <> 'en', CON_LANG"
        for row in database.rows(sql):
            names.setdefault(mapping.text(row, "CON_ID"), mapping.text(row, "CON_VALUE").strip())
    return names


def import_roles(run: Run, system: str) -> None:
    table, ledger = "roles", Ledger(run.target, ImportedRow.Kind.ROLE)
    run.report.start(table)
    granted: dict[str, list[str]] = defaultdict(list)
    switched_off: dict[str, list[str]] = defaultdict(list)
    sql = "SELECT ROL_UID, PER_CODE, PER_STATUS FROM `{ROLES_PERMISSIONS}` JOIN `{PERMISSIONS}` USING (PER_UID)"
    for row in run.rbac(sql):
        active = mapping.text(row, "PER_STATUS", "1") == "1"
        (granted if active else switched_off)[mapping.text(row, "ROL_UID")].append(mapping.text(row, "PER_CODE"))
    names = role_names(run)
    rows = list(run.rbac("SELECT * FROM `{ROLES}` ORDER BY ROL_CODE"))
    with per_table():
        for done, row in enumerate(rows, 1):
            label = mapping.text(row, "ROL_CODE")
            if mapping.text(row, "ROL_SYSTEM") != system:
                run.report.count(table, "skipped", label, "a role of ProcessMaker's RBAC system, not of the workspace")
                run.progress(table, done, len(rows))
                continue
            uid = mapping.text(row, "ROL_UID")

            def work(row: dict[str, Any] = row, uid: str = uid) -> str:
                mapped = mapping.map_role(row, names.get(uid, ""), granted[uid])
                outcome = sync_role(run, ledger, mapped)
                if switched_off[uid] and outcome != "unchanged":
                    off = ", ".join(sorted(switched_off[uid]))
                    run.report.note(
                        table, mapped.label, f"{off}: switched off in ProcessMaker (PER_STATUS 0), not granted"
                    )
                return outcome

            one_row(run, table, label, work)
            run.progress(table, done, len(rows))


def sync_role(run: Run, ledger: Ledger, mapped: Mapped) -> str:
    role = Role.objects.filter(workspace=run.target, code=mapped.values["code"]).first()
    # A workspace's four roles exist before any import: a role of the same code is ProcessMaker's.
    entry, fields = settle(ledger, mapped, role, adopt=True)
    role = role or Role(workspace=run.target)
    before = {name: getattr(role, name) for name in fields} if role.pk else {}
    for name in fields:
        setattr(role, name, mapped.values[name])
    role.full_clean(exclude=["workspace"])
    changed = any(before.get(name) != getattr(role, name) for name in fields) or not role.pk
    if changed:
        save_role(role)
    ledger.record(entry, mapped.key, mapped.values)
    if entry is None:
        return "created" if not before else ("updated" if changed else "unchanged")
    return "updated" if fields else "unchanged"


# --- Clients --------------------------------------------------------------------------------


def import_clients(run: Run) -> None:
    table, ledger = "clients", Ledger(run.target, ImportedRow.Kind.CLIENT)
    run.report.start(table)
    if "OAUTH_CLIENTS" not in run.layout.workspace.tables:
        run.report.note(table, "OAUTH_CLIENTS", "no such table (ProcessMaker 2.x had no OAuth): nothing to import")
        return
    rows = list(run.layout.workspace.rows("SELECT * FROM OAUTH_CLIENTS ORDER BY CLIENT_ID"))
    with per_table():
        for done, row in enumerate(rows, 1):
            one_row(run, table, mapping.text(row, "CLIENT_ID"), partial(sync_client, run, ledger, row))
            run.progress(table, done, len(rows))


def sync_client(run: Run, ledger: Ledger, row: dict[str, Any]) -> str:
    mapped = mapping.map_client(row)
    client_id = mapped.values["client_id"]
    elsewhere = Application.objects.filter(client_id=client_id).exclude(workspace=run.target).first()
    if elsewhere is not None:
        raise Refused(f"this client id is registered in workspace {elsewhere.workspace.name!r} here: not imported")
    app = Application.objects.filter(workspace=run.target, client_id=client_id).first()
    entry, fields = settle(ledger, mapped, app)
    if not fields:
        return "unchanged"
    app = app or Application(
        workspace=run.target,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        hash_client_secret=True,
    )
    for name in fields:
        value = mapped.values[name]
        if name == "user":
            value = User.objects.filter(workspace=run.target, uid=value).first() if value else None
            if value is None and mapped.values["user"]:
                mapped.notes.append(f"its owner {mapped.values['user']} was not imported: it has no owner here")
        setattr(app, name, value)
    try:
        app.full_clean(exclude=["client_secret", "user", "workspace", "client_id"])
    except ValidationError as invalid:
        if set(invalid.message_dict) != {"redirect_uris"}:
            raise
        why = invalid.message_dict["redirect_uris"][0]
        mapped.notes.append(
            f"callback {app.redirect_uris[:200]!r} is not valid here ({why}): left empty, so the "
            "authorization-code flow needs a new one"
        )
        app.redirect_uris = ""
    created = app.pk is None
    app.save()
    for note in mapped.notes:
        run.report.note("clients", mapped.label, note)
    event = audit.Event.APPLICATION_CREATED if created else audit.Event.APPLICATION_UPDATED
    audit.record(event, run.target, client_id=client_id, imported_from="ProcessMaker", fields=sorted(fields))
    if not created and "client_secret" in fields:
        revoke_tokens(client=app, why="client secret changed in ProcessMaker")
    ledger.record(entry, mapped.key, mapped.values)
    return "created" if created else "updated"
