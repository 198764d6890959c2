"""manage.py setworkspace: every setting the admin edits, read and set by a command, all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.workspace_changes import SETTINGS
from workspaces.models import AuditEvent, AuditEventType, Workspace


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("setworkspace", *args, stdout=out)
    return out.getvalue()


def test_it_covers_every_setting_the_admin_edits() -> None:
    from django.contrib import admin

    edited = {name for _, options in admin.site._registry[Workspace].fieldsets for name in options["fields"]}
    assert edited - {"name"} == set(SETTINGS)


def test_the_list_shows_names_values_and_what_each_may_be(workspace: Workspace) -> None:
    listed = json.loads(run("workflow", "--json"))["settings"]
    assert list(listed) == list(SETTINGS)
    assert listed["lockout_threshold"] == {"value": 10, "allowed": "3 to 1000"}
    assert listed["refresh_token_lifetime"]["allowed"] == "60 to 315360000, or none"
    assert listed["access_token_lifetime"]["allowed"] == "60 to 31536000"
    assert listed["error_mode"]["allowed"] == "processmaker | rfc6749"
    assert listed["is_active"] == {"value": True, "allowed": "true | false"}
    text = run("workflow")
    assert "lockout_threshold" in text and "(3 to 1000)" in text


def test_values_are_set_together_and_audited(workspace: Workspace) -> None:
    out = run("workflow", "lockout_threshold=5", "default_scope=view_process edit_process",
              "refresh_token_lifetime=none", "error_mode=rfc6749", "--json")  # fmt: skip
    assert json.loads(out)["changed"] == {
        "lockout_threshold": 5, "default_scope": "view_process edit_process", "refresh_token_lifetime": None,
        "error_mode": "rfc6749",
    }  # fmt: skip
    workspace.refresh_from_db()
    assert (workspace.lockout_threshold, workspace.refresh_token_lifetime, workspace.error_mode) == (5, None, "rfc6749")
    event = AuditEvent.objects.get(event_type=AuditEventType.WORKSPACE_SETTINGS_CHANGED)
    assert event.extra["changes"]["lockout_threshold"] == {"old": 10, "new": 5}


@pytest.mark.parametrize(
    ("assignments", "said"),
    [
        (["lockout_threshold=0"], "lockout_threshold: Ensure this value is greater than or equal to 3"),
        (["lockout_threshold=many"], "lockout_threshold: “many” value must be an integer"),
        (["default_scope=everything"], "'everything': not an API scope"),
        (["error_mode=strict"], "error_mode: Value 'strict' is not a valid choice"),
        (["is_active=maybe"], "is_active: Use true or false"),
        (["colour=blue"], "no such setting 'colour'"),
        (["lockout_threshold"], "'lockout_threshold' is not SETTING=VALUE"),
        (["consent_days=1", "consent_days=2"], "consent_days is given twice"),
        (["name=renamed"], "no such setting 'name'"),
    ],
)
def test_a_wrong_name_or_value_changes_nothing(workspace: Workspace, assignments: list[str], said: str) -> None:
    # A good value beside the bad one is not saved either.
    with pytest.raises(CommandError, match="Nothing changed") as raised:
        run("workflow", "consent_days=30", *assignments) if "consent_days" not in assignments[0] else run(
            "workflow", *assignments
        )
    assert said in str(raised.value)
    workspace.refresh_from_db()
    assert workspace.consent_days == 0 and workspace.lockout_threshold == 10 and workspace.name == "workflow"
    assert not AuditEvent.objects.filter(event_type=AuditEventType.WORKSPACE_SETTINGS_CHANGED).exists()


def test_retiring_and_restoring_by_command(workspace: Workspace) -> None:
    run("workflow", "is_active=false")
    workspace.refresh_from_db()
    assert not workspace.is_active
    run("workflow", "is_active=true")
    types = list(AuditEvent.objects.filter(workspace=workspace).order_by("pk").values_list("event_type", flat=True))
    assert types[-2:] == [AuditEventType.WORKSPACE_RETIRED, AuditEventType.WORKSPACE_RESTORED]


def test_an_unknown_workspace_is_named(db: None) -> None:
    with pytest.raises(CommandError, match="Unknown workspace 'nowhere'"):
        run("nowhere", "lockout_threshold=5")
