"""Users: RBAC_USERS (what ProcessMaker's login reads) joined with USERS (the profile) by USR_UID.

Passwords keep ProcessMaker's unsalted digest, wrapped in Argon2id (`pm_md5_argon2$`,
`pm_sha256_argon2$`: workspaces.hashers): it verifies with the old password and becomes plain
Argon2id at the user's first login here, so nobody has to reset anything, and a leaked table holds
no fast hash meanwhile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from accounts.services import add_user, save_user
from pmimport import mapping
from pmimport.common import Run, one_row, per_table, settle
from pmimport.ledger import Ledger
from pmimport.mapping import Mapped, Refused
from pmimport.models import ImportedRow
from workspaces.hashers import wrap_legacy
from workspaces.models import AuthSource, Role, UsedPassword, User
from workspaces.usernames import fold_username

TABLE = "users"
VALIDATION_ROUNDS = 4


def import_users(run: Run, system: str, sources: dict[str, AuthSource] | None = None) -> None:
    ledger = Ledger(run.target, ImportedRow.Kind.USER)
    run.report.start(TABLE)
    rbac_users = {mapping.text(row, "USR_UID"): row for row in run.rbac("SELECT * FROM `{USERS}`")}
    sql = "SELECT UR.USR_UID, R.ROL_CODE FROM `{USERS_ROLES}` UR JOIN `{ROLES}` R USING (ROL_UID) WHERE ROL_SYSTEM = %s"
    role_of = {mapping.text(row, "USR_UID"): mapping.text(row, "ROL_CODE") for row in run.rbac(sql, (system,))}
    properties = user_properties(run)
    known_sources = frozenset(sources or {})
    roles = {role.code: role for role in Role.objects.filter(workspace=run.target)}
    wf_users = list(run.layout.workspace.rows("SELECT * FROM USERS ORDER BY USR_UID"))
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = [
        (rbac_users.pop(mapping.text(row, "USR_UID"), None), row) for row in wf_users
    ]
    pairs += [(row, None) for row in rbac_users.values()]  # in RBAC_USERS only: login still knows them
    references: dict[int, dict[str, str | None]] = {}
    with per_table():
        for done, (rbac_row, users_row) in enumerate(pairs, 1):
            uid = mapping.text(rbac_row or users_row or {}, "USR_UID")
            label = f"{mapping.text(rbac_row or users_row or {}, 'USR_USERNAME')} ({uid})"

            def work(rbac_row: dict[str, Any] | None = rbac_row, users_row: dict[str, Any] | None = users_row) -> str:
                if rbac_row is None:
                    mapping.user_status(users_row, {})  # a CLOSED user is skipped, not refused
                    raise Refused("no RBAC_USERS row: ProcessMaker itself cannot log them in")
                uid = mapping.text(rbac_row, "USR_UID")
                kept = properties.get(uid, Properties())
                mapped = mapping.map_user(rbac_row, users_row, role_of.get(uid), kept.must_change, known_sources)
                return sync_user(run, ledger, mapped, roles, references, kept, sources or {})

            one_row(run, TABLE, label, work)
            run.progress(TABLE, done, len(pairs))
        link_references(run, references)


@dataclass(frozen=True)
class Properties:
    """A user's USERS_PROPERTIES row: must change the password at the next login
    (USR_LOGGED_NEXT_TIME = 1), when it was last set (USR_LAST_UPDATE_DATE, which expiry counts from)
    and the digests of earlier passwords (USR_PASSWORD_HISTORY, a PHP-serialized list)."""

    must_change: bool = False
    last_update: datetime | None = None
    history: tuple[str, ...] = ()


SERIALIZED_STRING = re.compile(r's:\d+:"([^"]*)";')


def user_properties(run: Run) -> dict[str, Properties]:
    if "USERS_PROPERTIES" not in run.layout.workspace.tables:
        return {}
    found = {}
    for row in run.layout.workspace.rows("SELECT * FROM USERS_PROPERTIES"):
        digests = SERIALIZED_STRING.findall(mapping.text(row, "USR_PASSWORD_HISTORY"))
        found[mapping.text(row, "USR_UID")] = Properties(
            must_change=mapping.text(row, "USR_LOGGED_NEXT_TIME", "0") == "1",
            last_update=mapping.moment(row.get("USR_LAST_UPDATE_DATE"), run.zone),
            # Only what is a digest: some old versions wrote the password itself there.
            history=tuple(hashed for digest in digests if (hashed := mapping.password_hash(digest.strip()))),
        )
    return found


def sync_user(
    run: Run,
    ledger: Ledger,
    mapped: Mapped,
    roles: dict[str, Role],
    references: dict[int, dict[str, str | None]],
    properties: Properties,
    sources: dict[str, AuthSource],
) -> str:
    user = User.objects.select_related("role").filter(workspace=run.target, uid=mapped.key).first()
    entry, fields = settle(ledger, mapped, user)
    if not fields:
        return "unchanged"
    if user is None:
        taken = fold_username(mapped.values["username"])
        if User.objects.filter(workspace=run.target, username_folded=taken).exists():
            raise Refused(f"a user named {mapped.values['username']!r} already exists here: left alone")
        user = User(workspace=run.target, uid=mapped.key)
    created = user.pk is None
    if not created and mapped.values["auth_source"] and user.auth_source_id is None and user.has_usable_password():
        # Imported before directory sign-in came, and given a password here since: left signing in
        # here (switched only by an administrator), and said.
        fields = [name for name in fields if name not in ("auth_source", "directory_dn", "password", "status")]
        mapped.notes.append("a directory user given a password here since: left signing in here, not switched")
    for name in fields:
        set_field(user, name, mapped, roles, sources)
    validate(user, [name for name in fields if name not in mapping.REFERENCE_COLUMNS.values()], mapped)
    if created:
        add_user(user)
    else:
        save_user(user, fields)
    if "password" in fields:
        keep_password_record(user, mapped.values["password"], properties)
    for note in mapped.notes:
        run.report.note(TABLE, mapped.label, note)
    wanted = {name: mapped.values[name] for name in mapping.REFERENCE_COLUMNS.values() if name in fields}
    if wanted:
        references[user.pk] = wanted
    ledger.record(entry, mapped.key, mapped.values)
    return "created" if created else "updated"


def keep_password_record(user: User, current: str, properties: Properties) -> None:
    """The imported password's age (for expiry) and, when the workspace keeps a history, the earlier
    passwords ProcessMaker kept (newest last there): at most as many as the rule reads, wrapped as the
    password is. `current`: the password's digest as imported (`pm_md5$...`, or "" for none)."""
    if properties.last_update is not None:
        User.objects.filter(pk=user.pk).update(credentials_changed_at=properties.last_update)
    UsedPassword.objects.filter(user=user).delete()
    keep = max(user.workspace.password_history - 1, 0) if user.workspace else 0
    earlier = [digest for digest in reversed(properties.history) if digest != current][:keep]
    UsedPassword.objects.bulk_create(UsedPassword(user=user, password=wrap_legacy(digest)) for digest in earlier)


def set_field(user: User, name: str, mapped: Mapped, roles: dict[str, Role], sources: dict[str, AuthSource]) -> None:
    value = mapped.values[name]
    if name == "auth_source":
        user.auth_source = sources.get(value) if value else None
    elif name == "password":
        if value:
            user.password = wrap_legacy(value)
        else:
            user.set_unusable_password()
    elif name == "role":
        user.role = roles.get(value) if value else None
        if value and user.role is None:
            mapped.notes.append(f"role {value} was not imported: the user has no role (cannot log in)")
    elif name in mapping.REFERENCE_COLUMNS.values():
        pass  # linked once every user is in (link_references)
    else:
        setattr(user, name, value)


def validate(user: User, fields: list[str], mapped: Mapped) -> None:
    """full_clean, leaving empty (with a note) a profile field whose ProcessMaker value is not valid
    here rather than leaving the whole user behind; Refused when the user itself is not valid."""
    for _ in range(VALIDATION_ROUNDS):
        try:
            user.full_clean(exclude=["password", "replaced_by", "reports_to"])
            return
        except ValidationError as invalid:
            problems = invalid.message_dict
        optional = [name for name in problems if name in mapping.OPTIONAL_FIELDS and name in fields]
        if len(optional) < len(problems):
            raise Refused(
                "; ".join(
                    f"{mapping.COLUMN_OF.get(name, name)}: {' '.join(messages)}" for name, messages in problems.items()
                )
            )
        for name in optional:
            dropped = getattr(user, name)
            setattr(user, name, User._meta.get_field(name).get_default())  # type: ignore[union-attr]
            why = " ".join(problems[name])
            column = mapping.COLUMN_OF.get(name, name)
            mapped.notes.append(f"{column} {str(dropped)[:100]!r} is not valid here ({why}): left empty")
            if name == "country":  # a region or place needs its country
                user.city = user.location = ""
    raise Refused("its profile could not be made valid here")


def link_references(run: Run, references: dict[int, dict[str, str | None]]) -> None:
    """USR_REPLACED_BY / USR_REPORTS_TO, once every user they may name has been imported."""
    if not references:
        return
    uids = {uid for wanted in references.values() for uid in wanted.values() if uid}
    pks = dict(User.objects.filter(workspace=run.target, uid__in=uids).values_list("uid", "pk"))
    for user in User.objects.filter(pk__in=list(references)):
        for name, uid in references[user.pk].items():
            setattr(user, f"{name}_id", pks.get(uid) if uid else None)
            if uid and uid not in pks:
                run.report.note(TABLE, f"{user.username} ({user.uid})", f"{name} {uid} was not imported: left empty")
        user.save(update_fields=[f"{name}" for name in references[user.pk]])
