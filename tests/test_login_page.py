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
