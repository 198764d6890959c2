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

from directory import client
from workspaces.backends import SignInUnavailable, spend_one_argon2_check, verify_password
from workspaces.models import User, Workspace

log = logging.getLogger(__name__)


def short_name(typed: str) -> str:
    """The identifier in `user@domain` or `DOMAIN\\user`: what the directory's attribute holds."""
    typed = typed.strip()
    if "\\" in typed:
        return typed.rsplit("\\", 1)[1]
    if "@" in typed:
        return typed.split("@", 1)[0]
    return typed


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
        if refused.code:
            log.info("directory %r refused %r (code %s)", source.name, user.username[:100], refused.code)
        spend_one_argon2_check(password)
        return None
    except client.DirectoryUnavailable as error:
        raise SignInUnavailable(str(error)) from None
    if entry.dn != user.directory_dn:
        User.objects.filter(pk=user.pk).update(directory_dn=entry.dn)
        user.directory_dn = entry.dn
    return user if user.can_log_in() else None
