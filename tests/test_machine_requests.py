"""Machine requests skip the browser's middleware; a person's requests keep all of it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import bearer, credentials, issue, post_token
from workspaces.models import User

LOGIN = "/sysworkflow/en/neoclassic/login/login"
USER_DATA = "/api/1.0/workflow/light/user/data"


def had_a_session(response: object) -> bool:
    return hasattr(response.wsgi_request, "session")  # type: ignore[attr-defined]


def logged_in(client: Client) -> Client:
    response = client.post(LOGIN, {"username": "johndoe", "password": PASSWORD})
    assert response.status_code == 302 and settings.SESSION_COOKIE_NAME in client.cookies
    return client


def test_the_token_endpoint_never_opens_a_session_even_with_a_session_cookie(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    logged_in(client)
    sessions = Session.objects.count()
    params, headers = credentials(app, "body")
    response = post_token(client, {"grant_type": "client_credentials", **params}, headers=headers)
    assert response.status_code == 200 and not had_a_session(response)
    assert "Cookie" not in response.get("Vary", "") and not response.cookies
    assert Session.objects.count() == sessions


def test_the_revoke_endpoint_is_a_machine_request(client: Client, app: RegisteredClient) -> None:
    params, headers = credentials(app, "basic")
    response = client.post(
        "/workflow/oauth2/revoke", {"token": issue(app, None), **params}, headers=headers, secure=False
    )
    assert response.status_code == 200 and not had_a_session(response)


def test_an_api_call_without_a_cookie_has_no_session_and_still_acts_for_its_user(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    response = client.get(USER_DATA, headers=bearer(issue(app, operator_user)))
    assert response.status_code == 200 and response.json()["userName"] == "JohnDoe"
    assert not had_a_session(response)


def test_an_api_call_with_a_session_cookie_goes_through_the_browser_middleware(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    logged_in(client)
    response = client.get(USER_DATA, headers=bearer(issue(app, operator_user)))
    assert response.status_code == 200 and had_a_session(response)


def test_pages_and_authorize_keep_sessions_and_csrf(client: Client, public_app: RegisteredClient) -> None:
    page = client.get(LOGIN)
    assert had_a_session(page) and settings.CSRF_COOKIE_NAME in page.cookies
    authorize = client.get(
        "/workflow/oauth2/authorize",
        {"response_type": "code", "client_id": public_app.application.client_id},
    )
    assert had_a_session(authorize) and authorize.status_code == 302  # to the login page: no user


def test_the_new_oauth_routes_and_the_metadata_are_machine_requests_but_authorize_is_not(
    client: Client, app: RegisteredClient, public_app: RegisteredClient, operator_user: User
) -> None:
    logged_in(client)
    token = issue(app, operator_user)
    for response in (
        client.post(f"/api/1.0/workflow/oauth2/{token}/expire"),
        client.delete(f"/workflow/oauth2/{token}"),
        client.get("/workflow/.well-known/oauth-authorization-server"),
        client.post("/workflow/oauth2/introspect", {"token": token}),
    ):
        assert response.status_code in (200, 401) and not had_a_session(response), response.wsgi_request.path
    authorize = Client().get(
        "/api/1.0/workflow/oauth2/authorize", {"response_type": "code", "client_id": public_app.application.client_id}
    )
    assert had_a_session(authorize) and authorize.status_code == 302  # no cookie, yet a person's page


def test_a_post_to_a_page_without_csrf_is_still_refused(operator_user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "johndoe", "password": PASSWORD})
    assert response.status_code == 403


def test_the_admin_checks_accept_the_browser_only_classes(db: None) -> None:
    # admin.E408-E410 look for the stock classes (and workspaces.W001 reads the users: db)
    call_command("check", fail_level="ERROR")
