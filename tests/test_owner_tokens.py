"""client_credentials tokens act as their client's owner: nothing that ends the owner's access leaves
them working, and after an administrator resets the owner's password the owner's clients wait for
the owner to confirm each secret (oauth_apps.owners).

The attack: a session thief registers an application (one form post) and keeps API access as the
victim through its client_credentials tokens, long after the victim's password was reset.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.services import create_user, save_role, update_user
from oauth_apps import errors
from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD, log_in_to_admin
from tests.oauth import bearer, credentials, issue, post_token
from workspaces.models import AuditEvent, AuditEventType, PermissionCode, Role, User, Workspace

API = "/api/1.0/workflow"
APPLICATIONS = "/sysworkflow/en/neoclassic/oauth2/applications"
AUTHORIZED = "/sysworkflow/en/neoclassic/oauth2/authorized"
LOGIN = "/sysworkflow/en/neoclassic/login/login"
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def victim(workspace: Workspace) -> User:
    """A second administrator, whose session was stolen."""
    return create_user(workspace, "victim", PASSWORD, role=workspace.roles.get(code=Role.ADMIN))


@pytest.fixture
def stolen(victim: User) -> RegisteredClient:
    """The application the thief registered as the victim."""
    return register_application(victim.workspace, victim, name="Thief's app", website="https://evil.example")


def client_credentials(app: RegisteredClient, method: str = "body") -> dict[str, Any]:
    params, headers = credentials(app, method)
    return post_token(Client(), {"grant_type": "client_credentials", **params}, headers=headers).json()  # type: ignore[no-any-return]


def works(token: str) -> bool:
    status = Client().get(f"{API}/light/user/data", headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def reset_over_rest(app: RegisteredClient, admin: User, user: User) -> None:
    body = {"usr_new_pass": NEW_PASSWORD, "usr_cnf_pass": NEW_PASSWORD}
    response = Client().put(
        f"{API}/user/{user.uid}", json.dumps(body), content_type="application/json", headers=bearer(issue(app, admin))
    )
    assert response.status_code == 200, response.content


def signed_in(user: User, password: str = PASSWORD) -> Client:
    browser = Client()
    assert browser.post(LOGIN, {"username": user.username, "password": password}).status_code == 302
    return browser


@pytest.mark.parametrize("method", ["body", "basic"])
def test_after_an_admin_reset_the_owners_clients_wait_for_the_owner_to_confirm(
    app: RegisteredClient, admin: User, victim: User, stolen: RegisteredClient, method: str
) -> None:
    old = client_credentials(stolen, method)["access_token"]
    assert works(old)
    reset_over_rest(app, admin, victim)
    assert not works(old)  # the tokens acting as the owner ended with the password
    assert client_credentials(stolen, method) == {
        "error": "unauthorized_client", "error_description": errors.OWNER_MUST_CONFIRM_SECRET,
    }  # fmt: skip
    held = AuditEvent.objects.get(event_type=AuditEventType.CLIENT_SECRETS_HELD)
    assert held.acting_user == admin and held.target_user == victim
    assert held.extra["client_ids"] == [stolen.application.client_id]

    owner = signed_in(victim, NEW_PASSWORD)
    page = owner.get(APPLICATIONS)
    assert b"cannot get client_credentials tokens until you confirm its secret" in page.content
    assert b"The secret is mine" in owner.get(f"{APPLICATIONS}/{stolen.application.client_id}/confirm").content
    assert owner.post(f"{APPLICATIONS}/{stolen.application.client_id}/confirm").status_code == 302
    assert works(client_credentials(stolen, method)["access_token"])
    confirmed = AuditEvent.objects.get(event_type=AuditEventType.CLIENT_SECRET_CONFIRMED)
    assert confirmed.acting_user == victim and confirmed.client_id == stolen.application.client_id


def test_regenerating_the_secret_also_ends_the_hold(
    app: RegisteredClient, admin: User, victim: User, stolen: RegisteredClient
) -> None:
    reset_over_rest(app, admin, victim)
    owner = signed_in(victim, NEW_PASSWORD)
    secret = owner.post(f"{APPLICATIONS}/{stolen.application.client_id}/secret").context["secret"]
    renewed = RegisteredClient(application=stolen.application, client_secret=secret)
    assert works(client_credentials(renewed)["access_token"])
    assert client_credentials(stolen)["error"] == "invalid_client"  # the old secret is gone


def test_a_client_that_is_not_held_needs_no_confirming(victim: User, stolen: RegisteredClient) -> None:
    owner = signed_in(victim)
    response = owner.get(f"{APPLICATIONS}/{stolen.application.client_id}/confirm", follow=True)
    assert b"needs no confirmation" in response.content
    assert not AuditEvent.objects.filter(event_type=AuditEventType.CLIENT_SECRET_CONFIRMED).exists()


def test_nobody_else_confirms_a_held_secret(
    app: RegisteredClient, admin: User, victim: User, stolen: RegisteredClient
) -> None:
    reset_over_rest(app, admin, victim)
    assert signed_in(admin).post(f"{APPLICATIONS}/{stolen.application.client_id}/confirm").status_code == 404
    assert Application.objects.get(pk=stolen.application.pk).secret_unconfirmed_since is not None


def test_changing_ones_own_password_ends_the_tokens_but_holds_nothing(victim: User, stolen: RegisteredClient) -> None:
    old = client_credentials(stolen)["access_token"]
    update_user(victim, {}, password=NEW_PASSWORD, by=victim)
    assert not works(old)
    assert works(client_credentials(stolen)["access_token"])
    assert not AuditEvent.objects.filter(event_type=AuditEventType.CLIENT_SECRETS_HELD).exists()


def test_a_reset_in_the_django_admin_holds_the_clients_too(
    client: Client, victim: User, stolen: RegisteredClient
) -> None:
    root = User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    form = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(f"/admin/workspaces/user/{victim.pk}/password/", form).status_code == 302
    assert client_credentials(stolen)["error_description"] == errors.OWNER_MUST_CONFIRM_SECRET
    assert AuditEvent.objects.get(event_type=AuditEventType.CLIENT_SECRETS_HELD).acting_user == root


def deactivate(user: User) -> None:
    update_user(user, {"status": User.Status.INACTIVE})


def send_on_vacation(user: User) -> None:
    update_user(user, {"status": User.Status.VACATION})


def take_pm_login_from_the_role(user: User) -> None:
    role = user.role
    assert role is not None
    role.permissions = [code for code in role.permissions if code != PermissionCode.PM_LOGIN]
    save_role(role)


def deactivate_the_role(user: User) -> None:
    role = user.role
    assert role is not None
    role.status = Role.Status.INACTIVE
    save_role(role)


@pytest.mark.parametrize("end", [deactivate, send_on_vacation, take_pm_login_from_the_role, deactivate_the_role])
def test_while_the_owner_cannot_log_in_the_tokens_end_and_the_grant_is_refused(
    victim: User, stolen: RegisteredClient, end: Any
) -> None:
    old = client_credentials(stolen)["access_token"]
    end(User.objects.get(pk=victim.pk))
    assert not AccessToken.objects.filter(token=old).exists()
    assert client_credentials(stolen) == {
        "error": "unauthorized_client", "error_description": errors.OWNER_CANNOT_LOG_IN,
    }  # fmt: skip


def test_the_grant_comes_back_with_the_owner(victim: User, stolen: RegisteredClient) -> None:
    deactivate(victim)
    assert client_credentials(stolen)["error"] == "unauthorized_client"
    update_user(User.objects.get(pk=victim.pk), {"status": User.Status.ACTIVE})
    assert works(client_credentials(stolen)["access_token"])


def test_losing_pm_rest_api_applications_ends_the_tokens(
    workspace: Workspace, victim: User, stolen: RegisteredClient
) -> None:
    by_move = client_credentials(stolen)["access_token"]
    update_user(victim, {"role": workspace.roles.get(code=Role.OPERATOR)})
    assert not AccessToken.objects.filter(token=by_move).exists()
    update_user(User.objects.get(pk=victim.pk), {"role": workspace.roles.get(code=Role.ADMIN)})
    by_edit = client_credentials(stolen)["access_token"]
    role = workspace.roles.get(code=Role.ADMIN)
    role.permissions = [code for code in role.permissions if code != PermissionCode.PM_REST_API_APPLICATIONS]
    save_role(role)
    assert not AccessToken.objects.filter(token=by_edit).exists()


def test_the_owners_other_tokens_and_other_owners_clients_are_left_alone(
    app: RegisteredClient, admin: User, victim: User, stolen: RegisteredClient
) -> None:
    admins_own = client_credentials(app)["access_token"]
    victims_via_admins_app = issue(app, victim)
    deactivate(victim)
    assert works(admins_own)
    assert not AccessToken.objects.filter(token=victims_via_admins_app).exists()


def test_the_authorized_applications_page_lists_them_and_revokes_them(victim: User, stolen: RegisteredClient) -> None:
    tokens = [client_credentials(stolen)["access_token"] for _ in range(2)]
    owner = signed_in(victim)
    page = owner.get(AUTHORIZED)
    assert (
        b"Thief&#x27;s app" in page.content and b"its client_credentials tokens act as you (2 active)" in page.content
    )
    owner.post(f"{AUTHORIZED}/{stolen.application.client_id}/revoke")
    assert not any(works(token) for token in tokens)


def test_the_users_tokens_api_lists_them_and_revokes_them(
    app: RegisteredClient, admin: User, victim: User, stolen: RegisteredClient
) -> None:
    token = client_credentials(stolen)["access_token"]
    reader = issue(app, admin)
    grants = Client().get(f"{API}/user/{victim.uid}/tokens", headers=bearer(reader)).json()
    (entry,) = [grant for grant in grants if grant["client_id"] == stolen.application.client_id]
    assert entry["active_tokens"] == 1 and entry["client_credentials_tokens"] == 1
    deleted = Client().delete(f"{API}/user/{victim.uid}/tokens/{stolen.application.client_id}", headers=bearer(reader))
    assert deleted.status_code == 200
    assert not works(token)


def test_a_new_owner_ends_the_tokens_that_acted_as_the_old_one(
    client: Client, admin: User, victim: User, stolen: RegisteredClient
) -> None:
    token = client_credentials(stolen)["access_token"]
    User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    form = {"workspace": admin.workspace_id, "name": "Thief's app", "description": "", "website": "https://evil.example",
            "redirect_uris": "", "user": admin.pk}  # fmt: skip
    changed = client.post(f"/admin/oauth_apps/application/{stolen.application.pk}/change/", form)
    assert changed.status_code == 302, changed.content
    assert Application.objects.get(pk=stolen.application.pk).user == admin
    assert not works(token)
    assert works(client_credentials(stolen)["access_token"])  # the new owner's, acting as them
