"""rfc6749 mode keeps to the RFCs where ProcessMaker's mode forgives: a repeated parameter, two
client authentication methods at once, redirect_uri_mismatch, a plain-http callback registered
before the rule, a GET on the token endpoint, a token sent two ways; and the applications form
refuses every callback the authorize endpoint would."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps import errors
from oauth_apps.models import Application
from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import basic_auth, bearer, issue, post_token
from tests.test_authorize import BACKEND, CALLBACK, accept, authorize_url, exchange
from workspaces.models import ErrorMode, User, Workspace

MODES = [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749]


def set_mode(workspace: Workspace, mode: str) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)


@pytest.fixture
def web_app(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)


@pytest.fixture
def logged_in(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user, backend=BACKEND)
    return client


def cc_body(app: RegisteredClient) -> list[tuple[str, str]]:
    return [("grant_type", "client_credentials"), ("client_id", app.application.client_id),
            ("client_secret", app.client_secret)]  # fmt: skip


@pytest.mark.parametrize("mode", MODES)
def test_a_repeated_parameter_is_refused_in_rfc6749_mode(
    client: Client, app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    set_mode(workspace, mode)
    form = "&".join(f"{k}={v}" for k, v in [*cc_body(app), ("scope", "*"), ("scope", "view_process")])
    response = client.post("/workflow/oauth2/token", form, content_type="application/x-www-form-urlencoded")
    credentials = f'"client_id": "{app.application.client_id}", "client_secret": "{app.client_secret}"'
    as_json = '{"grant_type": "client_credentials", "grant_type": "client_credentials", ' + credentials + "}"
    in_json = client.post("/workflow/oauth2/token", as_json, content_type="application/json")
    if mode == ErrorMode.RFC6749:
        assert response.status_code == 400 and response.json() == {
            "error": "invalid_request", "error_description": 'Parameter "scope" was sent more than once'}  # fmt: skip
        assert in_json.status_code == 400 and "grant_type" in in_json.json()["error_description"]
    else:  # ProcessMaker takes the last one
        assert response.json()["scope"] == "view_process" and "access_token" in in_json.json()


@pytest.mark.parametrize("mode", MODES)
def test_basic_with_a_secret_in_the_body_is_two_methods(
    client: Client, app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    set_mode(workspace, mode)
    headers = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    both = post_token(client, dict(cc_body(app)), headers=headers)
    only_id = post_token(client, {"grant_type": "client_credentials", "client_id": app.application.client_id},
                         headers=headers)  # fmt: skip
    assert "access_token" in only_id.json()  # an identifier is no second method
    if mode == ErrorMode.RFC6749:
        assert both.status_code == 400 and both.json() == {
            "error": "invalid_request", "error_description": errors.ONE_AUTHENTICATION_METHOD}  # fmt: skip
    else:
        assert "access_token" in both.json()


@pytest.mark.parametrize("mode", MODES)
def test_a_redirect_uri_mismatch_is_invalid_grant_in_rfc6749_mode(
    logged_in: Client, web_app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    set_mode(workspace, mode)
    query = accept(logged_in, authorize_url(web_app, redirect_uri=CALLBACK))
    answer = exchange(Client(), web_app, query["code"][0], redirect_uri=CALLBACK + "/other")
    expected = "invalid_grant" if mode == ErrorMode.RFC6749 else "redirect_uri_mismatch"
    assert answer == {"error": expected, "error_description": "The redirect URI is missing or do not match"}


@pytest.mark.parametrize("mode", MODES)
def test_a_plain_http_callback_registered_earlier_is_refused_at_authorize_in_rfc6749_mode(
    logged_in: Client, admin: User, workspace: Workspace, mode: str
) -> None:
    old = register_application(workspace, admin, name="Old", website="", callback="http://intranet.example/cb")
    loopback = register_application(workspace, admin, name="Native", website="", callback="http://127.0.0.1:9000/cb")
    set_mode(workspace, mode)
    response = logged_in.get(authorize_url(old))
    if mode == ErrorMode.RFC6749:
        assert response.status_code == 400 and not response.has_header("Location")
        assert b"must use https" in response.content and b"Return to the application" not in response.content
    else:
        assert response.status_code == 200  # the consent page: ProcessMaker allows it
    assert logged_in.get(authorize_url(loopback)).status_code == 200  # RFC 8252: loopback is fine


@pytest.mark.parametrize("mode", MODES)
def test_a_get_on_the_token_endpoint(client: Client, workspace: Workspace, mode: str) -> None:
    set_mode(workspace, mode)
    response = client.get("/workflow/oauth2/token")
    body = {
        "error": "invalid_request",
        "error_description": "The request method must be POST when requesting an access token",
    }
    assert response.json() == body
    if mode == ErrorMode.RFC6749:
        assert response.status_code == 405 and response["Allow"] == "POST"
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("mode", MODES)
def test_a_token_in_the_header_and_the_query_at_once(
    client: Client, app: RegisteredClient, admin: User, workspace: Workspace, mode: str
) -> None:
    set_mode(workspace, mode)
    token = issue(app, admin)
    response = client.get(f"/api/1.0/workflow/light/user/data?access_token={token}", headers=bearer(token))
    if mode == ErrorMode.RFC6749:
        assert response.status_code == 400 and "both in the Authorization header" in response.json()["error"]["message"]
    else:
        assert response.status_code == 200


# Callbacks the authorize endpoint refuses: the form refuses them too, with a sentence that says why.
REFUSED = ["https://exämple.com/cb", "https://user:pw@client.example/cb", "https://client.example/cb/%zz",
           "https://client.example/ü", "https://client.example/cb\u200b", "ftp://client.example/cb",
           "https://client.example/cb#x", "javascript:alert(1)"]  # fmt: skip


@pytest.mark.parametrize("callback", REFUSED)
def test_the_applications_form_refuses_what_authorize_would(client: Client, admin: User, callback: str) -> None:
    client.force_login(admin, backend=BACKEND)
    form = {"name": "Bad", "website": "", "redirect_uris": callback, "description": ""}
    response = client.post("/sysworkflow/en/neoclassic/oauth2/applications/new", form)
    assert response.status_code == 200 and b"callback URL" in response.content
    assert not Application.objects.filter(name="Bad").exists()


@pytest.mark.parametrize("callback", ["https://client.example/cb?x=1", "https://client.example:8443/c%20b",
                                      "HTTPS://client.example/cb", "http://localhost:8080/cb"])  # fmt: skip
def test_what_the_form_takes_authorize_takes(client: Client, admin: User, callback: str) -> None:
    client.force_login(admin, backend=BACKEND)
    form = {"name": "Good", "website": "", "redirect_uris": callback, "description": ""}
    assert client.post("/sysworkflow/en/neoclassic/oauth2/applications/new", form).status_code == 200
    app = Application.objects.get(name="Good")
    page = client.get(f"/workflow/oauth2/authorize?response_type=code&client_id={app.client_id}&scope=*")
    assert page.status_code == 200 and b'name="accept"' in page.content
