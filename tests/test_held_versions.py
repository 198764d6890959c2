"""The versions of every per-process cache are read in one Redis round trip per request
(plumbing.shared_versions, plumbing.row_cache.VersionsMiddleware): a token request that finds its
workspace and its client kept, or an API call that finds its workspace and its token kept, costs one
MGET and no GET; a change committed by the request itself is seen by the rest of that request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client

from oauth_apps.models import CLIENTS
from oauth_apps.services import RegisteredClient
from plumbing import row_cache, shared_versions
from tests.oauth import bearer, issue, post_token
from workspaces.middleware import WORKSPACES
from workspaces.models import User

# Real commits (versions are renewed when a transaction commits), and the Redis server's command
# statistics, which every test process shares: apart.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.serial]
ME = "/api/1.0/workflow/light/user/data"


@pytest.fixture(autouse=True)
def kept(settings: Any) -> Iterator[None]:
    settings.PM_WORKSPACE_CACHE_SECONDS = 60
    row_cache.forget_all()
    yield
    row_cache.forget_all()


def calls(command: str) -> int:
    with redis.Redis.from_url(django_settings.REDIS_URL) as client:
        return int(client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))


def version_reads(send: Any) -> tuple[int, int]:
    """(MGETs, GETs) Redis answered while `send()` ran."""
    before = calls("mget"), calls("get")
    send()
    return calls("mget") - before[0], calls("get") - before[1]


def test_a_token_request_reads_its_workspaces_and_clients_versions_in_one_round_trip(
    client: Client, app: RegisteredClient
) -> None:
    body = {"grant_type": "client_credentials", "client_id": app.application.client_id,
            "client_secret": app.client_secret}  # fmt: skip
    assert "access_token" in post_token(client, body).json()
    assert "workflow" in WORKSPACES.entries and CLIENTS.entries
    assert version_reads(lambda: post_token(client, body).json()["access_token"]) == (1, 0)


def test_an_api_call_reads_its_workspaces_and_tokens_versions_in_one_round_trip(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    assert client.get(ME, headers=bearer(token)).status_code == 200
    assert version_reads(lambda: client.get(ME, headers=bearer(token))) == (1, 0)


def test_outside_a_request_a_version_is_read_on_its_own(db: None) -> None:
    first = shared_versions.version("pm-test-alone")  # made on the first read
    assert version_reads(lambda: shared_versions.version("pm-test-alone")) == (1, 0)
    assert shared_versions.version("pm-test-alone") == first


def test_a_version_renewed_during_the_request_is_read_again() -> None:
    held = shared_versions.hold(lambda: ["pm-test-a", "pm-test-b"])
    try:
        first = shared_versions.version("pm-test-a")
        assert shared_versions.version("pm-test-b") is not None
        assert shared_versions.new_version("pm-test-a")
        assert shared_versions.version("pm-test-a") == first  # held for the request...
        shared_versions.forget_held()  # ...until this process renews one (plumbing.table_versions does)
        assert shared_versions.version("pm-test-a") != first
    finally:
        shared_versions.release(held)
