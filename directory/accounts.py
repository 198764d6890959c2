"""What a directory entry says of the user here: their profile (the source's attribute map, email
falling back to userPrincipalName), their role (the source's group-to-role map: the first group
listed that the entry belongs to, nested groups included on Active Directory), and, for a username
nobody has here, a new user (a source that registers unknown users on first sign-in)."""

from __future__ import annotations

import logging
from typing import Any

import ldap
import ldap.filter
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from directory import client
from workspaces import audit
from workspaces.models import AuthSource, Role, User
from workspaces.usernames import validate_username

log = logging.getLogger(__name__)
IN_CHAIN = "1.2.840.113556.1.4.1941"  # Active Directory's LDAP_MATCHING_RULE_IN_CHAIN: nested membership


def profile(source: AuthSource, entry: client.Entry) -> dict[str, str]:
    """Profile field -> value from the entry, each cut to its column and an invalid email left out."""
    values: dict[str, str] = {}
    for field, attribute in source.attributes.items():
        value = entry.first(attribute) or (entry.first("userPrincipalName") if field == "email" else "")
        if not value:
            continue
        if field == "email":
            try:
                validate_email(value)
            except ValidationError:
                continue
        values[field] = value[: User._meta.get_field(field).max_length or 255]  # type: ignore[union-attr]
    return values


def group_filter(source: AuthSource, entry: client.Entry) -> str:
    """The filter that matches, at a group's own DN, a group holding the entry (LDAP and 389-DS:
    member, uniqueMember or memberUid)."""
    dn, uid = ldap.filter.escape_filter_chars(entry.dn), ldap.filter.escape_filter_chars(entry.first("uid"))
    return f"(|(member={dn})(uniqueMember={dn})" + (f"(memberUid={uid})" if uid else "") + ")"


def nested_member_filter(group_dn: str) -> str:
    """The filter that matches, at the user's own DN, a user inside `group_dn` at any depth (AD)."""
    return f"(memberOf:{IN_CHAIN}:={ldap.filter.escape_filter_chars(group_dn)})"


def group_role(source: AuthSource, entry: client.Entry) -> Role | None:
    """The role the first mapped group holding the entry gives, or None (none maps, or none holds it)."""
    if not source.group_roles:
        return None
    with client.searching(source) as connection:
        for group_dn, code in source.group_roles.items():
            try:
                if source.kind == AuthSource.Kind.AD:
                    found = connection.search_s(entry.dn, ldap.SCOPE_BASE, nested_member_filter(group_dn), ["1.1"])
                else:
                    found = connection.search_s(group_dn, ldap.SCOPE_BASE, group_filter(source, entry), ["1.1"])
            except ldap.NO_SUCH_OBJECT:
                log.warning("source %r maps a group that does not exist: %s", source.name, group_dn)
                continue
            if found:
                return Role.objects.filter(workspace_id=source.workspace_id, code=code).first()
    return None


def bring_up_to_date(user: User, source: AuthSource, entry: client.Entry, role: Role | None) -> list[str]:
    """Write what the directory says of `user` (DN, profile, role) where it differs; the fields changed."""
    changes: dict[str, Any] = {name: value for name, value in profile(source, entry).items()
                               if getattr(user, name) != value}  # fmt: skip
    if entry.dn != user.directory_dn:
        changes["directory_dn"] = entry.dn
    if role is not None and role.pk != user.role_id:
        audit.record(audit.Event.USER_ROLE_CHANGED, user.workspace_id, user=user,
                     old=user.role.code if user.role else None, new=role.code, via="directory groups")  # fmt: skip
        changes["role"] = role
    if changes:
        for name, value in changes.items():
            setattr(user, name, value)
        user.save(update_fields=list(changes))
    return sorted(changes)


def register(source: AuthSource, entry: client.Entry, name: str, role: Role | None) -> User | None:
    """A new user of the source's workspace for `entry` (its identifier attribute as the username);
    None when that is no valid username here or someone took it meanwhile."""
    username = entry.first(source.id_attribute) or name
    try:
        validate_username(username)
    except ValidationError:
        log.warning("source %r: %r cannot be a username here: not registered", source.name, username[:100])
        return None
    user = User(workspace_id=source.workspace_id, username=username, auth_source=source, directory_dn=entry.dn,
                role=role or source.register_role, **profile(source, entry))  # fmt: skip
    user.set_unusable_password()
    if User.objects.find_in_workspace(source.workspace, username) is not None:
        return None
    user.save()
    audit.record(audit.Event.USER_CREATED, source.workspace_id, user=user, via=f"directory {source.name}",
                 role=user.role.code if user.role else None)  # fmt: skip
    return user
