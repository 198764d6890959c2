"""A workspace after it is made: its settings changed, retired, restored, or deleted with its rows.

The Django admin, `manage.py setworkspace` and `manage.py deleteworkspace` call these, so each
change is validated by the model's own ranges (workspaces.models.Workspace) and audited alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.db.models import Model, QuerySet

from oauth_apps import websessions
from oauth_apps.models import AccessToken, Application, Grant, RefreshToken
from workspaces import audit, second_factor
from workspaces.adminactions import counted
from workspaces.models import AuditEvent, User, Workspace
from workspaces.services import WorkspaceError

# The settings an operator edits, in the admin's order: `setworkspace` reads and sets the same ones.
SETTINGS = (
    "is_active", "error_mode", "default_scope", "access_token_lifetime", "refresh_token_lifetime",
    "authorization_code_lifetime", "device_code_lifetime", "id_token_lifetime", "consent_days",
    "session_inactivity_timeout", "session_absolute_lifetime", "lockout_threshold", "lockout_window",
    "lockout_duration", "failed_logins_deactivate",
    "password_min_length", "password_max_length", "password_needs_digit", "password_needs_uppercase",
    "password_needs_special", "password_refuses_common", "password_refuses_username", "password_history",
    "password_expiry_days", "must_change_after_reset", "password_grant_refuses_change",
    "second_factor", "second_factor_roles", "password_grant_refuses_second_factor", "passkey_login",
    "logout_to_private_addresses",
)  # fmt: skip
NONE_WORDS = ("", "none", "never")  # a setting that may be empty (refresh_token_lifetime: no expiry)


@dataclass(frozen=True)
class Setting:
    name: str
    value: Any
    allowed: str
    help: str


def describe_settings(workspace: Workspace) -> list[Setting]:
    """Each setting's value and what it may be (from the model's field: choices, validators)."""
    return [Setting(name, getattr(workspace, name), allowed_values(name), field(name).help_text) for name in SETTINGS]


def field(name: str) -> Any:
    return Workspace._meta.get_field(name)


def allowed_values(name: str) -> str:
    model_field = field(name)
    if model_field.choices:
        return " | ".join(str(value) for value, _ in model_field.choices)
    if model_field.get_internal_type() == "BooleanField":
        return "true | false"
    # The field's own ranges, and the database column's (which Django adds): the narrowest of each.
    lows = [v.limit_value for v in model_field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in model_field.validators if isinstance(v, MaxValueValidator)]
    if lows or highs:
        text = f"{max(lows, default=0)} to {min(highs)}" if highs else f"{max(lows)} or more"
        return f"{text}, or none" if model_field.null else text
    if model_field.get_internal_type() == "JSONField":
        return "role codes, comma-separated (empty: everyone)"
    return "one or more of *, view_process, edit_process" if name == "default_scope" else "text"


def parse(name: str, text: str) -> Any:
    """`text` (a command line's value) as the setting's value; ValidationError if it is not one."""
    model_field = field(name)
    if model_field.null and text.strip().lower() in NONE_WORDS:
        return None
    if model_field.get_internal_type() == "BooleanField":
        words = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if text.strip().lower() not in words:
            raise ValidationError("Use true or false.")
        return words[text.strip().lower()]
    if model_field.get_internal_type() == "JSONField":  # second_factor_roles: comma-separated role codes
        return [code.strip() for code in text.split(",") if code.strip()]
    return model_field.to_python(text.strip())


@transaction.atomic
def change_settings(workspace: Workspace, values: Mapping[str, Any], *, by: User | None = None) -> dict[str, Any]:
    """Set `values` (setting name to value) on `workspace`, all or none: WorkspaceError naming every
    unknown setting or bad value. The changes (old and new) are audited; what changed is returned."""
    unknown = sorted(set(values) - set(SETTINGS))
    if unknown:
        raise WorkspaceError(f"No such setting: {', '.join(unknown)}. The settings are: {', '.join(SETTINGS)}.")
    locked = Workspace.objects.select_for_update().get(pk=workspace.pk)
    before = {name: getattr(locked, name) for name in values}
    for name, value in values.items():
        setattr(locked, name, value)
    try:
        # Only what is being set: a value from before today's ranges elsewhere must not block retiring.
        locked.clean_fields(exclude=[f.name for f in Workspace._meta.fields if f.name not in values])
        locked.clean()  # the rules between settings: a maximum password length below the minimum
    except ValidationError as error:
        problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())
        raise WorkspaceError(f"Nothing changed. {problems}") from None
    changed = {name: value for name, value in values.items() if before[name] != value}
    if changed:
        locked.save(update_fields=list(changed))
        record_changes(locked, {name: (before[name], value) for name, value in changed.items()}, by)
        if {"second_factor", "second_factor_roles"} & set(changed) and locked.second_factor == "required":
            end_sessions_without_factor(locked)
    for name, value in values.items():
        setattr(workspace, name, value)
    return changed


def end_sessions_without_factor(workspace: Workspace) -> int:
    """A second factor just became required: the web sessions of the users it is required of and who
    have none end, so their next sign-in enrols one (their other tokens stay)."""
    users = (
        User.objects.filter(workspace=workspace)
        .select_related("role", "workspace")
        .exclude(second_factors__isnull=False)
    )
    return websessions.end_all(
        [user for user in users if second_factor.required_of(user)], why="second factor required"
    )


def record_changes(workspace: Workspace, changes: Mapping[str, tuple[Any, Any]], by: User | None) -> None:
    """Audit events for settings that changed: retiring and restoring have events of their own."""
    active = changes.get("is_active")
    if active is not None:
        event = audit.Event.WORKSPACE_RESTORED if active[1] else audit.Event.WORKSPACE_RETIRED
        audit.record(event, workspace, by=by)
    others = {name: {"old": old, "new": new} for name, (old, new) in changes.items() if name != "is_active"}
    if others:
        audit.record(audit.Event.WORKSPACE_SETTINGS_CHANGED, workspace, by=by, changes=others)


def retire(workspace: Workspace, *, by: User | None = None) -> bool:
    """Deactivate: the workspace answers 503 everywhere (its pages, tokens and API) until restored.
    Whether it was active."""
    return bool(change_settings(workspace, {"is_active": False}, by=by))


def rows_of(workspace: Workspace) -> dict[str, QuerySet[Any]]:
    """What deleting a workspace deletes, by kind, the big tables first (`deleteworkspace` removes
    those in batches, with progress, before the rest goes in one transaction)."""
    return {
        "access_tokens": AccessToken.objects.filter(workspace=workspace),
        "refresh_tokens": RefreshToken.objects.filter(workspace=workspace),
        "authorization_codes": Grant.objects.filter(workspace=workspace),
        "audit_events": AuditEvent.objects.filter(workspace=workspace),
        "applications": Application.objects.filter(workspace=workspace),
        "users": User.objects.filter(workspace=workspace),
    }


BATCHED = ("access_tokens", "refresh_tokens", "authorization_codes", "audit_events")


def describe_rows(counts: Mapping[str, int]) -> str:
    """ "3 access tokens, 1 refresh token, ..." for the counts `rows_of` gives."""
    return ", ".join(counted(count, kind.replace("_", " ").removesuffix("s")) for kind, count in counts.items())


def delete(
    workspace: Workspace,
    *,
    purge: Callable[[str, QuerySet[Model]], int],
    by: User | None = None,
    operator: str = "",
) -> dict[str, int]:
    """Delete `workspace` and every row of it: retired first (it answers 503 while the rest goes),
    the big tables through `purge(kind, queryset)` (batches), then the workspace with the rest in one
    transaction; a site event (no workspace) records the name, the counts and who. The counts."""
    retire(workspace, by=by)
    counts = {kind: queryset.count() for kind, queryset in rows_of(workspace).items()}
    for kind in BATCHED:
        counts[kind] = purge(kind, rows_of(workspace)[kind])
    with transaction.atomic():
        # Users first: their roles are protected while a user holds one.
        rows_of(workspace)["users"].delete()
        Workspace.objects.filter(pk=workspace.pk).delete()
        audit.record(audit.Event.WORKSPACE_DELETED, None, by=by, name=workspace.name, operator=operator, rows=counts)
    return counts
