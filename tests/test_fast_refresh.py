"""refresh_token answered without oauthlib (`oauth_apps.fast_grants`): only what would succeed, the same
answer and the same rows as oauthlib's grant, every fault left to oauthlib with nothing changed by
the direct attempt, and the boundary (another client, another workspace, a hostile body) held.

Which path answered is told by the `oauthlib_refuses` and `oauthlib_calls` fixtures (tests/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import provision_workspace
from oauth_apps import fast_grants
from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD, refuse_oauthlib
from tests.oauth import ENCODINGS, TOKEN_URL, bearer, credentials, password_grant, post_token
from workspaces.models import User, Workspace

INVALID_REFRESH = {"error": "invalid_grant", "error_description": "Invalid refresh token"}


def login(client: Client, app: RegisteredClient, scope: str = "*") -> dict[str, Any]:
    data: dict[str, Any] = password_grant(client, app, "johndoe", PASSWORD, scope=scope).json()
    assert "refresh_token" in data, data
    return data


def refresh_params(app: RegisteredClient, token: str, auth: str = "body", **extra: str) -> tuple[dict[str, str], Any]:
    body, headers = credentials(app, auth)
    return {"grant_type": "refresh_token", "refresh_token": token, **body, **extra}, headers


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("auth", ["body", "basic"])
def test_a_good_refresh_is_answered_directly(
    client: Client,
    app: RegisteredClient,
    operator_user: User,
    monkeypatch: pytest.MonkeyPatch,
    encoding: str,
    auth: str,
) -> None:
    first = login(client, app)
    refuse_oauthlib(monkeypatch)
    params, headers = refresh_params(app, first["refresh_token"], auth)
    response = post_token(client, params, encoding=encoding, headers=headers)
    assert response.status_code == 200, response.content
    second = response.json()
    assert list(second) == ["access_token", "expires_in", "token_type", "scope", "refresh_token"]
    assert second["token_type"] == "bearer" and second["scope"] == "*" and second["expires_in"] == 86400
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    old = RefreshToken.objects.presented(first["refresh_token"]).get()
    new = RefreshToken.objects.presented(second["refresh_token"]).get()
    access = AccessToken.objects.get(token=second["access_token"])
    assert old.revoked is not None and new.revoked is None  # rotated: the old one is used up
    assert access.source_refresh_token_id == old.pk and new.access_token_id == access.pk
    assert access.token_family == new.token_family == old.token_family is not None
    assert access.user_id == new.user_id == operator_user.pk and access.user_uid == operator_user.uid
    assert client.get("/api/1.0/workflow/light/user/data", headers=bearer(second["access_token"])).status_code == 200
    # The operator's refreshed token carries the operator's rights alone.
    assert client.get("/api/1.0/workflow/users", headers=bearer(second["access_token"])).status_code == 403


def rows_of(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The access and refresh rows an answer left, with what differs between any two tokens left out."""
    varying = ("id", "token", "token_checksum", "created", "updated", "expires", "access_token_id",
               "source_refresh_token_id", "token_family")  # fmt: skip
    access = AccessToken.objects.filter(token=answer.get("access_token", "")).values().first() or {}
    refresh = RefreshToken.objects.presented(answer.get("refresh_token", "")).values().first() or {}
    for row in (access, refresh):
        lasts = round((row["expires"] - row["created"]).total_seconds()) if row.get("expires") else None
        for name in varying:
            row.pop(name, None)
        row["lasts"] = lasts
    return access, refresh


# (the scope the token was granted, the scope the refresh asks for): the same or narrower.
NARROWER = [
    ("*", None), ("*", "*"), ("*", "view_process"), ("*", "edit_process view_process view_process"),
    ("*", "view_process%20*"), ("view_process edit_process", None), ("view_process edit_process", "edit_process"),
    ("view_process edit_process", "edit_process view_process"),
]  # fmt: skip


@pytest.mark.parametrize(("granted", "scope"), NARROWER)
def test_both_paths_give_the_same_answer_and_rows(
    client: Client, app: RegisteredClient, operator_user: User, workspace: Workspace,
    monkeypatch: pytest.MonkeyPatch, granted: str, scope: str | None,
) -> None:  # fmt: skip
    Workspace.objects.filter(pk=workspace.pk).update(refresh_token_lifetime=3600)
    seen = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_grants, "ENABLED", enabled)
        params, headers = refresh_params(app, login(client, app, granted)["refresh_token"])
        response = post_token(client, params | ({"scope": scope} if scope is not None else {}), headers=headers)
        answer = response.json()
        kept = {name: response[name] for name in ("Content-Type", "Cache-Control", "Pragma")}
        seen.append(
            (response.status_code, {k: v for k, v in answer.items() if "token" not in k}, kept, rows_of(answer))
        )
    assert seen[0] == seen[1]
    status, answer, _, (access, refresh) = seen[0]
    assert status == 200 and access["lasts"] == 86400 and refresh["lasts"] == 3600
    assert access["scope"] == answer["scope"] and refresh["scope"] == granted  # RFC 6749 6: the grant's scope


def another_clients_token(client: Client, app: RegisteredClient, operator_user: User) -> str:
    other = register_application(operator_user.workspace, operator_user, name="Other", website="https://example.net")
    return login(client, other)["refresh_token"]


def expired_token(client: Client, app: RegisteredClient, operator_user: User) -> str:
    token = login(client, app)["refresh_token"]
    RefreshToken.objects.presented(token).update(expires=timezone.now() - timedelta(seconds=1))
    return token


def inactive_users_token(client: Client, app: RegisteredClient, operator_user: User) -> str:
    token = login(client, app)["refresh_token"]
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE)
    return token


def overdue_users_token(client: Client, app: RegisteredClient, operator_user: User) -> str:
    token = login(client, app)["refresh_token"]
    User.objects.filter(pk=operator_user.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    return token


# Each fault: (the token presented, extra parameters); every one is refused the same on both paths.
FAULTS: dict[str, tuple[Callable[[Client, RegisteredClient, User], str], dict[str, str]]] = {
    "an unknown token": (lambda client, app, user: "0" * 40, {}),
    "another client's token": (another_clients_token, {}),
    "an expired token": (expired_token, {}),
    "an inactive user's token": (inactive_users_token, {}),
    "a token of a user past the due date": (overdue_users_token, {}),
    "a scope beyond the token's": (lambda client, app, user: login(client, app, "view_process")["refresh_token"],
                                   {"scope": "edit_process"}),
    "an unknown scope": (lambda client, app, user: login(client, app)["refresh_token"], {"scope": "root"}),
    "no token": (lambda client, app, user: "", {}),
    "a wrong secret": (lambda client, app, user: login(client, app)["refresh_token"], {"client_secret": "0" * 32}),
}  # fmt: skip


@pytest.mark.parametrize("fault", FAULTS)
def test_every_fault_is_left_to_oauthlib_and_the_direct_attempt_changes_nothing(
    client: Client, app: RegisteredClient, operator_user: User, oauthlib_calls: list[str],
    monkeypatch: pytest.MonkeyPatch, fault: str,
) -> None:  # fmt: skip
    make_token, extra = FAULTS[fault]
    token = make_token(client, app, operator_user)
    params, logins = refresh_params(app, token)[0] | extra, len(oauthlib_calls)
    answers = []
    for enabled in (True, False):
        monkeypatch.setattr(fast_grants, "ENABLED", enabled)
        before = (AccessToken.objects.count(), RefreshToken.objects.filter(revoked__isnull=True).count())
        answers.append(post_token(client, params).json())
        assert (AccessToken.objects.count(), RefreshToken.objects.filter(revoked__isnull=True).count()) == before
    assert len(oauthlib_calls) == logins + 2  # the direct path declined: oauthlib answered both times
    assert answers[0] == answers[1] and "error" in answers[0]


def test_a_replayed_token_is_left_to_oauthlib_which_revokes_its_family(
    client: Client, app: RegisteredClient, operator_user: User, oauthlib_calls: list[str]
) -> None:
    first, logins = login(client, app), len(oauthlib_calls)
    second = post_token(client, refresh_params(app, first["refresh_token"])[0]).json()
    assert len(oauthlib_calls) == logins  # answered directly
    assert post_token(client, refresh_params(app, first["refresh_token"])[0]).json() == INVALID_REFRESH
    assert len(oauthlib_calls) == logins + 1
    assert not AccessToken.objects.filter(token=second["access_token"]).exists()  # the family is revoked
    assert post_token(client, refresh_params(app, second["refresh_token"])[0]).json() == INVALID_REFRESH


def test_a_public_client_and_a_query_string_are_left_to_oauthlib(
    client: Client, app: RegisteredClient, public_app: RegisteredClient, operator_user: User,
    oauthlib_calls: list[str],
) -> None:  # fmt: skip
    params = {"grant_type": "refresh_token", "refresh_token": "0" * 40, "client_id": public_app.application.client_id}
    assert post_token(client, params).json() == INVALID_REFRESH
    token = login(client, app)["refresh_token"]
    answer = post_token(client, refresh_params(app, token)[0], url=f"{TOKEN_URL}?scope=*").json()
    assert answer["error"] == "invalid_request" and len(oauthlib_calls) == 3  # with the login
    assert RefreshToken.objects.presented(token).get().revoked is None


def test_a_deleted_client_is_refused_at_once(
    client: Client, app: RegisteredClient, operator_user: User, oauthlib_calls: list[str]
) -> None:
    token = login(client, app)["refresh_token"]
    params = refresh_params(app, token)[0]
    Application.objects.filter(pk=app.application.pk).update(client_secret="")  # as if regenerated away
    assert post_token(client, params).json()["error"] == "invalid_client" and len(oauthlib_calls) == 2


@pytest.mark.parametrize("prefix", ["", "/api/1.0"])
def test_a_token_gets_nothing_from_another_workspace_or_its_sys_lookalike(
    client: Client, app: RegisteredClient, operator_user: User, oauthlib_calls: list[str], prefix: str
) -> None:
    """A refresh token of workspace `workflow` presented at `sysworkflow`, by its own client or by
    the lookalike's: refused, and the token is left as it was."""
    lookalike = provision_workspace("sysworkflow", "admin", PASSWORD).workspace
    theirs = register_application(
        lookalike, User.objects.get_in_workspace(lookalike, "admin"), name="Lookalike", website="https://example.org"
    )
    token = login(client, app)["refresh_token"]
    url = f"{prefix}/sysworkflow/oauth2/token"
    assert post_token(client, refresh_params(app, token)[0], url=url).json()["error"] == "invalid_client"
    assert post_token(client, refresh_params(theirs, token)[0], url=url).json() == INVALID_REFRESH
    assert len(oauthlib_calls) == 3 and RefreshToken.objects.presented(token).get().revoked is None
    assert (
        "access_token"
        in post_token(client, refresh_params(app, token)[0], url=f"{prefix}/workflow/oauth2/token").json()
    )
    assert len(oauthlib_calls) == 3  # its own workspace: answered directly


OVERSIZED = "x" * 100_000
HOSTILE: dict[str, bytes] = {
    "a lone surrogate": b'"\\ud800"',
    "a NUL": b'"a\\u0000b"',
    "a nested value": b'{"a": [1]}',
    "an oversized token": f'"{OVERSIZED}"'.encode(),
    "a number": b"1e400",
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_hostile_refresh_token_gets_processmakers_error_and_changes_nothing(
    client: Client, app: RegisteredClient, operator_user: User, case: str
) -> None:
    login(client, app)
    client_id, secret = app.application.client_id, app.client_secret
    body = (f'{{"grant_type":"refresh_token","client_id":"{client_id}","client_secret":"{secret}",'
            f'"refresh_token":').encode() + HOSTILE[case] + b"}"  # fmt: skip
    before = (AccessToken.objects.count(), RefreshToken.objects.filter(revoked__isnull=True).count())
    response = client.post(TOKEN_URL, body, content_type="application/json")
    assert response.status_code == 200, response.content[:200]  # ProcessMaker's error mode
    assert set(response.json()) == {"error", "error_description"}
    assert (AccessToken.objects.count(), RefreshToken.objects.filter(revoked__isnull=True).count()) == before
