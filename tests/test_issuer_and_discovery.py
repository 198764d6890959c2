"""RFC 9207 `iss` on authorization responses in rfc6749 mode only, and a home page that does not
say which workspaces exist unless the operator wants it to."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import post_token, returned
from tests.test_authorize import CALLBACK, authorize_url
from workspaces.models import ErrorMode, User, Workspace

ISSUER = "http://testserver/workflow"


@pytest.fixture
def coded_app(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)


def rfc6749(workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=ErrorMode.RFC6749)


def location(response: Any) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    parts = urlsplit(response["Location"])
    return parse_qs(parts.query), parse_qs(parts.fragment)


def test_processmaker_mode_keeps_the_callback_query_exactly_code(browser: Client, coded_app: RegisteredClient) -> None:
    response = browser.post(authorize_url(coded_app), {"accept": "Accept"})
    query = urlsplit(response["Location"]).query
    assert query.startswith("code=") and "&" not in query  # the seed reads location.search.substr(6)


def test_rfc6749_mode_adds_iss_to_the_code_response(
    browser: Client, coded_app: RegisteredClient, workspace: Workspace
) -> None:
    rfc6749(workspace)
    query, _ = location(browser.post(authorize_url(coded_app, state="s"), {"accept": "Accept"}))
    assert query["iss"] == [ISSUER] and query["state"] == ["s"] and "code" in query


def test_rfc6749_mode_adds_iss_to_denials_errors_and_implicit_responses(
    browser: Client, coded_app: RegisteredClient, workspace: Workspace
) -> None:
    rfc6749(workspace)
    denied, _ = location(browser.post(authorize_url(coded_app), {"cancel": "Deny"}))
    assert denied["iss"] == [ISSUER] and denied["error"] == ["access_denied"]
    failed, _ = returned(browser.get(authorize_url(coded_app, scope="everything")))
    assert failed["iss"] == [ISSUER] and failed["error"] == ["invalid_scope"]
    _, fragment = location(browser.post(authorize_url(coded_app, response_type="token"), {"accept": "Accept"}))
    assert fragment["iss"] == [ISSUER] and "access_token" in fragment


def test_the_home_page_does_not_list_workspaces_by_default(client: Client, workspace: Workspace) -> None:
    assert b"workflow" not in client.get("/").content


def test_the_home_page_lists_them_when_the_operator_says_so(
    client: Client, workspace: Workspace, settings: Any
) -> None:
    settings.PM_LIST_WORKSPACES = True
    assert b"/sysworkflow/en/neoclassic/login/login" in client.get("/").content


PUBLIC = "https://id.example.com"


def test_pm_public_url_is_the_one_origin_whatever_host_a_request_came_with(
    settings: Any, coded_app: RegisteredClient, browser: Client, operator_user: User
) -> None:
    """A client that read the metadata through localhost and then sent its user to 127.0.0.1 got an
    `iss` it did not expect: with PM_PUBLIC_URL set, every published URL names it."""
    settings.PM_PUBLIC_URL = PUBLIC
    rfc6749(operator_user.workspace)  # type: ignore[arg-type]
    for host in ("localhost", "127.0.0.1"):
        meta = Client().get("/.well-known/oauth-authorization-server/workflow", HTTP_HOST=host).json()
        assert meta["issuer"] == f"{PUBLIC}/workflow" and meta["token_endpoint"] == f"{PUBLIC}/workflow/oauth2/token"
        assert all(value.startswith(PUBLIC) for key, value in meta.items() if key.endswith("_endpoint"))
    query, _ = location(browser.post(authorize_url(coded_app), {"accept": "Accept"}, HTTP_HOST="localhost"))
    assert query["iss"] == [f"{PUBLIC}/workflow"]
    device = register_application(
        coded_app.application.workspace, coded_app.application.user, name="CLI", website="https://c.example",
        device_flow=True,
    )  # fmt: skip
    body = {"client_id": device.application.client_id, "client_secret": device.client_secret}
    codes = post_token(Client(HTTP_HOST="127.0.0.1"), body, url="/workflow/oauth2/device_authorization").json()
    assert codes["verification_uri"] == f"{PUBLIC}/sysworkflow/en/neoclassic/oauth2/device"
    index = Client().get("/api/1.0/workflow/", HTTP_HOST="localhost").json()
    assert index["endpoints"]["token"] == f"{PUBLIC}/workflow/oauth2/token"
