"""Lookups and input errors shared by the commands, the admin and the REST API.

The changes themselves (provisioning a workspace, creating, changing and deleting users) are
actions in `accounts.services`: they reach into OAuth too (a workspace needs its local web client,
a password change ends tokens), which this floor knows nothing of.
"""

from __future__ import annotations

import secrets
import string

from django.core.exceptions import ValidationError

from workspaces import password_policy
from workspaces.models import Role, Workspace


class WorkspaceError(Exception):
    """Bad input for a workspace or user change, with a message fit to show as is."""


GENERATED_ALPHABET = string.ascii_letters + string.digits + "-_.!"


def generate_password(workspace: Workspace | None = None) -> str:
    """A random password that keeps to `workspace`'s password policy (a new workspace's by default):
    16 characters, or as many as the policy's lengths allow, drawn again until no rule is broken."""
    policy = workspace or Workspace()
    length = min(max(16, policy.password_min_length), policy.password_max_length)
    for _ in range(1000):  # a draw breaks a rule rarely (all of one class, say): a few at most
        password = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(length))
        if not password_policy.broken_rules(policy, password):
            return password
    raise WorkspaceError("No password could be generated for this policy: give one with --password.")


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
