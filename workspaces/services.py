"""Lookups and input errors shared by the commands, the admin and the REST API.

The changes themselves (provisioning a workspace, creating, changing and deleting users) are
actions in `accounts.services`: they reach into OAuth too (a workspace needs its local web client,
a password change ends tokens), which this floor knows nothing of.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError

from workspaces.models import Role, Workspace


class WorkspaceError(Exception):
    """Bad input for a workspace or user change, with a message fit to show as is."""


def generate_password() -> str:
    return secrets.token_urlsafe(12)


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


def describe_validation_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)
