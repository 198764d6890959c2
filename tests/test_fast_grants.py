"""client_credentials answered without oauthlib (`oauth_apps.fast_grants`): only what would succeed, the
same answer and the same row as oauthlib's grant, and every fault left to oauthlib.

Which path answered is told by the `oauthlib_refuses` and `oauthlib_calls` fixtures (tests/conftest.py).
"""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import provision_workspace
from oauth_apps import fast_grants
from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import ENCODINGS, TOKEN_URL, basic_auth, bearer, credentials, post_token
from workspaces.models import User, Workspace

INVALID_CLIENT = {"error": "invalid_client", "error_description": "The client credentials are invalid"}


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("auth", ["body", "basic", "basic and body"])
def test_a_good_request_is_answered_directly(
    client: Client, app: RegisteredClient, oauthlib_refuses: None, encoding: str, auth: str
) -> None:
    body, headers = credentials(app, "basic" if auth.startswith("basic") else "body")
    if auth == "basic and body":  # real clients sometimes repeat the Basic credentials in the body
        body = credentials(app, "body")[0]
    response = post_token(client, {"grant_type": "client_credentials", **body}, encoding=encoding, headers=headers)
    assert response.status_code == 200, response.content
    token = response.json()
    assert list(token) == ["access_token", "expires_in", "token_type", "scope"]
    assert token["token_type"] == "bearer" and token["expires_in"] == 86400 and token["scope"] == "*"
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    assert client.get("/api/1.0/workflow/light/user/data", headers=bearer(token["access_token"])).status_code != 401


def answer_and_row(client: Client, params: dict[str, str], headers: dict[str, str]) -> tuple[Any, ...]:
    """What a request gets and the row it leaves, with the token's own value and times left out."""
    response = post_token(client, params, headers=headers)
    body = response.json()
    row = AccessToken.objects.filter(token=body.get("access_token", "")).values().first() or {}
    lasts = round((row["expires"] - row["created"]).total_seconds()) if row else None
    for varying in ("id", "token", "token_checksum", "created", "updated", "expires"):
        row.pop(varying, None)
    body.pop("access_token", None)
    kept = {name: response[name] for name in ("Content-Type", "Cache-Control", "Pragma") if response.has_header(name)}
    return response.status_code, body, kept, row, lasts


@pytest.mark.parametrize(
    "scope", [None, "*", "view_process edit_process", "edit_process view_process edit_process", "view_process%20*"]
)
@pytest.mark.parametrize("auth", ["body", "basic"])
def test_both_paths_give_the_same_answer_and_row(
    client: Client, app: RegisteredClient, monkeypatch: pytest.MonkeyPatch, scope: str | None, auth: str
) -> None:
    body, headers = credentials(app, auth)
    params = {"grant_type": "client_credentials", **body, **({"scope": scope} if scope is not None else {})}
    monkeypatch.setattr(fast_grants, "ENABLED", True)
    answered_directly = answer_and_row(client, params, headers)
    monkeypatch.setattr(fast_grants, "ENABLED", False)
    assert answered_directly == answer_and_row(client, params, headers)
    status, _, _, row, lasts = answered_directly
    assert status == 200 and row["user_uid"] is None and row["client_id"] == app.application.client_id
    assert row["user_id"] is None and row["token_family"] is None and lasts == 86400


FAULTS = {
    "a wrong secret": lambda app, other: ({"client_id": app.application.client_id, "client_secret": "0" * 32}, {}),
    "no secret": lambda app, other: ({"client_id": app.application.client_id}, {}),
    "no credentials": lambda app, other: ({}, {}),
    "an unknown client": lambda app, other: ({"client_id": "x" * 32, "client_secret": app.client_secret}, {}),
    "another workspace's client": lambda app, other: (credentials(other, "body")[0], {}),
    "a client id in another case": lambda app, other: (
        {"client_id": app.application.client_id.lower(), "client_secret": app.client_secret}, {}
    ),
    "Basic with a wrong secret": lambda app, other: (
        {}, {"Authorization": basic_auth(app.application.client_id, "0" * 32)}
    ),
    "Basic that is not base64": lambda app, other: ({}, {"Authorization": "Basic !!!"}),
    "Basic and a body naming another client": lambda app, other: (
        {"client_id": other.application.client_id}, credentials(app, "basic")[1]
    ),
    "Basic and a body with another secret": lambda app, other: (
        {"client_secret": "0" * 32}, credentials(app, "basic")[1]
    ),
    "an unknown scope": lambda app, other: ({**credentials(app, "body")[0], "scope": "root"}, {}),
}  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_left_to_oauthlib_and_writes_nothing(
    client: Client,
    app: RegisteredClient,
    foreign_app: RegisteredClient,
    oauthlib_calls: list[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    body, headers = FAULTS[fault](app, foreign_app)
    params = {"grant_type": "client_credentials", **body}
    before = AccessToken.objects.count()
    answers = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_grants, "ENABLED", enabled)
        response = post_token(client, params, headers=headers)
        answers.append((response.status_code, response.json()))
    assert len(oauthlib_calls) == 2  # the direct path declined: oauthlib answered both times
    assert answers[0] == answers[1] and "error" in answers[0][1]
    assert AccessToken.objects.count() == before


def test_a_public_client_and_the_local_client_are_left_to_oauthlib(
    client: Client, public_app: RegisteredClient, admin: User, oauthlib_calls: list[str]
) -> None:
    local = Application.objects.get(workspace=admin.workspace, is_local=True)
    for client_id in (public_app.application.client_id, local.client_id):
        params = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": ""}
        assert post_token(client, params).json() == INVALID_CLIENT
    assert len(oauthlib_calls) == 2


def test_a_query_string_is_left_to_oauthlib(client: Client, app: RegisteredClient, oauthlib_calls: list[str]) -> None:
    params = {"grant_type": "client_credentials", **credentials(app, "body")[0]}
    answer = post_token(client, params, url=f"{TOKEN_URL}?scope=*").json()
    assert answer["error"] == "invalid_request" and len(oauthlib_calls) == 1


def test_a_client_changed_since_it_was_kept_is_checked_afresh(
    client: Client, app: RegisteredClient, workspace: Workspace, oauthlib_calls: list[str]
) -> None:
    params = {"grant_type": "client_credentials", **credentials(app, "body")[0]}
    assert post_token(client, params).status_code == 200 and not oauthlib_calls
    Application.objects.filter(pk=app.application.pk).update(client_type=Application.CLIENT_PUBLIC)
    assert post_token(client, params).json()["error"] == "unauthorized_client" and len(oauthlib_calls) == 1
    Application.objects.filter(pk=app.application.pk).delete()
    assert post_token(client, params).json() == INVALID_CLIENT and len(oauthlib_calls) == 2


def test_the_token_lives_the_workspaces_lifetime(
    client: Client, app: RegisteredClient, workspace: Workspace, oauthlib_refuses: None
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(access_token_lifetime=600)
    params = {"grant_type": "client_credentials", **credentials(app, "body")[0]}
    token = post_token(client, params).json()
    assert token["expires_in"] == 600
    row = AccessToken.objects.get(token=token["access_token"])
    assert abs(row.expires - timezone.now() - timedelta(seconds=600)) < timedelta(seconds=5)


# --- The boundary: another workspace, a lower role, hostile bodies -----------------------------------


@pytest.mark.parametrize("prefix", ["", "/api/1.0"])
def test_a_client_gets_nothing_from_another_workspace_or_its_sys_lookalike(
    client: Client, app: RegisteredClient, oauthlib_calls: list[str], prefix: str
) -> None:
    """'sys' + a workspace's name is the pages' URL prefix: its token endpoint is another
    workspace's, and neither workspace's client gets a token from the other."""
    lookalike = provision_workspace("sysworkflow", "admin", PASSWORD).workspace
    owner = User.objects.get_in_workspace(lookalike, "admin")
    theirs = register_application(lookalike, owner, name="Lookalike", website="https://example.org")
    before = AccessToken.objects.count()
    for workspace, registered in (("sysworkflow", app), ("workflow", theirs)):
        params = {"grant_type": "client_credentials", **credentials(registered, "body")[0]}
        url = f"{prefix}/{workspace}/oauth2/token"
        assert post_token(client, params, url=url).json() == INVALID_CLIENT
        basic = credentials(registered, "basic")[1]
        assert post_token(client, {"grant_type": "client_credentials"}, url=url, headers=basic).json() == INVALID_CLIENT
    assert len(oauthlib_calls) == 4 and AccessToken.objects.count() == before
    params = {"grant_type": "client_credentials", **credentials(theirs, "body")[0]}
    token = post_token(client, params, url=f"{prefix}/sysworkflow/oauth2/token").json()
    assert len(oauthlib_calls) == 4  # its own workspace's token, answered directly
    assert AccessToken.objects.get(token=token["access_token"]).workspace_id == lookalike.pk


def test_a_lower_roles_client_gets_a_token_with_that_roles_rights_alone(
    client: Client, workspace: Workspace, operator_user: User, oauthlib_refuses: None
) -> None:
    mine = register_application(workspace, operator_user, name="Mine", website="https://example.org")
    params = {"grant_type": "client_credentials", **credentials(mine, "body")[0]}
    token = post_token(client, params).json()["access_token"]
    assert client.get("/api/1.0/workflow/users", headers=bearer(token)).status_code == 403


OVERSIZED = "x" * 100_000
BASIC = {"Authorization": "the app's own Basic credentials"}
HOSTILE: dict[str, tuple[bytes, dict[str, str]]] = {
    "lone surrogate in JSON": (b'{"grant_type":"client_credentials","client_id":"\\ud800","client_secret":"x"}', {}),
    "nested JSON values": (b'{"grant_type":"client_credentials","client_id":{"a":1},"client_secret":[1]}', {}),
    "NUL in the client id": (b'{"grant_type":"client_credentials","client_id":"a\\u0000b","client_secret":"x"}', {}),
    "an oversized client id": (f'{{"grant_type":"client_credentials","client_id":"{OVERSIZED}"}}'.encode(), {}),
    "an oversized scope": (f'{{"grant_type":"client_credentials","scope":"{OVERSIZED}"}}'.encode(), BASIC),
    "Basic that is not UTF-8": (
        b'{"grant_type":"client_credentials"}', {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:x").decode()}
    ),
    "an oversized Basic header": (b'{"grant_type":"client_credentials"}', {"Authorization": "Basic " + OVERSIZED}),
}  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_requests_get_processmakers_error_and_write_nothing(
    client: Client, app: RegisteredClient, case: str
) -> None:
    body, headers = HOSTILE[case]
    if headers is BASIC:
        headers = credentials(app, "basic")[1]
    before = AccessToken.objects.count()
    response = client.post(TOKEN_URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 200, response.content[:200]  # ProcessMaker's error mode
    assert set(response.json()) == {"error", "error_description"}
    assert AccessToken.objects.count() == before
