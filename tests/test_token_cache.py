"""The per-process bearer cache (oauth_apps.bearer.TOKENS): a kept token costs no query, and whatever
withdraws a token (revocation, expiry, its user's or role's or client's change, a logout) reaches the
very next request, in this process or any other, with real commits."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.services import delete_user, update_user
from oauth_apps.bearer import TOKENS, find_access_token
from oauth_apps.identifiers import checksum
from oauth_apps.models import AccessToken, Application
from oauth_apps.revocation import revoke_tokens
from oauth_apps.services import RegisteredClient, delete_application
from oauth_apps.websessions import SESSION_TOKEN_KEY, SESSION_TOUCH_KEY
from plumbing import shared_versions, table_versions
from plumbing.bounded import BoundedMap
from tests.conftest import PASSWORD
from tests.oauth import basic_auth, bearer, issue
from workspaces.models import Role, User, Workspace
from workspaces.rbac import PermissionCode

pytestmark = pytest.mark.django_db(transaction=True)
ME = "/api/1.0/workflow/light/user/data"


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    TOKENS.entries.clear()
    yield
    TOKENS.entries.clear()


def kept_and_working(client: Client, token: str) -> None:
    assert client.get(ME, headers=bearer(token)).status_code == 200
    assert checksum(token) in TOKENS.entries
    assert client.get(ME, headers=bearer(token)).status_code == 200  # from the kept entry


def test_a_kept_token_costs_no_query(
    client: Client, app: RegisteredClient, operator_user: User, django_assert_num_queries: Any
) -> None:
    token = issue(app, operator_user)
    kept_and_working(client, token)
    with django_assert_num_queries(0):  # the workspace, the token and its user: all kept
        assert client.get(ME, headers=bearer(token)).json()["userName"] == "JohnDoe"


def revoke_at_the_endpoint(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    auth = {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    assert client.post("/workflow/oauth2/revoke", {"token": token}, headers=auth).status_code == 200


def revoke_all_of_the_users(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    revoke_tokens(user=user, why="test")


def change_the_password(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    update_user(user, {}, password="a brand new password 9")


def deactivate_in_bulk(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    User.objects.filter(pk=user.pk).update(status=User.Status.INACTIVE)


def deactivate_and_save(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    user.status = User.Status.INACTIVE
    user.save()


def withdraw_login_from_the_role(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    role = Role.objects.get(pk=user.role_id)
    role.permissions = [code for code in role.permissions if code != PermissionCode.PM_LOGIN]
    role.save()


def past_the_due_date(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    User.objects.filter(pk=user.pk).update(due_date=timezone.localdate() - timedelta(days=1))


def expire_the_row(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    AccessToken.objects.filter(token=token).update(expires=timezone.now() - timedelta(seconds=1))


def delete_the_user(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    delete_user(user)


def delete_the_client(client: Client, app: RegisteredClient, user: User, token: str) -> None:
    delete_application(app.application)


WITHDRAWALS = [
    revoke_at_the_endpoint,
    revoke_all_of_the_users,
    change_the_password,
    deactivate_in_bulk,
    deactivate_and_save,
    withdraw_login_from_the_role,
    past_the_due_date,
    expire_the_row,
    delete_the_user,
    delete_the_client,
]


# A client-credentials token acts for its client's owner: the owner's changes count too.
OWNER_WITHDRAWALS = [deactivate_in_bulk, withdraw_login_from_the_role, delete_the_client, revoke_at_the_endpoint]
CASES = [(withdraw, "user's token") for withdraw in WITHDRAWALS] + [
    (withdraw, "client credentials token") for withdraw in OWNER_WITHDRAWALS
]


@pytest.mark.parametrize(("withdraw", "kind"), CASES, ids=lambda case: getattr(case, "__name__", case))
def test_a_withdrawn_token_is_refused_at_once(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, withdraw: Callable[..., None], kind: str
) -> None:
    acting = operator_user if kind == "user's token" else admin
    token = issue(app, operator_user if kind == "user's token" else None)
    kept_and_working(client, token)
    withdraw(client, app, acting, token)
    assert client.get(ME, headers=bearer(token)).status_code == 401


def test_a_new_owner_of_the_client_is_seen_at_once(client: Client, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, None)
    kept_and_working(client, token)
    Application.objects.filter(pk=app.application.pk).update(user=operator_user)
    assert client.get(ME, headers=bearer(token)).json()["userName"] == operator_user.username


def test_a_token_that_expires_while_kept_is_refused(
    client: Client, app: RegisteredClient, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = issue(app, operator_user)
    kept_and_working(client, token)
    later = timezone.now() + timedelta(seconds=app.application.workspace.access_token_lifetime + 1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get(ME, headers=bearer(token)).status_code == 401


def test_a_logout_ends_the_kept_web_session_token(client: Client, operator_user: User) -> None:
    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    token = AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY]).token
    program = Client()  # a program holding the session's token, without its cookie
    kept_and_working(program, token)
    client.post("/sysworkflow/en/neoclassic/login/logout")
    assert program.get(ME, headers=bearer(token)).status_code == 401


def test_a_change_made_by_another_process_is_seen_at_its_next_request(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    """Another process's change: the row changes, then that process renews the version in Redis.
    Until the renewal, this process uses what it keeps."""
    token = issue(app, operator_user)
    kept_and_working(client, token)
    pk = AccessToken.objects.get(token=token).pk
    cursor = connection.connection.cursor()  # the driver's own cursor: as another program's SQL
    cursor.execute(f"DELETE FROM {connection.ops.quote_name(AccessToken._meta.db_table)} WHERE id = {int(pk)}")  # noqa: S608
    cursor.close()
    assert client.get(ME, headers=bearer(token)).status_code == 200  # the kept entry: nothing was renewed
    assert shared_versions.new_version(TOKENS.version_key)
    assert client.get(ME, headers=bearer(token)).status_code == 401


def test_a_rolled_back_withdrawal_changes_nothing(client: Client, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    kept_and_working(client, token)
    before = shared_versions.version(TOKENS.version_key)
    with pytest.raises(RuntimeError), transaction.atomic():
        User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE)
        assert table_versions.changed_in_transaction(TOKENS.version_key, "default")
        assert client.get(ME, headers=bearer(token)).status_code == 401  # what this transaction sees
        raise RuntimeError("roll back")
    assert shared_versions.version(TOKENS.version_key) == before
    assert client.get(ME, headers=bearer(token)).status_code == 200


def test_issuing_tokens_keeps_what_is_kept(client: Client, app: RegisteredClient, operator_user: User) -> None:
    """A new token changes no lookup: issuing (the hot path) renews nothing."""
    token = issue(app, operator_user)
    kept_and_working(client, token)
    before = shared_versions.version(TOKENS.version_key)
    issue(app, operator_user)
    body = {
        "grant_type": "client_credentials",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
    }
    assert "access_token" in client.post("/workflow/oauth2/token", body).json()
    assert shared_versions.version(TOKENS.version_key) == before


def test_callers_get_copies(client: Client, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    first = find_access_token(token)
    assert first is not None
    first.access.scope = "changed"
    first.acting_user.username = "changed"  # type: ignore[union-attr]
    second = find_access_token(token)
    assert second is not None and second.access is not first.access
    assert second.access.scope == "*" and second.acting_user.username == operator_user.username  # type: ignore[union-attr]
    assert second.access.user is second.acting_user  # one user, as the lookup built it


def test_unknown_tokens_are_never_kept_and_at_most_its_size_is(
    client: Client, app: RegisteredClient, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TOKENS, "entries", BoundedMap(2))
    tokens = [issue(app, operator_user) for _ in range(3)]
    for token in tokens:
        assert client.get(ME, headers=bearer(token)).status_code == 200
    assert client.get(ME, headers=bearer("0" * 40)).status_code == 401
    assert list(TOKENS.entries) == [checksum(token) for token in tokens[1:]]


def test_without_redis_nothing_is_kept(
    client: Client, app: RegisteredClient, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(caches["default"], "down_until", time.monotonic() + 60)
    token = issue(app, operator_user)
    for _ in range(2):
        assert client.get(ME, headers=bearer(token)).status_code == 200
    assert not TOKENS.entries


def test_a_kept_token_stays_in_its_workspace(
    client: Client, app: RegisteredClient, operator_user: User, other_workspace: Workspace
) -> None:
    """Kept or not, a token is checked against the workspace of every request: another workspace,
    and one whose name is 'sys' + this one's (the pages' URL prefix), refuse it as unknown."""
    token = issue(app, operator_user)
    kept_and_working(client, token)
    lookalike = Workspace.objects.create(name="sys" + app.application.workspace.name)
    for workspace in (other_workspace.name, lookalike.name):
        assert client.get(f"/api/1.0/{workspace}/light/user/data", headers=bearer(token)).status_code == 401
    assert client.get(ME, headers=bearer(token)).status_code == 200


def test_a_kept_token_keeps_its_roles_limits_until_the_role_changes(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    kept_and_working(client, token)
    assert client.get("/api/1.0/workflow/users", headers=bearer(token)).status_code == 403  # a lower role
    Role.objects.filter(pk=operator_user.role_id).update(permissions=[PermissionCode.PM_LOGIN, "PM_USERS"])
    assert client.get("/api/1.0/workflow/users", headers=bearer(token)).status_code == 200  # seen at once


@pytest.mark.parametrize("header", ["Bearer " + "a" * 300, "Bearer a b", "Basic abc", "Bearer \x00"])
def test_a_hostile_header_is_refused_before_any_lookup(client: Client, workspace: Workspace, header: str) -> None:
    assert client.get(ME, headers={"Authorization": header}).status_code == 401
    assert not TOKENS.entries


def test_a_sliding_session_renews_no_version(client: Client, operator_user: User) -> None:
    """A busy site logs people in and slides their sessions many times a second: none of that may
    empty every process's kept lookups (docs/performance.md measured what each renewal costs)."""
    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    token = AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY])
    session = client.session
    session[SESSION_TOUCH_KEY] = 0  # the page view below slides the session and its token
    session.save()
    AccessToken.objects.filter(pk=token.pk).update(expires=timezone.now() + timedelta(seconds=60))
    before = shared_versions.version(TOKENS.version_key), shared_versions.version("oauth:clients:version")
    client.get("/sysworkflow/en/neoclassic/login/login")
    assert AccessToken.objects.get(pk=token.pk).expires > timezone.now() + timedelta(seconds=600)  # slid
    assert (shared_versions.version(TOKENS.version_key), shared_versions.version("oauth:clients:version")) == before


def test_a_login_renews_nothing(client: Client, operator_user: User) -> None:
    before = shared_versions.version(TOKENS.version_key), shared_versions.version("oauth:clients:version")
    assert (
        client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD}).status_code
        == 302
    )
    operator_user.refresh_from_db()
    assert operator_user.last_login is not None  # written, yet
    assert (shared_versions.version(TOKENS.version_key), shared_versions.version("oauth:clients:version")) == before


def test_a_kept_lookup_whose_expiry_passed_is_read_again(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    """A session slide moves its token's expiry later without renewing the version: a kept lookup
    that says expired must not refuse a token the database says is live."""
    token = issue(app, operator_user)
    AccessToken.objects.presented(token).update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get(ME, headers=bearer(token)).status_code == 401
    assert checksum(token) in TOKENS.entries  # kept, expired
    with table_versions.not_renewing():
        AccessToken.objects.presented(token).update(expires=timezone.now() + timedelta(hours=1))
    assert client.get(ME, headers=bearer(token)).status_code == 200
