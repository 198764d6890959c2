"""The Django admin: operators see every workspace's objects; workspace users get no access."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.models import AccessToken, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import User

PAGES = [
    "/admin/workspaces/workspace/",
    "/admin/workspaces/user/",
    "/admin/workspaces/role/",
    "/admin/oauth_apps/application/",
    "/admin/oauth_apps/accesstoken/",
    "/admin/oauth_apps/refreshtoken/",
    "/admin/oauth_apps/grant/",
    "/admin/workspaces/user/add/",
    "/admin/workspaces/workspace/add/",
]


@pytest.mark.parametrize("page", PAGES)
def test_admin_pages_load_for_operators(
    operator_client: Client, app: RegisteredClient, operator_user: User, page: str
) -> None:
    password_grant(Client(), app, "johndoe", PASSWORD)
    response = operator_client.get(page)
    assert response.status_code == 200


def test_workspace_admins_cannot_use_the_django_admin(client: Client, admin: User) -> None:
    assert not client.login(username="admin", password=PASSWORD)
    assert client.get("/admin/workspaces/user/").status_code == 302


def test_operators_can_revoke_an_applications_tokens(
    operator_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(Client(), app, "johndoe", PASSWORD).json()
    response = operator_client.post(
        "/admin/oauth_apps/application/",
        {"action": "revoke_tokens", "_selected_action": [app.application.pk], "confirmed": "yes"},
        follow=True,
    )
    assert b"Revoked 2 tokens of 1 application." in response.content
    assert not AccessToken.objects.filter(token=data["access_token"]).exists()
    assert RefreshToken.objects.presented(data["refresh_token"]).get().revoked is not None


def test_the_admin_never_shows_secrets_or_tokens(
    operator_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(Client(), app, "johndoe", PASSWORD).json()
    token = AccessToken.objects.get(token=data["access_token"])
    pages = [
        f"/admin/oauth_apps/application/{app.application.pk}/change/",
        f"/admin/oauth_apps/accesstoken/{token.pk}/change/",
        "/admin/oauth_apps/accesstoken/",
    ]
    for page in pages:
        content = operator_client.get(page).content.decode()
        assert data["access_token"] not in content and app.application.client_secret not in content


def test_view_on_site_for_an_application_leads_to_its_applications_page(
    operator_client: Client, app: RegisteredClient
) -> None:
    from django.contrib.contenttypes.models import ContentType

    from oauth_apps.models import Application

    content_type = ContentType.objects.get_for_model(Application)
    response = operator_client.get(f"/admin/r/{content_type.pk}/{app.application.pk}/")
    assert response.status_code == 302
    assert response["Location"].endswith(
        f"/sysworkflow/en/neoclassic/oauth2/applications/{app.application.client_id}/edit"
    )


def test_adding_a_workspace_in_the_admin_provisions_it(operator_client: Client) -> None:
    from oauth_apps.models import Application
    from workspaces.models import Role, Workspace

    form = {
        "name": "sales",
        "is_active": "on",
        "access_token_lifetime": "3600",
        "refresh_token_lifetime": "",
        "authorization_code_lifetime": "30",
        "device_code_lifetime": "600",
        "id_token_lifetime": "3600",
        "default_scope": "*",
        "error_mode": "processmaker",
        "consent_days": "0",
        "session_inactivity_timeout": "1440",
        "lockout_threshold": "10",
        "lockout_window": "900",
        "lockout_duration": "900",
        "password_min_length": "8",
        "password_max_length": "128",
        "password_refuses_common": "on",
        "password_refuses_username": "on",
        "password_history": "0",
        "password_expiry_days": "0",
        "failed_logins_deactivate": "0",
        "session_absolute_lifetime": "36000",
        "second_factor": "optional",
        "second_factor_roles": "[]",
        "admin_username": "chief",
        "admin_password1": "the boss's pass 1",
        "admin_password2": "the boss's pass 1",
    }
    response = operator_client.post("/admin/workspaces/workspace/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    workspace = Workspace.objects.get(name="sales")
    assert workspace.access_token_lifetime == 3600
    assert set(workspace.roles.values_list("code", flat=True)) == {Role.ADMIN, Role.OPERATOR, Role.MANAGER, Role.GUEST}
    assert Application.objects.filter(workspace=workspace, is_local=True).count() == 1
    chief = User.objects.get_in_workspace(workspace, "chief")
    assert chief.role is not None and chief.role.code == Role.ADMIN and chief.check_password("the boss's pass 1")
    browser = Client()
    login = browser.post("/syssales/en/neoclassic/login/login", {"username": "chief", "password": "the boss's pass 1"})
    assert login.status_code == 302


def test_adding_a_workspace_in_the_admin_needs_matching_admin_passwords(operator_client: Client) -> None:
    from workspaces.models import Workspace

    response = operator_client.post(
        "/admin/workspaces/workspace/add/",
        {"name": "sales", "admin_username": "chief", "admin_password1": "one password 1", "admin_password2": "two"},
    )
    assert response.status_code == 200
    assert not Workspace.objects.filter(name="sales").exists()


def test_an_operator_sees_what_a_user_granted_and_revokes_it_after_confirming(
    operator_client: Client, client: Client, app: RegisteredClient, operator_user: User
) -> None:
    tokens = password_grant(Client(), app, "johndoe", PASSWORD).json()
    page = operator_client.get(f"/admin/workspaces/user/{operator_user.pk}/change/").content.decode()
    assert "Authorized applications" in page and "Test app" in page
    url = f"/admin/workspaces/user/{operator_user.pk}/grants/{app.application.client_id}/revoke/"
    assert url in page
    confirm = operator_client.get(url)
    assert confirm.status_code == 200 and b"Revoke Test app for JohnDoe?" in confirm.content
    assert AccessToken.objects.filter(token=tokens["access_token"]).exists()
    done = operator_client.post(url)
    assert done.status_code == 302 and done["Location"] == f"/admin/workspaces/user/{operator_user.pk}/change/"
    assert not AccessToken.objects.filter(user=operator_user).exists()
    assert RefreshToken.objects.get(user=operator_user).revoked is not None
    assert operator_client.get(url).status_code == 404
    assert Client().get(url).status_code == 302  # not an operator: to the admin's login


def test_every_admin_link_answers_without_a_server_error(
    operator_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    """Crawl the admin as a superuser, following every link under /admin/ once (GET only)."""
    import re
    from collections import deque

    password_grant(Client(), app, "johndoe", PASSWORD)  # tokens, an audit event, a refresh token
    seen: set[str] = set()
    queue = deque(["/admin/"])
    while queue and len(seen) < 400:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = operator_client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in re.findall(r'href="(/admin/[^"#]*)"', response.content.decode()):
            link = link.replace("&amp;", "&")
            if "logout" not in link and link not in seen:
                queue.append(link)
    assert len(seen) > 40, sorted(seen)
    page = operator_client.get("/admin/").content.decode()
    assert "pm-oauth administration" in page and "Groups" not in page and "Id tokens" not in page.lower()
    assert "Authorization codes" in page
    tokens = operator_client.get("/admin/oauth_apps/accesstoken/?state=live").content.decode()
    assert ">live<" in tokens and app.application.client_id in tokens
