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

from directory import accounts, client
from plumbing.encryption import EncryptionUnavailable
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
    if control.isdecimal() and int(control) & ACCOUNTDISABLE:
        return "533"
    if expires.isdecimal() and int(expires) not in NEVER and expires_at(int(expires)) <= datetime.now(UTC):
        return "701"
    return ""


def expires_at(filetime: int) -> datetime:
    """When an `accountExpires` value (100 ns since 1601) falls; a date past the year 9999 (only a
    directory's mistake sets one) counts as never."""
    try:
        return FILETIME_EPOCH + timedelta(microseconds=filetime // 10)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


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


def verify(user: User | None, password: str, *, workspace: Workspace | None = None, name: str = "") -> User | None:
    """`user` if `password` is theirs and they may log in, else None; SignInUnavailable when their
    directory does not answer. With no `user`, the workspace's sources that register unknown users
    are asked for `name` (the username typed)."""
    if user is None and workspace is not None and password:
        return register_on_first_sign_in(workspace, name, password)
    if user is None or user.auth_source_id is None:
        return verify_password(user, password)
    try:
        source = user.auth_source
    except EncryptionUnavailable as error:  # its search password cannot be read: an operator's matter
        log.error("authentication source of %r unusable: %s", user.username[:100], error)
        raise SignInUnavailable(str(error)) from None
    assert source is not None
    entry = checked_entry(source, user.username, password, user)
    if entry is None:
        return None
    try:
        role = accounts.group_role(source, entry)
    except client.DirectoryUnavailable as error:
        raise SignInUnavailable(str(error)) from None
    accounts.bring_up_to_date(user, source, entry, role)
    return user if user.can_log_in() else None


def still_there(user: User) -> User | None:
    """A directory user signing in without their password (a passkey): their entry is looked up as at a
    sign-in, through the search user, and must still be there, enabled, not expired and not retired
    (SignInRefused, `retire` set, otherwise); the profile and role follow it. `user` if they may log
    in; SignInUnavailable when the directory does not answer."""
    source = user.auth_source
    assert source is not None
    try:
        entry = client.find_user(source, user.username)
        if entry is None:
            raise SignInRefused("gone from the directory", user, retire=True)
        gone = account_gone(source, entry)
        if gone:
            raise SignInRefused(gone, user, retire=True)
        role = accounts.group_role(source, entry)
    except (client.DirectoryUnavailable, EncryptionUnavailable) as error:
        raise SignInUnavailable(str(error)) from None
    accounts.bring_up_to_date(user, source, entry, role)
    return user if user.can_log_in() else None


def checked_entry(source: AuthSource, name: str, password: str, user: User | None) -> client.Entry | None:
    """The entry `name` names, once `password` has bound as it; None for a wrong password or no such
    entry (one Argon2id check spent). SignInRefused for an account Active Directory refuses for its
    own reasons, or one disabled, expired or retired (`user` given: it is deactivated)."""
    try:
        entry = client.find_user(source, name) if password else None
        if entry is None:
            raise client.DirectoryRefused()
        client.bind_as(source, entry.dn, password)
    except client.DirectoryRefused as refused:
        spend_one_argon2_check(password)
        if refused.code in AD_REFUSALS and user is not None:  # the password was not what was wrong: say what was
            log.info("directory %r refused %r: %s", source.name, name[:100], AD_REFUSALS[refused.code])
            raise SignInRefused(refused.code, user, retire=refused.code in AD_RETIRED) from None
        return None  # 525 (no such user) and 52e (wrong password) alike: nothing said about which
    except client.DirectoryUnavailable as error:
        raise SignInUnavailable(str(error)) from None
    gone = account_gone(source, entry)
    if gone and user is not None:
        raise SignInRefused(gone, user, retire=True)
    return None if gone else entry


def register_on_first_sign_in(workspace: Workspace, name: str, password: str) -> User | None:
    """A username nobody has here: the first source that registers unknown users and knows it, whose
    password it is, makes it a user (AuthSource.auto_register); else None, at a local failure's cost."""
    short = short_name(name)
    for source in AuthSource.objects.filter(workspace=workspace, auto_register=True).order_by("name"):
        entry = checked_entry(source, short, password, None)
        if entry is None:
            continue
        try:
            role = accounts.group_role(source, entry)
        except client.DirectoryUnavailable as error:
            raise SignInUnavailable(str(error)) from None
        user = accounts.register(source, entry, short, role)
        return user if user is not None and user.can_log_in() else None
    if not AuthSource.objects.filter(workspace=workspace, auto_register=True).exists():
        spend_one_argon2_check(password)  # as for any unknown user (checked_entry spent it otherwise)
    return None
