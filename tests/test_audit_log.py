"""The audit log: one row per security event, in the change's transaction, never a credential."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD, log_in_to_admin
from tests.oauth import bearer, issue, password_grant, refresh_grant
from workspaces.models import AuditEvent, AuditEventType, Role, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
APPLICATIONS = "/sysworkflow/en/neoclassic/oauth2/applications"


def events(kind: AuditEventType) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=kind).order_by("pk"))


def test_web_logins_are_recorded_with_user_and_address(client: Client, operator_user: User) -> None:
    client.post(LOGIN, {"username": "johndoe", "password": "wrong"}, REMOTE_ADDR="10.9.0.1")
    client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}, REMOTE_ADDR="10.9.0.2")
    (failed,) = events(AuditEventType.LOGIN_FAILED)
    assert failed.ip_address == "10.9.0.1" and failed.extra == {"username": "johndoe", "via": "web login"}
    (succeeded,) = events(AuditEventType.LOGIN_SUCCEEDED)
    assert succeeded.target_user == operator_user and succeeded.workspace_id == operator_user.workspace_id


def test_a_failed_password_grant_is_recorded_despite_the_rollback(app: RegisteredClient, operator_user: User) -> None:
    password_grant(Client(), app, "johndoe", "wrong")
    (failed,) = events(AuditEventType.LOGIN_FAILED)
    assert failed.extra["via"] == "password grant"
    password_grant(Client(), app, "johndoe", PASSWORD)
    assert not events(AuditEventType.LOGIN_SUCCEEDED)  # routine token issuance is not audited


def test_a_lock_and_a_throttle_are_recorded(client: Client, operator_user: User) -> None:
    for number in range(10):
        client.post(LOGIN, {"username": "johndoe", "password": "wrong"}, REMOTE_ADDR=f"10.9.1.{number}")
    assert len(events(AuditEventType.USERNAME_LOCKED)) == 1
    for _ in range(10):
        client.post(LOGIN, {"username": "someone", "password": "wrong"}, REMOTE_ADDR="10.9.2.1")
    (throttled,) = events(AuditEventType.ADDRESS_THROTTLED)
    assert throttled.ip_address == "10.9.2.1"


def test_refresh_reuse_is_recorded_with_the_family_revocation(app: RegisteredClient, operator_user: User) -> None:
    first = password_grant(Client(), app, "johndoe", PASSWORD).json()
    refresh_grant(Client(), app, first["refresh_token"])
    refresh_grant(Client(), app, first["refresh_token"])
    (reuse,) = events(AuditEventType.REFRESH_TOKEN_REUSED)
    assert reuse.client_id == app.application.client_id
    (revoked,) = events(AuditEventType.TOKENS_REVOKED)
    assert revoked.extra["why"] == "replay" and revoked.extra["count"] >= 2


def test_credentials_of_another_workspace_are_recorded(
    client: Client, app: RegisteredClient, foreign_app: RegisteredClient, stranger: User
) -> None:
    params = {"grant_type": "client_credentials", "client_id": foreign_app.application.client_id,
              "client_secret": foreign_app.client_secret}  # fmt: skip
    client.post("/workflow/oauth2/token", params)
    client.get("/api/1.0/workflow/light/user/data", headers=bearer(issue(foreign_app, stranger)))
    attempts = events(AuditEventType.CROSS_WORKSPACE_ATTEMPT)
    assert [event.extra["credential"] for event in attempts] == ["client", "access token"]
    assert all(event.workspace_id == app.application.workspace_id for event in attempts)


def test_application_lifecycle_is_recorded_with_who(client: Client, admin: User) -> None:
    client.force_login(admin, backend="workspaces.backends.WorkspaceBackend")
    form = {"name": "Audited", "description": "", "website": "https://a.example", "redirect_uris": ""}
    client.post(f"{APPLICATIONS}/new", form)
    created = events(AuditEventType.APPLICATION_CREATED)[0]
    client_id = created.client_id
    client.post(f"{APPLICATIONS}/{client_id}/edit", {**form, "name": "Renamed"})
    client.post(f"{APPLICATIONS}/{client_id}/secret")
    client.post(f"{APPLICATIONS}/{client_id}/delete")
    kinds = [
        AuditEventType.APPLICATION_UPDATED,
        AuditEventType.CLIENT_SECRET_REGENERATED,
        AuditEventType.APPLICATION_DELETED,
    ]
    for kind in [AuditEventType.APPLICATION_CREATED, *kinds]:
        (event,) = events(kind)
        assert event.acting_user == admin and event.client_id == client_id
    assert events(AuditEventType.APPLICATION_UPDATED)[0].extra == {"fields": ["name"]}


def test_role_status_and_password_changes_are_recorded_with_who(
    app: RegisteredClient, admin: User, operator_user: User
) -> None:
    token = issue(app, admin)
    issue(app, operator_user)  # something to revoke
    body = {
        "usr_role": Role.ADMIN,
        "usr_status": "INACTIVE",
        "usr_new_pass": "new password 12",
        "usr_cnf_pass": "new password 12",
    }
    Client().put(
        f"/api/1.0/workflow/user/{operator_user.uid}", json.dumps(body), content_type="application/json",
        headers=bearer(token),
    )  # fmt: skip
    (role,) = events(AuditEventType.USER_ROLE_CHANGED)
    assert (role.acting_user, role.target_user, role.extra) == (
        admin,
        operator_user,
        {"old": Role.OPERATOR, "new": Role.ADMIN},
    )
    assert events(AuditEventType.USER_STATUS_CHANGED)[0].extra == {"old": "ACTIVE", "new": "INACTIVE"}
    assert events(AuditEventType.USER_PASSWORD_CHANGED)[0].acting_user == admin
    assert events(AuditEventType.TOKENS_REVOKED)[0].acting_user == admin


def test_no_audit_row_holds_a_credential(client: Client, app: RegisteredClient, operator_user: User) -> None:
    tokens = password_grant(client, app, "johndoe", PASSWORD).json()
    refresh_grant(client, app, tokens["refresh_token"])
    refresh_grant(client, app, tokens["refresh_token"])
    password_grant(client, app, "johndoe", "a wrong password")
    other = register_application(operator_user.workspace, operator_user, name="x", website="https://x.example")
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert AuditEvent.objects.count() >= 4
    for credential in (tokens["access_token"], tokens["refresh_token"], app.client_secret, other.client_secret,
                       PASSWORD, "a wrong password"):  # fmt: skip
        assert credential not in rows


def test_the_admin_shows_the_log_read_only(client: Client, operator_user: User, workspace: Workspace) -> None:
    Client().post(LOGIN, {"username": "johndoe", "password": "wrong"})
    User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    page = client.get(f"/admin/workspaces/auditevent/?workspace__id__exact={workspace.pk}&event_type__exact=101")
    assert page.status_code == 200 and b"login failed" in page.content
    event = AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED).first()
    assert event is not None
    assert client.post(f"/admin/workspaces/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_purgeaudit_deletes_old_events(operator_user: User, capsys: Any) -> None:
    AuditEvent.objects.all().delete()
    Client().post(LOGIN, {"username": "johndoe", "password": "wrong"})
    Client().post(LOGIN, {"username": "johndoe", "password": "wrong again"})
    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("pk").first().pk).update(  # type: ignore[union-attr]
        created=timezone.now() - timedelta(days=91)
    )
    call_command("purgeaudit", "--older-than", "90d", "--json")
    output = capsys.readouterr()
    assert json.loads(output.out) == {"audit_events": 1} and output.err == ""  # progress only on a terminal
    assert AuditEvent.objects.count() == 1


def test_purgeaudit_refuses_a_malformed_age(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="such as 90d"):
        call_command("purgeaudit", "--older-than", "ninety days")


def test_a_user_added_in_the_admin_is_recorded_with_the_operator(client: Client, workspace: Workspace) -> None:
    root = User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    role = workspace.roles.get(code=Role.OPERATOR)
    form = {"workspace": workspace.pk, "username": "newcomer", "role": role.pk, "usable_password": "true",
            "password1": "a good password 1", "password2": "a good password 1"}  # fmt: skip
    response = client.post("/admin/workspaces/user/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = [event for event in events(AuditEventType.USER_CREATED) if event.acting_user == root]
    assert [event.target_user.username for event in created] == ["newcomer"]  # type: ignore[union-attr]
