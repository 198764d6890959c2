"""Named actors shared by the suite.

- `workspace`: the workspace "workflow", made by the real createworkspace service.
- `admin`: its admin (PROCESSMAKER_ADMIN, with PM_REST_API_APPLICATIONS).
- `operator_user`: a plain user (PROCESSMAKER_OPERATOR).
- `other_workspace` / `stranger`: a second workspace and a user of it.
- `app`: a confidential client of "workflow"; `public_app`: a public one; `foreign_app`: a
  client of the other workspace.
- Every test runs the token endpoint as production does (client_credentials and refresh_token
  answered by `oauth_apps.fast_grants` where they can be); tests/test_token_paths_agree.py checks
  that oauthlib alone answers and writes alike.

Passwords are hashed with Argon2id at its lowest cost, except in the tests marked
`production_hashing` (those about hashing, its parameters and its timing): the production cost
(~20 ms a hash) was a third of the suite's time. The markers, and which runs leave which tests
out, are in pyproject.toml and docs/development.md.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import MySQLdb
import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.test import Client, override_settings

from accounts.middleware import ADMIN_SESSION_COOKIE
from accounts.services import create_user, provision_workspace
from oauth_apps.services import RegisteredClient, register_application
from oauth_apps.views.token import TokenView
from plumbing import row_cache, table_versions
from tests import workers
from tests.programs import program
from workspaces import backends
from workspaces.hashers import PMArgon2PasswordHasher
from workspaces.models import Role, User, Workspace

PASSWORD = "correct horse battery"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


def new_user_body(username: str, **fields: Any) -> dict[str, Any]:
    """What POST /user requires (ProcessMaker's required fields), for `username`, with `fields` over it."""
    body = {
        "usr_username": username, "usr_firstname": username.title(), "usr_lastname": "Tester",
        "usr_email": f"{username}@example.com", "usr_due_date": "2040-01-01", "usr_status": "ACTIVE",
        "usr_role": "PROCESSMAKER_OPERATOR", "usr_new_pass": "a long password", "usr_cnf_pass": "a long password",
    }  # fmt: skip
    return {**body, **fields}


def log_in_to_admin(client: Client, username: str = "root", password: str = "operator password 1") -> None:
    """Log `client` in through the Django admin's login page: the admin's session has a cookie of its
    own (accounts.middleware.AdminCookiesMiddleware), which Client.login would not set."""
    response = client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})
    assert response.status_code == 302, response.content.decode()[:2000]


def move_session_to_admin(client: Client) -> None:
    """The session `client` holds (Client.force_login's), under the admin's cookie instead."""
    client.cookies[ADMIN_SESSION_COOKIE] = client.cookies.pop(django_settings.SESSION_COOKIE_NAME).value


def admin_session(client: Client) -> SessionBase:
    """The admin session `client` holds (what `client.session` is for the workspace pages)."""
    store = import_module(django_settings.SESSION_ENGINE).SessionStore
    return store(session_key=client.cookies[ADMIN_SESSION_COOKIE].value)  # type: ignore[no-any-return]


@pytest.fixture
def operator_client(client: Client, db: None) -> Client:
    """The test client, logged in to the Django admin as a site operator (a superuser)."""
    User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    return client


@pytest.fixture
def workspace(db: None) -> Workspace:
    return provision_workspace("workflow", "admin", PASSWORD).workspace


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return User.objects.get_in_workspace(workspace, "admin")


@pytest.fixture
def operator_user(workspace: Workspace) -> User:
    role = workspace.roles.get(code=Role.OPERATOR)
    return create_user(
        workspace, "JohnDoe", PASSWORD, role=role, first_name="John", last_name="Doe", email="john@example.com"
    )


@pytest.fixture
def browser(client: Client, operator_user: User) -> Client:
    """JohnDoe signed in on the web pages (a forced login: a session, without a login's token)."""
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    return client


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return provision_workspace("other", "admin", PASSWORD).workspace


@pytest.fixture
def stranger(other_workspace: Workspace) -> User:
    role = other_workspace.roles.get(code=Role.ADMIN)
    return create_user(other_workspace, "stranger", PASSWORD, role=role)


@pytest.fixture
def app(admin: User) -> RegisteredClient:
    """A confidential client registered by the workspace admin."""
    return register_application(admin.workspace, admin, name="Test app", website="https://example.com")


@pytest.fixture
def public_app(admin: User) -> RegisteredClient:
    return register_application(
        admin.workspace,
        admin,
        name="Public app",
        website="https://example.com",
        callback="https://client.example/cb",
        public=True,
    )


OIDC_ORIGIN = "https://id.example.com"  # PM_PUBLIC_URL where a test needs OpenID Connect served
RP_CALLBACK = "https://rp.example/cb"
RP_SIGNED_OUT = "https://rp.example/bye"


@pytest.fixture
def openid_served() -> Iterator[None]:
    """OpenID Connect served: it needs PM_PUBLIC_URL (the issuer is https://id.example.com/{ws})."""
    with override_settings(PM_PUBLIC_URL=OIDC_ORIGIN):
        yield


@pytest.fixture
def rp(admin: User) -> RegisteredClient:
    """A relying party: a confidential client of the workspace admin's, with a callback and a sign-out
    return URL."""
    registered = register_application(admin.workspace, admin, name="Wiki", website="https://rp.example",
                                      callback=RP_CALLBACK)  # fmt: skip
    registered.application.post_logout_redirect_uris = RP_SIGNED_OUT
    registered.application.save()
    return registered


@pytest.fixture
def foreign_app(stranger: User) -> RegisteredClient:
    """A client of the other workspace."""
    return register_application(stranger.workspace, stranger, name="Foreign app", website="https://example.org")


@pytest.fixture
def oauthlib_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every call of oauthlib's token response, recorded (and made as before)."""
    calls: list[str] = []
    original = TokenView.create_token_response

    def counted(self: TokenView, request: Any) -> Any:
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(TokenView, "create_token_response", counted)
    return calls


def refuse_oauthlib(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauthlib's token response made to fail from now on: what succeeds after it was answered directly."""

    def refuse(self: TokenView, request: Any) -> Any:
        raise AssertionError("oauthlib was asked")

    monkeypatch.setattr(TokenView, "create_token_response", refuse)


@pytest.fixture
def oauthlib_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    refuse_oauthlib(monkeypatch)


def pytest_configure(config: pytest.Config) -> None:
    """Under xdist, this worker's login counters and kept-row versions go to a Redis database of its
    own (tests/workers.py), and so do those of the servers it starts (they inherit REDIS_URL)."""
    if not workers.worker() or not django_settings.REDIS_URL:
        return
    url = workers.redis_url(django_settings.REDIS_URL)
    os.environ["REDIS_URL"] = url
    default = {**django_settings.CACHES["default"], "LOCATION": url}
    override_settings(REDIS_URL=url, CACHES={**django_settings.CACHES, "default": default}).enable()


@pytest.fixture(autouse=True)
def argon2_cost(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Argon2id at the lowest cost it takes (t=1, m=8 KiB) unless the test is marked
    `production_hashing`. Autouse, so it is in place before any fixture hashes a password."""
    if request.node.get_closest_marker("production_hashing") is None:
        monkeypatch.setattr(PMArgon2PasswordHasher, "time_cost", 1)
        monkeypatch.setattr(PMArgon2PasswordHasher, "memory_cost", 8)
    backends.dummy_argon2_hash.cache_clear()  # made again at this test's cost
    yield
    backends.dummy_argon2_hash.cache_clear()


def mariadb_is_up() -> bool:
    try:
        MySQLdb.connect(**MARIADB).close()
        return True
    except MySQLdb.Error:
        return False


@pytest.fixture(scope="session")
def mariadb() -> None:
    """The MariaDB at 127.0.0.1:3306, where the ProcessMaker databases the import tests read live
    whichever database the suite runs on: started when it is down."""
    if mariadb_is_up():
        return
    daemon = program("mariadbd")
    subprocess.run([program("start-stop-daemon"), "--start", "--oknodo", "--background", "--exec", daemon], check=True)
    for _ in range(100):
        if mariadb_is_up():
            return
        time.sleep(0.2)
    raise RuntimeError("MariaDB did not start on 127.0.0.1:3306")


def redis_is_up() -> bool:
    try:
        return bool(cache._cache.get_client().ping())  # type: ignore[attr-defined]
    except Exception:
        return False


@pytest.fixture(scope="session", autouse=True)
def redis_server() -> None:
    """Login counters live in Redis (REDIS_URL, set by pytest-env): start it when it is down."""
    if redis_is_up():
        return
    server = program("redis-server")
    subprocess.run([server, "--port", "6379", "--bind", "127.0.0.1", "--daemonize", "yes", "--save", ""], check=True)
    for _ in range(50):
        if redis_is_up():
            return
        time.sleep(0.1)
    raise RuntimeError("Redis did not start on 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def fresh_counters() -> Iterator[None]:
    """Every test starts with no failed logins counted (the suite shares one Redis database), and
    nothing kept of the rows an earlier test rolled back (clients, bearer lookups)."""
    cache.clear()
    row_cache.forget_all()
    table_versions.forget_missed()
    yield
