"""ProcessMaker's OAUTH_* tables: the documented query, the PM columns, revocation, purging."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import select
import tty
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, Grant, RefreshToken
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import basic_auth, password_grant, post_token, refresh_grant
from workspaces import purging
from workspaces.models import User


def test_processmakers_query_returns_the_users_newest_token(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    older = password_grant(client, app, "johndoe", PASSWORD).json()
    AccessToken.objects.filter(token=older["access_token"]).update(expires=timezone.now() + timedelta(hours=1))
    newer = password_grant(client, app, "johndoe", PASSWORD).json()
    with connection.cursor() as cursor:
        # The query ProcessMaker's documentation gives to triggers and plugins, verbatim.
        cursor.execute(
            f"SELECT ACCESS_TOKEN FROM OAUTH_ACCESS_TOKENS WHERE USER_ID='{operator_user.uid}' ORDER BY EXPIRES DESC"
        )
        rows = cursor.fetchall()
    assert [row[0] for row in rows] == [newer["access_token"], older["access_token"]]


def test_processmaker_columns_hold_processmaker_values(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD, scope="view_process edit_process").json()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ACCESS_TOKEN, CLIENT_ID, USER_ID, EXPIRES, SCOPE FROM OAUTH_ACCESS_TOKENS WHERE ACCESS_TOKEN = %s",
            [data["access_token"]],
        )
        token, client_id, user_id, expires, scope = cursor.fetchone()
        # A refresh token is kept only as its hash (REFRESH_TOKEN is blank): found by the checksum.
        cursor.execute(
            "SELECT CLIENT_ID, USER_ID, SCOPE, REFRESH_TOKEN FROM OAUTH_REFRESH_TOKENS WHERE token_checksum = %s",
            [hashlib.sha256(data["refresh_token"].encode()).hexdigest()],
        )
        refresh_row = cursor.fetchone()
        cursor.execute("SELECT CLIENT_NAME, CLIENT_WEBSITE FROM OAUTH_CLIENTS WHERE CLIENT_ID = %s", [client_id])
        client_row = cursor.fetchone()
    assert (token, client_id, user_id, scope) == (
        data["access_token"],
        app.application.client_id,
        operator_user.uid,
        "view_process edit_process",
    )
    assert expires is not None
    assert refresh_row == (app.application.client_id, operator_user.uid, "view_process edit_process", "")
    assert client_row == ("Test app", "https://example.com")


def test_client_credentials_rows_have_a_null_user_id(client: Client, app: RegisteredClient) -> None:
    headers = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    data = post_token(client, {"grant_type": "client_credentials"}, headers=headers).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT USER_ID FROM OAUTH_ACCESS_TOKENS WHERE ACCESS_TOKEN = %s", [data["access_token"]])
        assert cursor.fetchone() == (None,)


def test_revocation_endpoint_revokes_an_access_token_and_its_refresh_token(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    headers = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    response = client.post(
        "/workflow/oauth2/revoke", {"token": data["access_token"], "token_type_hint": "access_token"}, headers=headers
    )
    assert response.status_code == 200
    assert not AccessToken.objects.filter(token=data["access_token"]).exists()
    assert refresh_grant(client, app, data["refresh_token"]).json()["error"] == "invalid_grant"


def test_revocation_endpoint_revokes_a_refresh_token(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    headers = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    client.post("/workflow/oauth2/revoke", {"token": data["refresh_token"]}, headers=headers)
    assert RefreshToken.objects.presented(data["refresh_token"]).get().revoked is not None


def test_a_client_cannot_revoke_another_clients_token(
    client: Client, app: RegisteredClient, public_app: RegisteredClient, operator_user: User
) -> None:
    from oauth_apps.services import register_application

    other = register_application(operator_user.workspace, operator_user, name="other", website="https://example.net")
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    headers = {"Authorization": basic_auth(other.application.client_id, other.client_secret)}
    assert client.post("/workflow/oauth2/revoke", {"token": data["access_token"]}, headers=headers).status_code == 200
    assert AccessToken.objects.filter(token=data["access_token"]).exists()


def test_revocation_needs_valid_client_credentials(client: Client, app: RegisteredClient, operator_user: User) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    headers = {"Authorization": basic_auth(app.application.client_id, "wrong")}
    response = client.post("/workflow/oauth2/revoke", {"token": data["access_token"]}, headers=headers)
    assert response.json()["error"] == "invalid_client"
    assert AccessToken.objects.filter(token=data["access_token"]).exists()


def test_purgetokens_shows_one_progress_line_on_a_terminal(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    for _ in range(5):
        password_grant(client, app, "johndoe", PASSWORD)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    controller, terminal = os.openpty()
    tty.setraw(terminal)  # no newline translation: what the command writes, byte for byte
    with os.fdopen(terminal, "w") as stderr:
        out = io.StringIO()
        call_command("purgetokens", "--batch-size", "2", "--duty", "1", stdout=out, stderr=stderr)
    seen = b""
    while select.select([controller], [], [], 0.2)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the terminal side is closed and everything was read
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    text = seen.decode()
    assert text.count("\r") == 3 and "access_tokens: 5 of 5 deleted (100%)" in text  # batches of 2, 2 and 1
    assert text.count("\n") == 1 and text.endswith("\n")  # one line, ended once
    assert "Deleted 5 access tokens." in out.getvalue()


def test_purgetokens_deletes_only_dead_tokens_in_batches(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    issued = [password_grant(client, app, "johndoe", PASSWORD).json() for _ in range(5)]
    # Dead and live rows alternate, so batches that walk the key must step over live ones.
    dead, alive = issued[0::2], issued[1::2]
    past = timezone.now() - timedelta(seconds=1)
    AccessToken.objects.filter(token__in=[d["access_token"] for d in dead]).update(expires=past)
    RefreshToken.objects.presented(dead[0]["refresh_token"]).update(expires=past)
    RefreshToken.objects.presented(dead[1]["refresh_token"]).update(revoked=timezone.now() - timedelta(days=31))
    out, err = io.StringIO(), io.StringIO()
    call_command("purgetokens", "--batch-size", "2", "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {
        "access_tokens": 3,
        "refresh_tokens": 2,
        "authorization_codes": 0,
        "id_tokens": 0,
    }
    assert err.getvalue() == ""  # not a terminal: no line per batch, the summary says it all
    assert set(AccessToken.objects.values_list("token", flat=True)) == {a["access_token"] for a in alive}
    assert RefreshToken.objects.presented(dead[2]["refresh_token"]).exists()
    assert not Grant.objects.exists()


def test_refresh_tokens_and_codes_are_stored_only_as_hashes(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM OAUTH_REFRESH_TOKENS")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM OAUTH_AUTHORIZATION_CODES")
        rows += cursor.fetchall()
    assert rows and not any(data["refresh_token"] in str(value) for row in rows for value in row)


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--duty", "0", "--duty must be more than 0 and at most 1."),
        ("--duty", "1.5", "--duty must be more than 0 and at most 1."),
        ("--pause", "-1", "--pause must not be negative."),
        ("--batch-size", "0", "--batch-size must be between 1 and 100000."),
    ],
)
def test_purgetokens_refuses_bad_pacing_with_a_clear_error(db: None, option: str, value: str, message: str) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("purgetokens", option, value)


def test_purgetokens_rests_between_batches_as_its_duty_says(
    client: Client, app: RegisteredClient, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        password_grant(client, app, "johndoe", PASSWORD)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    rests: list[float] = []
    monkeypatch.setattr(purging.time, "sleep", rests.append)
    call_command("purgetokens", "--batch-size", "1", "--duty", "0.25", "--json", stdout=io.StringIO())
    assert len(rests) == 3 and all(rest > 0 for rest in rests)  # three batches, a rest after each
    rests.clear()
    call_command("purgetokens", "--duty", "1", "--json", stdout=io.StringIO())
    assert rests == []  # nothing deleted, nothing to rest from; and duty 1 never rests
