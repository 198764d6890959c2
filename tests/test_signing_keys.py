"""Each workspace's ID-token signing keys: made on first use, encrypted at rest, published, rotated.

A token signed before a rotation still verifies against the published set; once the successor signs
(a day later), new tokens carry its `kid`; a replaced key stays published for max(ID-token lifetime,
30 days) and is then deleted by `manage.py periodic`.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from authlib.jose import JsonWebKey, JsonWebToken
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oauth_apps.oidc import keys
from oauth_apps.oidc.keys import SigningKey
from oauth_apps.services import RegisteredClient
from tests.test_openid_connect import ISSUER, sign_in
from workspaces.models import Workspace

pytestmark = pytest.mark.usefixtures("openid_served")


def published(client: Client) -> dict[str, Any]:
    return client.get("/workflow/oauth2/jwks").json()  # type: ignore[no-any-return]


def kid_of(id_token: str) -> str:
    from jwcrypto import jws  # noqa: PLC0415 - only here

    signed = jws.JWS()
    signed.deserialize(id_token)
    return str(signed.jose_header["kid"])


def verifies(client: Client, id_token: str) -> bool:
    key_set = JsonWebKey.import_key_set(published(client))
    claims = JsonWebToken(["RS256", "ES256"]).decode(id_token, key_set)
    return bool(claims["iss"] == ISSUER)


def test_keys_are_made_on_first_use_published_and_encrypted(client: Client, workspace: Workspace) -> None:
    assert not SigningKey.objects.exists()
    document = published(client)
    by_alg = {key["alg"]: key for key in document["keys"]}
    assert set(by_alg) == {"RS256", "ES256"}
    assert by_alg["RS256"]["kty"] == "RSA" and len(JsonWebKey.import_key(by_alg["RS256"]).as_dict()["n"]) >= 342
    assert by_alg["ES256"]["crv"] == "P-256" and all(key["use"] == "sig" and key["kid"] for key in document["keys"])
    assert all("d" not in key for key in document["keys"])  # no private part published
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT private_key FROM {SigningKey._meta.db_table}")  # noqa: S608
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2 and not any("PRIVATE KEY" in value for value in stored)
    with CaptureQueriesContext(connection) as queries:
        assert published(client) == document  # the same keys on the next fetch...
    read = [query for query in queries.captured_queries if SigningKey._meta.db_table in query["sql"]]
    assert len(read) == 1  # ...in one read of the keys


def test_a_workspace_publishes_only_its_own_keys(client: Client, workspace: Workspace, other_workspace: Any) -> None:
    mine = {key["kid"] for key in published(client)["keys"]}
    theirs = {key["kid"] for key in client.get("/other/oauth2/jwks").json()["keys"]}
    assert mine and theirs and not mine & theirs


def test_rotation_publishes_first_then_signs_and_old_tokens_still_verify(
    browser: Client,
    rp: RegisteredClient,
    workspace: Workspace,
) -> None:
    before = sign_in(browser, rp)["id_token"]
    old_kid = kid_of(before)
    out = io.StringIO()
    call_command("rotatesigningkeys", "workflow", stdout=out)
    assert "workflow: new RS256 key" in out.getvalue()
    kids = {key["kid"] for key in published(browser)["keys"] if key["alg"] == "RS256"}
    assert old_kid in kids and len(kids) == 2  # the key the first token was signed with, its successor
    assert kid_of(sign_in(browser, rp)["id_token"]) == old_kid  # the successor is announced, not signing
    # A day on: the first key has signed since yesterday, its successor from now.
    SigningKey.objects.filter(kid=old_kid).update(signs_from=timezone.now() - timedelta(days=1))
    SigningKey.objects.filter(published_until__isnull=True).update(signs_from=timezone.now() - timedelta(seconds=1))
    after = sign_in(browser, rp)["id_token"]
    assert kid_of(after) != old_kid
    assert verifies(browser, before) and verifies(browser, after)
    replaced = SigningKey.objects.get(kid=old_kid)
    assert replaced.published_until is not None
    assert replaced.published_until - timezone.now() > timedelta(days=29)  # 30 days after the successor signs


def test_the_replaced_key_is_kept_for_the_id_token_lifetime_when_longer(workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(id_token_lifetime=86400)
    workspace.refresh_from_db()
    first = keys.signing_key(workspace, keys.RS256)
    now = timezone.now()
    keys.rotate(workspace, now)
    first.refresh_from_db()
    assert first.published_until == now + keys.ANNOUNCED + timedelta(days=30)


def test_periodic_rotates_old_keys_and_deletes_unpublished_ones(workspace: Workspace) -> None:
    first = keys.signing_key(workspace, keys.ES256)
    assert keys.due_for_rotation() == []
    SigningKey.objects.filter(pk=first.pk).update(signs_from=timezone.now() - timedelta(days=91))
    out = io.StringIO()
    call_command("periodic", "--json", "--force", stdout=out)
    done = json.loads(out.getvalue())["rotate-signing-keys"]
    assert done["state"] == "done", done
    assert SigningKey.objects.filter(workspace=workspace).count() == 2
    assert keys.due_for_rotation() == []  # the successor is new
    SigningKey.objects.filter(pk=first.pk).update(published_until=timezone.now() - timedelta(seconds=1))
    assert keys.forget_retired() == 1 and not SigningKey.objects.filter(pk=first.pk).exists()


def test_an_es256_client_gets_es256_tokens(browser: Client, rp: RegisteredClient) -> None:
    rp.application.algorithm = keys.ES256
    rp.application.save()
    id_token = sign_in(browser, rp)["id_token"]
    assert SigningKey.objects.get(kid=kid_of(id_token)).algorithm == "ES256" and verifies(browser, id_token)


def test_the_command_refuses_an_unknown_workspace(workspace: Workspace) -> None:
    with pytest.raises(CommandError, match="Unknown workspace 'nope'"):
        call_command("rotatesigningkeys", "nope", stdout=io.StringIO())


def test_at_once_the_new_key_signs_now(browser: Client, rp: RegisteredClient, workspace: Workspace) -> None:
    old_kid = kid_of(sign_in(browser, rp)["id_token"])
    out = io.StringIO()
    call_command("rotatesigningkeys", "--at-once", "--json", stdout=out)
    made = json.loads(out.getvalue())["workflow"]
    assert [key["algorithm"] for key in made] == ["RS256"]
    SigningKey.objects.filter(kid=old_kid).update(signs_from=timezone.now() - timedelta(days=1))
    assert kid_of(sign_in(browser, rp)["id_token"]) == made[0]["kid"] != old_kid
    assert old_kid in {key["kid"] for key in published(browser)["keys"]}  # still verifies what it signed
