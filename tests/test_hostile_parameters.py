"""Every query parameter and form field of the pages people reach with a browser, and of the OpenID
Connect endpoints, given hostile values, by a stranger and by a signed-in user: a clear answer, never
a 500.

The values are the ones that have broken parsers here before: digits int() refuses (more than 4,300
of them), digits str.isdigit() accepts and int() does not, a NUL, invalid UTF-8, a lone surrogate's
bytes and a very long value; and each parameter given twice."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.test_openid_connect import BACKEND
from workspaces.models import User

pytestmark = pytest.mark.usefixtures("openid_served")

SYS = "/sysworkflow/en/neoclassic/"
HOSTILE = ["9" * 5000, "²", "\x00", "%ff%fe", "%ed%a0%80", "-1", "a" * 20000]  # quoted below, except the %-escapes
ROUTES = {
    "/workflow/oauth2/authorize": [
        "response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt", "max_age",
        "login_hint", "id_token_hint", "ui_locales", "response_mode", "code_challenge",
        "code_challenge_method", "claims", "request", "display",
    ],
    "/workflow/oauth2/logout": ["id_token_hint", "post_logout_redirect_uri", "state", "client_id", "ui_locales"],
    "/workflow/oauth2/userinfo": ["access_token", "schema"],
    SYS + "login/login": ["u", "login_hint"],
    SYS + "login/password": ["u"],
    SYS + "login/second-factor": ["u"],
    SYS + "login/enrol": ["u"],
    SYS + "login/security": ["u"],
    SYS + "oauth2/device": ["user_code"],
    SYS + "oauth2/applications": ["q", "page", "sort"],
    SYS + "oauth2/authorized": ["page"],
}  # fmt: skip


def encoded(value: str) -> str:
    return value if value.startswith("%") else quote(value, safe="")


def base_query(path: str, rp: RegisteredClient) -> str:
    """For authorize, a request well formed but for the parameter under test."""
    if not path.endswith("authorize"):
        return ""
    return f"response_type=code&client_id={rp.application.client_id}&scope=openid%20profile&nonce=n&"


@pytest.mark.parametrize("signed_in", [False, True], ids=["stranger", "signed-in"])
@pytest.mark.parametrize("path", list(ROUTES))
def test_no_query_parameter_value_gives_a_500(
    rp: RegisteredClient, admin: User, path: str, signed_in: bool
) -> None:  # fmt: skip
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(admin, backend=BACKEND)
    for name in ROUTES[path]:
        for value in HOSTILE:
            response = client.get(f"{path}?{base_query(path, rp)}{name}={encoded(value)}")
            assert response.status_code < 500, (path, name, value[:20], response.status_code)
        response = client.get(f"{path}?{base_query(path, rp)}{name}=1&{name}=2")  # given twice
        assert response.status_code < 500, (path, name, "twice", response.status_code)


FORMS = {
    SYS + "login/login": ["username", "password", "u"],
    SYS + "login/password": ["current_password", "new_password1", "new_password2"],
    SYS + "login/second-factor": ["code", "u"],
    SYS + "login/enrol": ["code", "name", "current_code"],
    SYS + "login/security": ["action", "factor", "code", "current_code", "name"],
    SYS + "oauth2/device": ["user_code", "answer"],
    SYS + "oauth2/applications/new": [
        "name", "description", "website", "redirect_uris", "allow_device_flow", "algorithm",
        "post_logout_redirect_uris", "backchannel_logout_uri", "public", "once", "answered",
    ],
    "/workflow/oauth2/logout": ["confirm", "id_token_hint", "client_id", "post_logout_redirect_uri", "state"],
    "/workflow/oauth2/authorize": ["accept", "cancel", "scope", "redirect_uri", "state"],
}  # fmt: skip
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize("signed_in", [False, True], ids=["stranger", "signed-in"])
@pytest.mark.parametrize("path", list(FORMS))
def test_no_form_field_value_gives_a_500(rp: RegisteredClient, admin: User, path: str, signed_in: bool) -> None:
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(admin, backend=BACKEND)
    url = f"{path}?{base_query(path, rp)}"
    for name in FORMS[path]:
        for value in HOSTILE:
            response = client.post(url, f"{name}={encoded(value)}", content_type=FORM)
            assert response.status_code < 500, (path, name, value[:20], response.status_code)
        response = client.post(url, f"{name}=1&{name}=2", content_type=FORM)
        assert response.status_code < 500, (path, name, "twice", response.status_code)
