"""State changes for workspaces and users; each one is a single transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from workspaces.models import DEFAULT_ROLES, Role, User, Workspace, fold_username, workspace_name_validator


class WorkspaceError(Exception):
    """Bad input for a workspace or user change, with a message fit to show as is."""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@dataclass
class NewWorkspace:
    workspace: Workspace
    admin: User
    local_client_id: str


@transaction.atomic
def create_workspace(name: str, admin_username: str, admin_password: str) -> NewWorkspace:
    """A workspace with ProcessMaker's two roles, its local web client and an admin user."""
    # oauth_apps depends on workspaces, not the other way round: imported where needed.
    from oauth_apps.services import create_local_client

    try:
        workspace_name_validator(name)
    except ValidationError:
        raise WorkspaceError(f"Invalid workspace name {name!r}: use 1 to 64 letters, digits, '_' or '-'.") from None
    # Names are matched exactly in URLs, but two names that differ only in case would
    # collide on MySQL's case-insensitive unique index: refuse them everywhere alike.
    if Workspace.objects.filter(name__iexact=name).exists():
        raise WorkspaceError(f"Workspace {name!r} already exists.")
    workspace = Workspace.objects.create(name=name)
    roles = {
        code: Role.objects.create(
            workspace=workspace, code=code, name=code.replace("_", " ").title(), permissions=perms
        )
        for code, perms in DEFAULT_ROLES.items()
    }
    admin = create_user(workspace, admin_username, admin_password, role=roles[Role.ADMIN], first_name="Administrator")
    local_client = create_local_client(workspace, owner=admin)
    return NewWorkspace(workspace=workspace, admin=admin, local_client_id=local_client.client_id)


def find_workspace(name: str) -> Workspace:
    workspace = Workspace.objects.filter(name=name).first()
    if workspace is None or workspace.name != name:
        raise WorkspaceError(f"Unknown workspace {name!r}.")
    return workspace


def find_role(workspace: Workspace, code: str) -> Role:
    try:
        return Role.objects.get(workspace=workspace, code=code.upper())
    except Role.DoesNotExist:
        known = ", ".join(workspace.roles.values_list("code", flat=True))
        raise WorkspaceError(f"Unknown role {code!r} in workspace {workspace.name!r} (known: {known}).") from None


@transaction.atomic
def create_user(
    workspace: Workspace,
    username: str,
    password: str,
    *,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    if User.objects.filter(workspace=workspace, username_folded=fold_username(username)).exists():
        raise WorkspaceError(f"User {username!r} already exists in workspace {workspace.name!r}.")
    user = User(
        workspace=workspace,
        username=username.strip(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:
        raise WorkspaceError(describe_validation_error(error)) from None
    user.save()
    return user


def describe_validation_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
