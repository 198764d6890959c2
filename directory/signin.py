"""The password check of a directory user: find their entry by the identifier attribute, bind as it
with the password typed, and apply this workspace's own rules (status, due date, role, PM_LOGIN)
exactly as to a local user. Local users are checked as before (workspaces.backends.verify_password).

A directory user has no usable password here and theirs is never stored. Their entry is looked up
afresh at each sign-in, so one moved in the directory is found where it went (and the DN kept here is
updated). A failure costs one Argon2id check besides, as a local failure does, so the time a refusal
takes says little about which kind of user was tried.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import ldap.dn

from directory import client
from workspaces.backends import SignInRefused, SignInUnavailable, spend_one_argon2_check, verify_password
from workspaces.models import AuthSource, User, Workspace

log = logging.getLogger(__name__)


def short_name(typed: str) -> str:
    """The identifier in `user@domain` or `DOMAIN\\user`: what the directory's attribute holds."""
    typed = typed.strip()
    if "\\" in typed:
        return typed.rsplit("\\", 1)[1]
    if "@" in typed:
        return typed.split("@", 1)[0]
    return typed


# Active Directory's reasons for refusing a bind (the `data XXX` of its answer) that are not a wrong
# password: shown on the web login (oauth_apps.errors.DIRECTORY_REFUSALS), never on the password grant.
AD_REFUSALS = {
    "530": "not permitted to log on at this time",
    "531": "not permitted to log on at this workstation",
    "532": "password expired",
    "533": "account disabled",
    "701": "account expired",
    "773": "must reset password",
    "775": "account locked out",
}
AD_RETIRED = {"533", "701"}  # gone there: deactivated here
ACCOUNTDISABLE = 0x2  # userAccountControl
NEVER = {0, 0x7FFFFFFFFFFFFFFF}  # accountExpires
FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)


def account_gone(source: AuthSource, entry: client.Entry) -> str:
    """Why the entry's account no longer signs in although its password was right ("" when it does):
    under the retired users' OU, or (Active Directory) disabled or expired."""
    if source.retired_ou and is_under(entry.dn, source.retired_ou):
        return "retired"
    if source.kind != AuthSource.Kind.AD:
        return ""
    control, expires = entry.first("userAccountControl"), entry.first("accountExpires")
    if control.isdigit() and int(control) & ACCOUNTDISABLE:
        return "533"
    if expires.isdigit() and int(expires) not in NEVER:
        if FILETIME_EPOCH + timedelta(microseconds=int(expires) // 10) <= datetime.now(UTC):
            return "701"
    return ""


def is_under(dn: str, parent: str) -> bool:
    """Whether `dn` lies under `parent`, compared RDN by RDN, case-insensitively."""
    child, ancestor = ldap.dn.str2dn(dn.lower()), ldap.dn.str2dn(parent.lower())
    return len(child) > len(ancestor) and child[-len(ancestor) :] == ancestor


def resolve_name(workspace: Workspace, typed: str) -> str:
    """The username to look up: `typed`, unless it is `user@domain` or `DOMAIN\\user`, names nobody
    here, and its short form names a directory user (a local username may hold an @ itself)."""
    short = short_name(typed)
    if short == typed.strip() or User.objects.find_in_workspace(workspace, typed) is not None:
        return typed
    found = User.objects.find_in_workspace(workspace, short)
    return short if found is not None and found.auth_source_id is not None else typed


def verify(user: User | None, password: str) -> User | None:
    """`user` if `password` is theirs and they may log in, else None; SignInUnavailable when their
    directory does not answer."""
    if user is None or user.auth_source_id is None:
        return verify_password(user, password)
    source = user.auth_source
    assert source is not None
    try:
        entry = client.find_user(source, user.username) if password else None
        if entry is None:
            raise client.DirectoryRefused()
        client.bind_as(source, entry.dn, password)
    except client.DirectoryRefused as refused:
        spend_one_argon2_check(password)
        if refused.code in AD_REFUSALS:  # the password was not what was wrong: say what was
            log.info("directory %r refused %r: %s", source.name, user.username[:100], AD_REFUSALS[refused.code])
            raise SignInRefused(refused.code, user, retire=refused.code in AD_RETIRED) from None
        return None  # 525 (no such user) and 52e (wrong password) alike: nothing said about which
    except client.DirectoryUnavailable as error:
        raise SignInUnavailable(str(error)) from None
    gone = account_gone(source, entry)
    if gone:
        raise SignInRefused(gone, user, retire=True)
    if entry.dn != user.directory_dn:
        User.objects.filter(pk=user.pk).update(directory_dn=entry.dn)
        user.directory_dn = entry.dn
    return user if user.can_log_in() else None
