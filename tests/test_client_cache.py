"""The per-process client cache (oauth_apps.models.CLIENTS, plumbing.row_cache): a kept client costs no
query, and a committed change of a client reaches the very next request, in this process or any other."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client

from accounts.services import delete_user
from oauth_apps.models import CLIENTS, AccessToken, Application
from oauth_apps.services import RegisteredClient, delete_application, regenerate_secret, register_application
from plumbing import row_cache, shared_versions, table_versions
from plumbing.bounded import BoundedMap
from tests.oauth import post_token
from workspaces.models import User, Workspace

# Real commits: a change renews the version when its transaction commits (never, inside a test's transaction).
pytestmark = pytest.mark.django_db(transaction=True)
INVALID_CLIENT = {"error": "invalid_client", "error_description": "The client credentials are invalid"}


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    CLIENTS.entries.clear()
    yield
    CLIENTS.entries.clear()


def unseen_public(application: Application) -> None:
    """What another program's SQL does (a DBA's, say): the row changes, no version is renewed."""
    table, secret = Application._meta.db_table, Application._meta.get_field("client_secret").column
    quote = connection.ops.quote_name
    cursor = connection.connection.cursor()  # the driver's own cursor: no execute wrapper
    cursor.execute(f"UPDATE {quote(table)} SET {quote(secret)} = '' WHERE id = {int(application.pk)}")  # noqa: S608
    cursor.close()
    assert Application.objects.get(pk=application.pk).client_secret == ""


def client_credentials(client: Client, client_id: str, secret: str, workspace: str = "workflow") -> dict[str, Any]:
    body = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return dict(post_token(client, body, url=f"/{workspace}/oauth2/token").json())


def token_for(client: Client, app: RegisteredClient) -> dict[str, Any]:
    return client_credentials(client, app.application.client_id, app.client_secret)


def test_a_kept_client_costs_no_query(client: Client, app: RegisteredClient, django_assert_num_queries: Any) -> None:
    assert "access_token" in token_for(client, app)
    with django_assert_num_queries(1):  # the workspace and the client kept: the token's INSERT alone
        assert "access_token" in client_credentials(client, app.application.client_id, app.client_secret)
    assert (app.application.workspace_id, app.application.client_id) in CLIENTS.entries


def test_a_regenerated_secret_is_refused_at_once(client: Client, app: RegisteredClient) -> None:
    assert "access_token" in token_for(client, app)
    secret = regenerate_secret(app.application)
    assert token_for(client, app) == INVALID_CLIENT
    assert "access_token" in client_credentials(client, app.application.client_id, secret)


def test_a_deleted_client_is_refused_at_once(client: Client, app: RegisteredClient) -> None:
    assert "access_token" in token_for(client, app)
    delete_application(app.application)
    assert token_for(client, app) == INVALID_CLIENT


def test_a_client_deleted_with_its_owner_is_refused_at_once(client: Client, admin: User) -> None:
    owner = User.objects.create_user(
        workspace=admin.workspace, username="owner", password="long enough pw 1", role=admin.role
    )
    app = register_application(admin.workspace, owner, name="theirs", website="https://example.com")
    assert "access_token" in token_for(client, app)
    owner.delete()  # the ORM's cascade, not the service
    assert not Application.objects.filter(pk=app.application.pk).exists()
    assert token_for(client, app) == INVALID_CLIENT
    other = register_application(admin.workspace, admin, name="other", website="https://example.com")
    assert "access_token" in token_for(client, other)
    delete_user(admin)
    assert token_for(client, other) == INVALID_CLIENT


def test_a_bulk_update_is_seen_at_the_next_request(client: Client, app: RegisteredClient) -> None:
    """No signal reports a QuerySet.update(); the statement itself renews the version."""
    assert "access_token" in token_for(client, app)
    Application.objects.filter(pk=app.application.pk).update(client_secret="")  # a public client now
    assert token_for(client, app) == INVALID_CLIENT


def test_a_change_made_by_another_process_is_seen_at_its_next_request(client: Client, app: RegisteredClient) -> None:
    """Another process's change: the row changes, then that process renews the version in Redis.
    Until the renewal, this process uses the row it keeps."""
    assert "access_token" in token_for(client, app)
    unseen_public(app.application)
    assert "access_token" in token_for(client, app)  # the kept row: nothing was renewed
    assert shared_versions.new_version(CLIENTS.version_key)
    assert token_for(client, app) == INVALID_CLIENT


def test_a_rolled_back_change_is_never_kept(app: RegisteredClient) -> None:
    workspace = app.application.workspace
    client_id = app.application.client_id
    with pytest.raises(RuntimeError), transaction.atomic():
        changed = Application.objects.find(workspace, client_id)
        assert changed is not None
        changed.name = "never committed"
        changed.save()
        assert table_versions.changed_in_transaction(CLIENTS.version_key, "default")
        seen = Application.objects.find(workspace, client_id)  # what this transaction sees, kept by nobody
        assert seen is not None and seen.name == "never committed"
        assert [row.name for _, _, row in CLIENTS.entries.values()] == [app.application.name]  # the first read
        raise RuntimeError("roll back")
    assert not table_versions.changed_in_transaction(CLIENTS.version_key, "default")
    for _ in range(2):
        found = Application.objects.find(workspace, client_id)
        assert found is not None and found.name == app.application.name
    assert [row.name for _, _, row in CLIENTS.entries.values()] == [app.application.name]


def test_callers_get_copies(app: RegisteredClient) -> None:
    workspace, client_id = app.application.workspace, app.application.client_id
    first = Application.objects.find(workspace, client_id)
    assert first is not None
    first.name = "changed, not saved"
    first.workspace  # noqa: B018 - caches the workspace on this copy only
    second = Application.objects.find(workspace, client_id)
    assert second is not None and second is not first
    assert second.name == app.application.name and "workspace" not in second._state.fields_cache


def test_without_redis_nothing_is_kept(
    client: Client, app: RegisteredClient, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    monkeypatch.setattr(caches["default"], "down_until", time.monotonic() + 60)  # as after a failed call
    for _ in range(2):
        with django_assert_num_queries(4):  # the workspace, the client with its owner, the owner's role, the INSERT
            assert "access_token" in token_for(client, app)
    assert not CLIENTS.entries


def test_unknown_ids_are_never_kept_and_at_most_its_size_is(
    client: Client, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CLIENTS, "entries", BoundedMap(2))
    apps = [
        register_application(admin.workspace, admin, name=f"app{n}", website="https://example.com") for n in range(3)
    ]
    for app in apps:
        assert "access_token" in token_for(client, app)
    assert client_credentials(client, "X" * 32, "0" * 32) == INVALID_CLIENT
    assert client_credentials(client, apps[0].application.client_id.lower(), apps[0].client_secret) == INVALID_CLIENT
    assert [client_id for _, client_id in CLIENTS.entries] == [app.application.client_id for app in apps[1:]]


def test_a_client_is_kept_per_workspace(client: Client, app: RegisteredClient, other_workspace: Workspace) -> None:
    assert "access_token" in token_for(client, app)
    lookalike = Workspace.objects.create(name="sys" + app.application.workspace.name)  # /sysworkflow/...
    for workspace in (other_workspace.name, lookalike.name):
        kept = client_credentials(client, app.application.client_id, app.client_secret, workspace=workspace)
        assert kept == INVALID_CLIENT
    assert AccessToken.objects.filter(application=app.application).count() == 1


def test_a_process_that_keeps_no_clients_still_renews_the_version(
    client: Client, app: RegisteredClient, settings: Any
) -> None:
    """An admin node or a management command may keep no rows; the API nodes keeping them must hear."""
    assert "access_token" in token_for(client, app)
    before = shared_versions.version(CLIENTS.version_key)
    settings.PM_CLIENT_CACHE_SECONDS = 0
    regenerate_secret(app.application)
    assert shared_versions.version(CLIENTS.version_key) not in (None, before)


def test_a_redis_that_lost_the_version_makes_every_kept_row_stale(client: Client, app: RegisteredClient) -> None:
    """A Redis restarted empty (or flushed) hands out a new random version, never one it gave before."""
    assert "access_token" in token_for(client, app)
    unseen_public(app.application)
    caches["default"].clear()  # the version key is gone with everything else
    assert token_for(client, app) == INVALID_CLIENT


def test_a_kept_row_lives_at_most_its_seconds(
    client: Client, app: RegisteredClient, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bound for a change whose new version Redis never took: the row is read again after it."""
    settings.PM_CLIENT_CACHE_SECONDS = 30
    assert "access_token" in token_for(client, app)
    unseen_public(app.application)
    assert "access_token" in token_for(client, app)
    later = time.monotonic() + 31
    monkeypatch.setattr(row_cache, "monotonic", lambda: later)
    assert token_for(client, app) == INVALID_CLIENT


def test_a_change_whose_renewal_fails_is_logged(
    app: RegisteredClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(shared_versions, "new_version", lambda key: False)  # Redis did not take it
    app.application.name = "renamed"
    app.application.save()
    assert any("was not written to Redis" in record.getMessage() for record in caplog.records)


def test_a_renewal_redis_did_not_take_is_tried_again_before_the_next_cached_read(
    app: RegisteredClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until Redis takes it, other processes keep what the change made stale: the process that made
    the change tries again on a timer and before every read it keeps (tests/test_faults.py runs it
    across two workers with Redis stalled)."""
    renewed: list[str] = []
    taking = False

    def new_version(key: str) -> bool:
        if taking:
            renewed.append(key)
        return taking

    monkeypatch.setattr(shared_versions, "new_version", new_version)
    monkeypatch.setattr(table_versions, "RETRY_SECONDS", 60)  # the timer stays out of the way here
    app.application.name = "renamed"
    app.application.save()
    assert table_versions.renewal_missed()
    Application.objects.find(app.application.workspace, app.application.client_id)  # Redis still refuses
    assert table_versions.renewal_missed() and renewed == []
    taking = True
    Application.objects.find(app.application.workspace, app.application.client_id)
    assert CLIENTS.version_key in renewed and not table_versions.renewal_missed()
