"""The login page: where it sends the user afterwards (ProcessMaker's `u`), never off this site."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from workspaces.models import User

LOGIN = "/sysworkflow/en/neoclassic/login/login"
APPLICATIONS = "/sysworkflow/en/neoclassic/oauth2/applications"
AUTHORIZE = "/workflow/oauth2/authorize?response_type=code&client_id=X"
CASES = "/sysworkflow/en/neoclassic/cases/main"


def login_to(client: Client, u: str) -> str:
    response = client.post(f"{LOGIN}?u={quote(u, safe='')}", {"username": "johndoe", "password": PASSWORD})
    assert response.status_code == 302
    return str(response["Location"])


@pytest.mark.parametrize(
    ("u", "target"),
    [
        (AUTHORIZE, AUTHORIZE),
        ("sysworkflow/en/neoclassic/cases/main", "/sysworkflow/en/neoclassic/cases/main"),
        (f"http://testserver{CASES}", f"http://testserver{CASES}"),
        ("", APPLICATIONS),
    ],
)  # fmt: skip
def test_u_on_this_site_is_followed(client: Client, operator_user: User, u: str, target: str) -> None:
    assert login_to(client, u) == target


@pytest.mark.parametrize(
    "u",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "https:evil.example",
        "http://testserver.evil.example/",
        "ftp://testserver/x",
        " https://evil.example/",
    ],
)
def test_u_pointing_elsewhere_goes_to_the_applications_page(client: Client, operator_user: User, u: str) -> None:
    assert login_to(client, u) == APPLICATIONS


def test_the_login_form_is_csrf_protected(operator_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(LOGIN, {"username": "johndoe", "password": PASSWORD}).status_code == 403


def test_the_login_page_cannot_be_framed(client: Client, operator_user: User) -> None:
    response = client.get(LOGIN)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_logout_needs_post(client: Client, operator_user: User) -> None:
    assert client.get("/sysworkflow/en/neoclassic/login/logout").status_code == 405


@pytest.mark.parametrize("field", ["username", "password"])
def test_oversized_credentials_are_a_form_error_not_a_500(client: Client, operator_user: User, field: str) -> None:
    data = {"username": "johndoe", "password": PASSWORD, field: "x" * 5000}
    response = client.post(LOGIN, data)
    assert response.status_code == 200 and b"Invalid username or password." in response.content


def test_reached_from_authorize_the_login_page_names_the_application(client: Client, admin: User) -> None:
    from oauth_apps.services import register_application

    web = register_application(
        admin.workspace, admin, name="Report <Builder>", website="r.example", callback="https://r.example/cb"
    )
    authorize = f"/workflow/oauth2/authorize?response_type=code&client_id={web.application.client_id}"
    page = client.get(f"{LOGIN}?u={quote(authorize, safe='')}").content.decode()
    assert "Log in to continue to <b>Report &lt;Builder&gt;</b>." in page
    api_authorize = f"/api/1.0/workflow/oauth2/authorize?client_id={web.application.client_id}&response_type=code"
    assert "Report &lt;Builder&gt;" in client.get(f"{LOGIN}?u={quote(api_authorize, safe='')}").content.decode()
    assert "continue to" not in client.get(LOGIN).content.decode()
    unknown = "/workflow/oauth2/authorize?response_type=code&client_id=NOSUCHCLIENT"
    assert "continue to" not in client.get(f"{LOGIN}?u={quote(unknown, safe='')}").content.decode()


def test_logging_out_says_so(client: Client, operator_user: User) -> None:
    client.post(LOGIN, {"username": "johndoe", "password": PASSWORD})
    response = client.post("/sysworkflow/en/neoclassic/login/logout", follow=True)
    assert response.redirect_chain[-1][0] == LOGIN and b"You have been logged out." in response.content


def test_a_locked_username_is_told_for_how_long(client: Client, operator_user: User) -> None:
    from workspaces.models import Workspace

    Workspace.objects.filter(pk=operator_user.workspace_id).update(lockout_threshold=3, lockout_duration=600)
    pages = [
        client.post(LOGIN, {"username": "johndoe", "password": "wrong password"}, REMOTE_ADDR=f"10.0.0.{n}").content
        for n in range(5)
    ]  # from several addresses, so the username's lock answers, not an address's throttle
    assert b"It is locked for up to 10 minutes; try again then." in pages[-1]
