"""Workspace and user lifecycle: the actions above both `workspaces` and `oauth_apps`.

Provisioning a workspace needs its roles and first admin (workspaces) and its local web client
(OAuth); changing or deleting a user may end their tokens (OAuth). The commands, the Django admin
and the REST API all call these, so every path applies the same rules. Each is one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import policy
from oauth_apps import consents, errors, owners
from oauth_apps.models import Application
from oauth_apps.revocation import revoke_tokens
from oauth_apps.services import delete_application, local_client
from workspaces import audit, password_policy
from workspaces.errors import USERNAME_TAKEN
from workspaces.models import ErrorMode, PermissionCode, Role, User, Workspace
from workspaces.names import WORKSPACE_NAME_RULE, workspace_name_validator
from workspaces.rbac import DEFAULT_ROLES
from workspaces.services import WorkspaceError, describe_validation_error
from workspaces.usernames import fold_username


@dataclass
class NewWorkspace:
    workspace: Workspace
    admin: User
    local_client_id: str


def check_new_workspace_name(name: str) -> None:
    """WorkspaceError unless `name` is well formed and free."""
    try:
        workspace_name_validator(name)
    except ValidationError:
        raise WorkspaceError(f"Invalid workspace name {name!r}: use {WORKSPACE_NAME_RULE}.") from None
    # Names are matched exactly in URLs, but two names that differ only in case would
    # collide on MySQL's case-insensitive unique index: refuse them everywhere alike.
    if Workspace.objects.filter(name__iexact=name).exists():
        raise WorkspaceError(f"Workspace {name!r} already exists.")


@transaction.atomic
def provision_workspace(workspace: Workspace | str, admin_username: str, admin_password: str) -> NewWorkspace:
    """A usable workspace: ProcessMaker's four roles, its local web client and a first admin.

    `workspace` is a name, or an unsaved Workspace whose settings are kept (the admin's form).
    """
    workspace, client = create_workspace(workspace)
    admin_role = workspace.roles.get(code=Role.ADMIN)
    admin = create_user(workspace, admin_username, admin_password, role=admin_role, first_name="Administrator")
    return NewWorkspace(workspace=workspace, admin=admin, local_client_id=client.client_id)


@transaction.atomic
def create_workspace(workspace: Workspace | str) -> tuple[Workspace, Application]:
    """A new workspace with ProcessMaker's four roles and its local web client, but no user yet
    (`provision_workspace` adds the first admin; `import_processmaker` brings the users over)."""
    if isinstance(workspace, str):
        workspace = Workspace(name=workspace)
    check_new_workspace_name(workspace.name)
    if workspace.error_mode == ErrorMode.RFC6749:
        # A workspace made for RFC 6749 clients owes ProcessMaker's clients nothing: a password due
        # for change is refused on the password grant too (the setting can be turned off afterwards).
        workspace.password_grant_refuses_change = True
    workspace.save()
    for role in DEFAULT_ROLES:
        Role.objects.create(workspace=workspace, code=role.code, name=role.name, permissions=role.permissions)
    return workspace, local_client(workspace)


@transaction.atomic
def create_user(
    workspace: Workspace,
    username: str,
    password: str,
    *,
    role: Role,
    by: User | None = None,
    **profile: Any,
) -> User:
    """A new user of the workspace with the given profile fields (model field names: first_name,
    email, status, due_date, country, ...); WorkspaceError, with a message to show, for bad input,
    and `policy.NotAllowed` when the user `by` (a request's actor) may not create it."""
    if by is not None:
        policy.check_create(by, role)
    if User.objects.filter(workspace=workspace, username_folded=fold_username(username)).exists():
        raise WorkspaceError(USERNAME_TAKEN.format(username=username, workspace=workspace.name))
    user = User(workspace=workspace, username=username.strip(), role=role, **profile)
    check_password_rule(password, user)
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise WorkspaceError(describe_validation_error(error)) from None
    return add_user(user, by=by)


def check_password_rule(password: str, user: User | None = None) -> None:
    """The workspace's password policy (workspaces.password_policy, through AUTH_PASSWORD_VALIDATORS),
    on every path that sets one: the commands, the admin, the REST API. WorkspaceError naming each
    rule broken, in ProcessMaker's words."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WorkspaceError(" ".join(error.messages)) from None


@transaction.atomic
def add_user(user: User, *, by: User | None = None) -> User:
    """Save a new, validated user and record it (create_user, and the admin's "Add user")."""
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # the same username, created at the same moment by another request
        raise WorkspaceError(USERNAME_TAKEN.format(username=user.username, workspace=user.workspace)) from None
    audit.record(
        audit.Event.USER_CREATED, user.workspace_id, by=by, user=user, role=user.role.code if user.role else None
    )
    return user


def update_user(user: User, changes: Mapping[str, Any], *, password: str | None = None, by: User | None = None) -> User:
    """Set the given model fields (and a new password) and save, ending the user's tokens when
    the change calls for it (see `save_user`); `policy.NotAllowed` when `by` may not."""
    if by is not None:
        policy.check_change(by, user, changes, password=password is not None)
    for field, value in changes.items():
        setattr(user, field, value)
    changed = set(changes)
    if password is not None:
        check_password_rule(password, user)
        user.set_password(password)
        changed.add("password")
    save_user(user, changed, by=by)
    return user


def change_own_password(user: User, password: str, *, forced: bool) -> None:
    """The user sets a new password on the change-password page. `forced`: the login stopped there
    (must change, expired, no longer compliant), so no permission is asked; otherwise the user's
    role must grant changing their own password (PM_EDIT_USER_PROFILE_PASSWORD), as over REST.
    WorkspaceError for a password the policy refuses or that is the current one."""
    if user.check_password(password):
        raise WorkspaceError(errors.PASSWORD_UNCHANGED)
    if forced:
        check_password_rule(password, user)
        user.set_password(password)
        save_user(user, ["password"], by=user)
    else:
        update_user(user, {}, password=password, by=user)


@transaction.atomic
def save_user(user: User, changed: Iterable[str], *, by: User | None = None) -> None:
    """Save a user whose fields named in `changed` were just set, and end what the change ends:

    - a new password (a reset is usually a leak) or a user who can no longer log in (set inactive or
      on vacation, as ProcessMaker does, past the due date, a role without PM_LOGIN): every token of
      theirs, and the client_credentials tokens of the clients they own, which act as them;
    - a role without PM_REST_API_APPLICATIONS: those client_credentials tokens;
    - a password reset by someone else (an administrator): the clients they own are held until they
      confirm each secret (`oauth_apps.owners`)."""
    changed = set(changed)
    before: Mapping[str, Any] = (
        User.objects.filter(pk=user.pk).values("status", "role__code", "workspace_id", "password").first() or {}
    )
    if before and before["workspace_id"] != user.workspace_id:
        raise WorkspaceError(errors.WORKSPACE_IS_FIXED.format(what="a user"))
    if "password" in changed and user.auth_source_id is not None and user.has_usable_password():
        source = user.auth_source.name if user.auth_source else ""
        raise WorkspaceError(errors.DIRECTORY_PASSWORD.format(username=user.username, source=source))
    if "password" in changed:
        note_new_password(user, before.get("password", ""), by=by)
    if "status" in changed and user.is_active:
        user.failed_logins = 0  # a reactivation starts the count afresh
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a username taken a moment ago by another request
        raise WorkspaceError(USERNAME_TAKEN.format(username=user.username, workspace=user.workspace)) from None
    record_user_changes(user, changed, before, by)
    if "password" in changed or not user.can_log_in():
        why = "password changed" if "password" in changed else "can no longer log in"
        revoke_tokens(user=user, owned_by=user, by=by, why=why)
    elif not user.has_pm_permission(PermissionCode.PM_REST_API_APPLICATIONS):
        revoke_tokens(owned_by=user, by=by, why="no longer holds PM_REST_API_APPLICATIONS")
    if "password" in changed and by is not None and by.pk != user.pk:
        owners.hold_secrets(user, by=by)


def note_new_password(user: User, replaced_hash: str, *, by: User | None) -> None:
    """What a new password changes beside the hash: pending codes and device approvals end, the
    replaced hash joins the history, and the must-change flag is cleared by the user's own change or
    set by someone else's reset where the workspace asks for it."""
    user.credentials_changed_at = timezone.now()
    if user.workspace is not None:
        password_policy.remember_replaced(user, replaced_hash)
    if by is not None and by.pk == user.pk:
        user.must_change_password = False
    elif user.workspace is not None and user.workspace.must_change_after_reset:
        user.must_change_password = True


def record_user_changes(user: User, changed: set[str], before: Mapping[str, Any], by: User | None) -> None:
    """Audit events for the changes that matter to security: role, status, password."""
    workspace, role = user.workspace_id, user.role.code if user.role else None
    if "role" in changed and before.get("role__code") != role:
        audit.record(audit.Event.USER_ROLE_CHANGED, workspace, by=by, user=user, old=before.get("role__code"), new=role)
    if "status" in changed and before.get("status") != user.status:
        old_status = before.get("status")
        audit.record(audit.Event.USER_STATUS_CHANGED, workspace, by=by, user=user, old=old_status, new=user.status)
    if "password" in changed:
        audit.record(audit.Event.USER_PASSWORD_CHANGED, workspace, by=by, user=user)


@transaction.atomic
def save_role(role: Role, *, by: User | None = None) -> None:
    """Save a role; when it no longer lets its users log in (inactive, or without PM_LOGIN), every
    token of theirs is revoked, with the client_credentials tokens of the clients they own; when it
    no longer grants PM_REST_API_APPLICATIONS, those client_credentials tokens."""
    role.save()
    if not role.grants(PermissionCode.PM_LOGIN):
        revoke_tokens(role=role, owned_by_role=role, by=by, why=f"role {role.code} can no longer log in")
    elif not role.grants(PermissionCode.PM_REST_API_APPLICATIONS):
        revoke_tokens(owned_by_role=role, by=by, why=f"role {role.code} no longer holds PM_REST_API_APPLICATIONS")


def revoke_application_grant(user: User, client: Application, *, by: User | None = None) -> int:
    """End what `user` granted `client` (its tokens for them, the remembered consent);
    `policy.NotAllowed` when `by` may not. How many tokens were live."""
    if by is not None:
        policy.check_revoke_grants(by, user)
    return consents.revoke_application(user, client, by=by)


@transaction.atomic
def delete_user(user: User, *, by: User | None = None) -> None:
    """Remove a user with their tokens, codes and the applications they registered (whose tokens,
    of any user, go with them). The workspace's local web client has no owner, so it stays."""
    if by is not None:
        policy.check_delete(by, user)
    for application in Application.objects.filter(user=user):
        delete_application(application, by=by)
    revoke_tokens(user=user, by=by, why="user deleted")
    audit.record(audit.Event.USER_DELETED, user.workspace_id, by=by, username=user.username, uid=user.uid)
    user.delete()
