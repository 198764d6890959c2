"""Bearer authentication on /api/1.0/{ws}/: every 401 cause, ProcessMaker's body, RFC 6750's header."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import basic_auth, bearer, issue
from workspaces.models import Role, User, Workspace

ME = "/api/1.0/workflow/light/user/data"
UNAUTHORIZED = {"error": {"code": 401, "message": "Unauthorized"}}


def assert_unauthorized(response: object, error: str | None) -> None:
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert response.json() == UNAUTHORIZED  # type: ignore[attr-defined]
    header = response["WWW-Authenticate"]  # type: ignore[index]
    assert header.startswith('Bearer realm="workflow"')
    assert (f'error="{error}"' in header) if error else ("error=" not in header)


def test_a_valid_token_authenticates(client: Client, app: RegisteredClient, operator_user: User) -> None:
    response = client.get(ME, headers=bearer(issue(app, operator_user)))
    assert response.status_code == 200 and response.json()["userName"] == "JohnDoe"


def test_no_token_is_401_without_an_error_code(client: Client, workspace: Workspace) -> None:
    assert_unauthorized(client.get(ME), None)


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "Bearer ", "Bearer a b", "Token abc", "Bearer " + "a" * 300])
def test_a_malformed_authorization_header_is_invalid_request(client: Client, workspace: Workspace, header: str) -> None:
    assert_unauthorized(client.get(ME, headers={"Authorization": header}), "invalid_request")


def test_an_unknown_token_is_invalid_token(client: Client, workspace: Workspace) -> None:
    assert_unauthorized(client.get(ME, headers=bearer("0" * 40)), "invalid_token")


def test_an_expired_token_is_invalid_token(client: Client, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    AccessToken.objects.filter(token=token).update(expires=timezone.now() - timedelta(seconds=1))
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")


def test_a_revoked_token_is_refused_on_the_next_request(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    auth = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    client.post("/workflow/oauth2/revoke", {"token": token}, headers=auth)
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")


def test_a_token_of_another_workspace_is_refused_and_logged(
    client: Client,
    foreign_app: RegisteredClient,
    stranger: User,
    workspace: Workspace,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = issue(foreign_app, stranger)
    assert client.get("/api/1.0/other/light/user/data", headers=bearer(token)).status_code == 200
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")
    assert "was used on workspace workflow" in caplog.text and token not in caplog.text


def test_an_inactive_users_token_is_refused(client: Client, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE)
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")


def test_a_token_whose_role_was_deactivated_is_refused(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    Role.objects.filter(pk=operator_user.role_id).update(status=Role.Status.INACTIVE)
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")


def test_a_client_credentials_token_acts_as_the_clients_owner(
    client: Client, app: RegisteredClient, admin: User
) -> None:
    response = client.get(ME, headers=bearer(issue(app, None)))
    assert response.json()["userName"] == "admin"
    assert client.get("/api/1.0/workflow/users", headers=bearer(issue(app, None))).status_code == 200


def test_a_client_credentials_token_dies_with_its_owners_login(
    client: Client, app: RegisteredClient, admin: User
) -> None:
    token = issue(app, None)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    User.objects.filter(pk=admin.pk).update(status=User.Status.INACTIVE)
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")
    User.objects.filter(pk=admin.pk).update(status=User.Status.ACTIVE)
    Role.objects.filter(pk=admin.role_id).update(status=Role.Status.INACTIVE)
    assert_unauthorized(client.get(ME, headers=bearer(token)), "invalid_token")


def test_a_client_credentials_token_is_looked_up_with_its_owner_in_one_query(
    client: Client, app: RegisteredClient, admin: User
) -> None:
    token = issue(app, None)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(ME, headers=bearer(token)).status_code == 200
    selects = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SELECT")]
    # The token, its client's owner and the owner's role come in one statement; no second user query.
    lookups = [sql for sql in selects if "OAUTH_ACCESS_TOKENS" in sql]
    assert len(lookups) == 1 and "OAUTH_CLIENTS" in lookups[0] and "workspaces_user" in lookups[0]
    assert not [sql for sql in selects if "workspaces_user" in sql and sql not in lookups]


def test_bearer_validation_costs_one_query(
    client: Client, app: RegisteredClient, operator_user: User, django_assert_num_queries: object
) -> None:
    token = issue(app, operator_user)
    with django_assert_num_queries(2):  # type: ignore[operator]
        # the workspace (routing middleware) and the token with everything it needs
        assert client.get(ME, headers=bearer(token)).status_code == 200


def test_api_calls_with_a_web_session_token_keep_the_session_alive(client: Client, operator_user: User) -> None:
    from django.contrib.sessions.models import Session

    from oauth_apps.websessions import SESSION_TOKEN_KEY

    assert (
        client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD}).status_code
        == 302
    )
    access = AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY])
    soon = timezone.now() + timedelta(seconds=60)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    AccessToken.objects.filter(pk=access.pk).update(expires=soon)
    assert Client().get(ME, headers=bearer(access.token)).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    access.refresh_from_db()
    assert session.expire_date - timezone.now() > timedelta(seconds=1400)
    assert abs(access.expires - session.expire_date) < timedelta(seconds=2)


def test_a_web_session_token_stops_at_logout(client: Client, operator_user: User) -> None:
    from oauth_apps.websessions import SESSION_TOKEN_KEY

    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    token = AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY]).token
    assert Client().get(ME, headers=bearer(token)).status_code == 200
    client.post("/sysworkflow/en/neoclassic/login/logout")
    assert Client().get(ME, headers=bearer(token)).status_code == 401
