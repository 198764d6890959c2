"""The Django admin: login limits for operators, idle and absolute session limits, operators only."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from accounts.middleware import ADMIN_SESSION_COOKIE, SEEN_KEY, STARTED_KEY
from tests.conftest import admin_session, move_session_to_admin
from workspaces.models import User

LOGIN = "/admin/login/"
OPERATOR_PASSWORD = "operator password 1"


@pytest.fixture
def root(db: None) -> User:
    return User.objects.create_superuser("root", OPERATOR_PASSWORD)


def admin_login(client: Client, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": "root", "password": password, "next": "/admin/"}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_lock_an_operator_even_for_the_right_one(client: Client, root: User) -> None:
    for number in range(10):
        assert admin_login(client, "wrong", f"10.1.0.{number}").status_code == 200
    response = admin_login(client, OPERATOR_PASSWORD, "10.1.1.1")
    assert response.status_code == 200 and b"locked for up to 15 minutes" in response.content


def test_one_address_is_throttled_at_the_admin_too(client: Client, root: User) -> None:
    for _ in range(9):
        admin_login(client, "wrong")
    assert b"from your address" in admin_login(client, OPERATOR_PASSWORD).content
    assert admin_login(Client(), OPERATOR_PASSWORD, "10.1.2.1").status_code == 302


def test_the_right_password_logs_in(client: Client, root: User) -> None:
    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_an_idle_operator_session_ends(client: Client, root: User) -> None:
    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    session = admin_session(client)
    session[SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_an_operator_session_ends_hours_after_login_however_busy(client: Client, root: User) -> None:
    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    session = admin_session(client)
    session[STARTED_KEY] = int(time.time()) - 13 * 3600
    session.save()
    assert client.get("/admin/").status_code == 302


def test_an_active_session_slides(client: Client, root: User) -> None:
    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert 1700 < admin_session(client).get_expiry_age() <= 1800


def test_a_workspace_user_cannot_be_made_staff(admin: User) -> None:
    admin.is_staff = True
    with pytest.raises(ValidationError):
        admin.full_clean(exclude=["password"])
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=admin.pk).update(is_staff=True)


def test_the_admin_form_refuses_staff_for_a_workspace_user(client: Client, root: User, admin: User) -> None:
    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    page = f"/admin/workspaces/user/{admin.pk}/change/"
    form = client.get(page).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update(is_staff="on", role=admin.role_id, workspace=admin.workspace_id, due_date="")
    response = client.post(page, data)
    assert response.status_code == 200 and b"cannot be staff" in response.content
    assert not User.objects.get(pk=admin.pk).is_staff


def test_a_workspace_user_with_staff_flags_still_cannot_use_the_admin(client: Client, admin: User) -> None:
    # Even if a row were changed behind the model's back, the site checks the workspace itself.
    from django.contrib import admin as django_admin

    client.force_login(admin, backend="workspaces.backends.WorkspaceBackend")
    move_session_to_admin(client)  # as if the admin's own login had let it in
    request = client.get("/admin/").wsgi_request
    admin.is_staff = admin.is_superuser = True
    request.user = admin
    assert not django_admin.site.has_permission(request)
    assert client.get("/admin/").status_code == 302


WORKSPACE_LOGIN = "/sysworkflow/en/neoclassic/login/login"
WORKSPACE_PAGE = "/sysworkflow/en/neoclassic/oauth2/applications"


def test_the_admin_and_the_workspace_pages_keep_sessions_apart(client: Client, root: User, admin: User) -> None:
    """One browser, a workspace user and a site operator: logging in to or out of either never
    touches the other (they were one session cookie: the admin's login logged the user out)."""
    from django.conf import settings

    from tests.conftest import PASSWORD

    assert client.post(WORKSPACE_LOGIN, {"username": "admin", "password": PASSWORD}).status_code == 302
    workspace_session = client.cookies[settings.SESSION_COOKIE_NAME].value
    workspace_csrf = client.get(WORKSPACE_PAGE).cookies.get(settings.CSRF_COOKIE_NAME)
    workspace_csrf_value = workspace_csrf.value if workspace_csrf else client.cookies[settings.CSRF_COOKIE_NAME].value

    logged_in = admin_login(client, OPERATOR_PASSWORD)
    assert logged_in.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in logged_in.cookies and settings.CSRF_COOKIE_NAME not in logged_in.cookies
    assert logged_in.cookies[ADMIN_SESSION_COOKIE]["path"] == "/admin/"
    assert logged_in.cookies[ADMIN_SESSION_COOKIE]["httponly"]
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == workspace_session
    assert client.cookies[settings.CSRF_COOKIE_NAME].value == workspace_csrf_value  # not rotated by the admin's login
    assert client.get(WORKSPACE_PAGE).status_code == 200
    assert client.get("/admin/").status_code == 200

    assert client.post("/admin/logout/").status_code == 200
    assert client.get("/admin/").status_code == 302
    assert client.get(WORKSPACE_PAGE).status_code == 200

    assert admin_login(client, OPERATOR_PASSWORD).status_code == 302
    assert client.post("/sysworkflow/en/neoclassic/login/logout").status_code == 302
    assert client.get(WORKSPACE_PAGE).status_code == 302  # to the workspace's login
    assert client.get("/admin/").status_code == 200


def test_a_workspace_called_admin_keeps_its_authorize_page_on_its_own_session(client: Client, db: None) -> None:
    from accounts.services import provision_workspace
    from oauth_apps.services import register_application
    from tests.conftest import PASSWORD

    made = provision_workspace("admin", "boss", PASSWORD)
    app = register_application(made.workspace, made.admin, name="App", website="", callback="https://example.com/cb")
    assert (
        client.post("/sysadmin/en/neoclassic/login/login", {"username": "boss", "password": PASSWORD}).status_code
        == 302
    )
    query = f"response_type=code&client_id={app.application.client_id}&redirect_uri=https://example.com/cb&state=s"
    page = client.get(f"/admin/oauth2/authorize?{query}")
    assert page.status_code == 200 and b"App" in page.content  # the consent page, not the login form
