"""The two token paths agree: generated token requests, good, bad and hostile, are sent through the
fast path (`oauth_apps.fast_grants`, answering client_credentials and refresh_token itself when it
can) and through oauthlib alone, each from the same database state, and must get the same status,
the same body (token values aside), the same headers a client reads and the same rows written:
tokens, their families, revocations and audit events.

`make fuzz` runs many more examples (FUZZ_EXAMPLES)."""

from __future__ import annotations

import base64
import json
import os
import re
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import create_user
from oauth_apps import fast_grants
from oauth_apps.identifiers import new_token
from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import RegisteredClient, issue_tokens, register_application
from plumbing import row_cache, table_versions
from tests.oauth import TOKEN_URL, basic_auth
from workspaces.models import ErrorMode, Role, User, Workspace
from workspaces.records import AuditEvent

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
AGREE = settings(
    max_examples=EXAMPLES, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
SECRET_SHAPE = re.compile(r"^[0-9a-f]{40}$")
HEADERS_READ = ("Content-Type", "Cache-Control", "Pragma", "WWW-Authenticate")

# What a request is made of; `World` turns the names into credentials.
clients = st.sampled_from(["app", "app", "app", "public", "held", "inactive_owner", "foreign", "unknown", "local"])
secrets = st.sampled_from(["right", "right", "wrong", "empty", "missing", "of_another_client"])
authentication = st.sampled_from(
    ["body", "basic", "basic_and_same_body", "basic_and_other_id", "basic_and_secret_too", "basic_lower_case",
     "basic_not_base64", "basic_no_colon", "none", "id_only"]
)  # fmt: skip
grants = st.one_of(
    st.sampled_from(["client_credentials", "refresh_token"] * 4 + ["password", "", "CLIENT_CREDENTIALS"]),
    st.text(max_size=12),
)
refresh_tokens = st.sampled_from(
    ["live", "live", "live", "used", "expired", "of_another_client", "of_inactive_user", "of_another_workspace",
     "unknown", "missing", "empty"]
)  # fmt: skip
scopes = st.one_of(
    st.none(),
    st.sampled_from(["*", "view_processes", "edit_processes", "view_process edit_process", "view_processes *",
                     "unknown_scope", "", "  ", "*%20view_process", "VIEW_PROCESS", "view_process view_process"]),
    st.text(max_size=12),
)  # fmt: skip
extras = st.dictionaries(
    st.sampled_from(["username", "password", "code", "state", "redirect_uri", "x"]), st.text(max_size=6), max_size=2
)
modes = st.sampled_from([ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
any_request = st.fixed_dictionaries(
    {
        "client": clients, "secret": secrets, "authentication": authentication, "grant_type": grants,
        "refresh_token": refresh_tokens, "scope": scopes, "extra": extras,
        "encoding": st.sampled_from(["form", "form", "json", "multipart"]),
        "query": st.sampled_from([False] * 9 + [True]), "error_mode": modes,
    }
)  # fmt: skip
# Requests that should get a token, so that both outcomes are compared often.
good_request = st.fixed_dictionaries(
    {
        "client": st.just("app"), "secret": st.just("right"),
        "authentication": st.sampled_from(["body", "basic", "basic_and_same_body", "basic_lower_case"]),
        "grant_type": st.sampled_from(["client_credentials", "refresh_token"]), "refresh_token": st.just("live"),
        "scope": st.sampled_from([None, "*", "view_processes", "edit_process view_process", "view_process *"]),
        "extra": st.just({}), "encoding": st.sampled_from(["form", "json", "multipart"]), "query": st.just(False),
        "error_mode": modes,
    }
)  # fmt: skip
requests = st.one_of(good_request, any_request)


class World:
    """The clients, users and refresh tokens the generated requests name, made once per test."""

    def __init__(self, workspace: Workspace, admin: User, app: RegisteredClient, other_workspace: Workspace) -> None:
        self.workspace = workspace
        role = workspace.roles.get(code=Role.ADMIN)
        public = register_application(workspace, admin, name="public", website="https://example.com", public=True)
        held = register_application(workspace, admin, name="held", website="https://example.com")
        Application.objects.filter(pk=held.application.pk).update(secret_unconfirmed_since=timezone.now())
        leaver = create_user(workspace, "leaver", "a password to leave with", role=role)
        gone = register_application(workspace, leaver, name="the leaver's", website="https://example.com")
        outsider = create_user(
            other_workspace, "outsider", "a password from outside", role=other_workspace.roles.get(code=Role.ADMIN)
        )
        foreign = register_application(other_workspace, outsider, name="foreign", website="https://example.com")
        local = Application.objects.get(workspace=workspace, is_local=True)
        self.clients: dict[str, tuple[str, str]] = {
            "app": (app.application.client_id, app.client_secret),
            "public": (public.application.client_id, ""),
            "held": (held.application.client_id, held.client_secret),
            "inactive_owner": (gone.application.client_id, gone.client_secret),
            "foreign": (foreign.application.client_id, foreign.client_secret),
            "unknown": ("X" * 32, "0" * 40),
            "local": (local.client_id, "anything"),
        }
        self.other_secret = held.client_secret
        self.refresh: dict[str, str] = {
            "live": self.refresh_token(app.application, admin),
            "used": self.refresh_token(app.application, admin, revoked=True),
            "expired": self.refresh_token(app.application, admin, expires=timezone.now() - timedelta(hours=1)),
            "of_another_client": self.refresh_token(held.application, admin),
            "of_inactive_user": self.refresh_token(gone.application, leaver),
            "of_another_workspace": self.refresh_token(foreign.application, outsider),
            "unknown": new_token(),
            "empty": "",
        }
        # The leaver's account ends after its tokens were made: its client and its refresh token stay.
        User.objects.filter(pk=leaver.pk).update(status="INACTIVE")
        self.families = set(RefreshToken.objects.values_list("token_family", flat=True))

    @staticmethod
    def refresh_token(client: Application, user: User, *, revoked: bool = False, expires: Any = None) -> str:
        token = new_token()
        issue_tokens(
            client.workspace, client=client, user=user, scope="*", access_token=new_token(), refresh_token=token,
            family=uuid.uuid4(),
        )  # fmt: skip
        stored = RefreshToken.objects.presented(token)
        if revoked:
            stored.update(revoked=timezone.now())
        if expires is not None:
            stored.update(expires=expires)
        return token

    def request(self, spec: dict[str, Any]) -> tuple[str, dict[str, str], dict[str, str]]:
        """(path, body, headers) for a generated request."""
        client_id, secret = self.clients[spec["client"]]
        secret = {
            "right": secret,
            "wrong": "0" * 40,
            "empty": "",
            "missing": None,
            "of_another_client": self.other_secret,
        }[spec["secret"]]
        body: dict[str, str] = {str(key): value for key, value in spec["extra"].items()}
        if spec["grant_type"] is not None:
            body["grant_type"] = spec["grant_type"]
        if spec["refresh_token"] != "missing":
            body["refresh_token"] = self.refresh[spec["refresh_token"]]
        if spec["scope"] is not None:
            body["scope"] = spec["scope"]
        headers: dict[str, str] = {}
        how = spec["authentication"]
        if how in ("body", "id_only", "basic_and_same_body", "basic_and_secret_too"):
            body["client_id"] = client_id
        if how in ("body", "basic_and_same_body", "basic_and_secret_too") and secret is not None:
            body["client_secret"] = secret
        if how == "basic_and_other_id":
            body["client_id"] = self.clients["held"][0]
        if how.startswith("basic_and") or how in ("basic", "basic_lower_case"):
            headers["Authorization"] = basic_auth(client_id, secret or "")
        if how == "basic_lower_case":
            headers["Authorization"] = headers["Authorization"].replace("Basic ", "basic ")
        if how == "basic_not_base64":
            headers["Authorization"] = f"Basic {client_id}:{secret}!"
        if how == "basic_no_colon":
            headers["Authorization"] = "Basic " + base64.b64encode(client_id.encode()).decode()
        path = TOKEN_URL + ("?scope=*" if spec["query"] else "")
        return path, body, headers


def send(client: Client, path: str, body: dict[str, str], headers: dict[str, str], encoding: str) -> Any:
    if encoding == "json":
        return client.post(path, json.dumps(body), content_type="application/json", headers=headers)
    if encoding == "multipart":
        return client.post(path, body, headers=headers)
    form = "&".join(f"{quote_plus(key)}={quote_plus(value)}" for key, value in body.items())
    return client.post(path, form, content_type="application/x-www-form-urlencoded", headers=headers)


def answer(response: Any) -> tuple[int, Any, dict[str, str]]:
    """The status, the body with token values replaced by their kind, and the headers clients read."""
    try:
        data = json.loads(response.content)
    except ValueError:
        data = response.content.decode(errors="replace")
    if isinstance(data, dict):
        data = {
            key: f"<{key}>" if key in ("access_token", "refresh_token") and SECRET_SHAPE.match(str(value)) else value
            for key, value in data.items()
        }
    return response.status_code, data, {name: response.headers.get(name, "") for name in HEADERS_READ}


def rows_written(world: World, access_before: set[int], refresh_before: set[int]) -> dict[str, Any]:
    """The rows as the request left them, with what differs by chance (ids of new rows, token values,
    new families, times) replaced by what it is."""

    def family(value: uuid.UUID | None) -> str:
        return "none" if value is None else str(value) if value in world.families else "new"

    def row_id(pk: int | None, before: set[int]) -> str:
        return "none" if pk is None else str(pk) if pk in before else "new"

    access = sorted(
        (row_id(token.pk, access_before), token.application_id, token.user_id, token.client_id, token.user_uid,
         token.scope, family(token.token_family), row_id(token.source_refresh_token_id, refresh_before),
         round((token.expires - token.created).total_seconds()))
        for token in AccessToken.objects.all()
    )  # fmt: skip
    refresh = sorted(
        (row_id(token.pk, refresh_before), token.application_id, token.user_id, token.scope, family(token.token_family),
         token.revoked is not None, row_id(token.access_token_id, access_before))
        for token in RefreshToken.objects.all()
    )  # fmt: skip
    events = Counter(
        (event.event_type, event.client_id, event.target_user_id, json.dumps(event.extra, sort_keys=True))
        for event in AuditEvent.objects.all()
    )
    return {"access": access, "refresh": refresh, "audit": sorted(events.items())}


def through(path_name: str, client: Client, world: World, spec: dict[str, Any]) -> dict[str, Any]:
    """What one path answers and writes, from the state every example starts from (rolled back after)."""
    fast_grants.ENABLED = path_name == "fast"
    cache.clear()  # no login failure counted by the other path
    row_cache.forget_all()
    table_versions.forget_missed()
    access_before = set(AccessToken.objects.values_list("pk", flat=True))
    refresh_before = set(RefreshToken.objects.values_list("pk", flat=True))
    savepoint = transaction.savepoint()
    try:
        Workspace.objects.filter(pk=world.workspace.pk).update(error_mode=spec["error_mode"])
        path, body, headers = world.request(spec)
        response = send(client, path, body, headers, spec["encoding"])
        return {"answer": answer(response), "rows": rows_written(world, access_before, refresh_before)}
    finally:
        transaction.savepoint_rollback(savepoint)
        fast_grants.ENABLED = True


@pytest.fixture
def world(workspace: Workspace, admin: User, app: RegisteredClient, other_workspace: Workspace) -> World:
    return World(workspace, admin, app, other_workspace)


def test_the_fast_path_and_oauthlib_answer_and_write_alike(client: Client, world: World) -> None:
    seen: Counter[str] = Counter()

    @AGREE
    @given(spec=requests)
    def agree(spec: dict[str, Any]) -> None:
        fast = through("fast", client, world, spec)
        oauthlib = through("oauthlib", client, world, spec)
        assert fast == oauthlib, spec
        status, data, _ = fast["answer"]
        seen["token" if isinstance(data, dict) and "access_token" in data else "refused"] += 1

    agree()
    # The generated requests reached both outcomes (a test that only ever saw refusals proves little).
    assert seen["token"] > 0 and seen["refused"] > 0, seen
    print(f"\n{sum(seen.values())} generated requests, each through both paths: {dict(seen)}")
