"""The device authorization grant (RFC 8628): a CLI asks for codes, its user approves on the
verification page, the CLI polls the token endpoint. Off unless the client's owner turns it on.
(The same flow in Chromium is in tests/test_browser_flows.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import update_user
from oauth_apps.models import AccessToken, DeviceGrant
from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import basic_auth, bearer, post_token
from workspaces.models import User, Workspace

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
START = "/workflow/oauth2/device_authorization"
PAGE = "/sysworkflow/en/neoclassic/oauth2/device"
BACKEND = "workspaces.backends.WorkspaceBackend"


@pytest.fixture
def cli(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Shell", website="https://cli.example", device_flow=True)


@pytest.fixture
def person(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user, backend=BACKEND)
    return client


def start(app: RegisteredClient, **extra: str) -> Any:
    body = {"client_id": app.application.client_id, **extra}
    headers = (
        {} if app.application.is_public else {"Authorization": basic_auth(app.application.client_id, app.client_secret)}
    )
    return post_token(Client(), body, url=START, headers=headers)


def poll(app: RegisteredClient, device_code: str) -> Any:
    body = {"grant_type": DEVICE, "device_code": device_code, "client_id": app.application.client_id}
    if not app.application.is_public:
        body["client_secret"] = app.client_secret
    return post_token(Client(), body)


def test_the_device_gets_codes_and_a_page_to_send_its_user_to(cli: RegisteredClient) -> None:
    response = start(cli, scope="view_process")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    codes = response.json()
    assert set(codes) == {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
    assert codes["verification_uri"] == "http://testserver/sysworkflow/en/neoclassic/oauth2/device"
    assert codes["verification_uri_complete"] == f"{codes['verification_uri']}?user_code={codes['user_code']}"
    assert codes["expires_in"] == 600 and codes["interval"] == 5
    assert len(codes["user_code"]) == 9 and codes["user_code"][4] == "-"
    stored = DeviceGrant.objects.get()
    assert stored.device_code != codes["device_code"] and len(stored.device_code) == 64  # its SHA-256 only
    assert stored.workspace.name == "workflow" and stored.scope == "view_process"


def test_the_codes_live_as_long_as_the_workspace_says(cli: RegisteredClient) -> None:
    Workspace.objects.filter(name="workflow").update(device_code_lifetime=120)
    before = timezone.now()
    codes = start(cli, scope="view_process").json()
    assert codes["expires_in"] == 120
    expires = DeviceGrant.objects.get().expires
    assert before + timedelta(seconds=119) <= expires <= timezone.now() + timedelta(seconds=120)


def test_approve_then_the_poll_gets_tokens_once(person: Client, cli: RegisteredClient, operator_user: User) -> None:
    codes = start(cli, scope="view_process").json()
    pending = poll(cli, codes["device_code"])
    assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
    page = person.get(PAGE, {"user_code": codes["user_code"].lower().replace("-", " ")})
    assert page.status_code == 200 and b"Shell" in page.content and b"Approve" in page.content
    done = person.post(PAGE, {"user_code": codes["user_code"], "answer": "approve"})
    assert done.status_code == 302 and done["Location"] == PAGE
    DeviceGrant.objects.update(last_checked=timezone.now() - timedelta(seconds=10))
    tokens = poll(cli, codes["device_code"]).json()
    assert tokens["token_type"] == "bearer" and tokens["scope"] == "view_process" and "refresh_token" in tokens
    me = Client().get("/api/1.0/workflow/light/user/data", headers=bearer(tokens["access_token"]))
    assert me.json()["userId"] == operator_user.uid
    again = poll(cli, codes["device_code"])
    assert again.status_code == 400 and again.json()["error"] == "expired_token"
    assert AccessToken.objects.filter(user=operator_user).count() == 1


def test_deny_polling_too_fast_and_expiry(person: Client, cli: RegisteredClient) -> None:
    codes = start(cli).json()
    assert poll(cli, codes["device_code"]).json()["error"] == "authorization_pending"
    assert poll(cli, codes["device_code"]).json()["error"] == "slow_down"
    assert DeviceGrant.objects.get().interval == 10
    person.post(PAGE, {"user_code": codes["user_code"], "answer": "deny"})
    DeviceGrant.objects.update(last_checked=timezone.now() - timedelta(seconds=60))
    denied = poll(cli, codes["device_code"])
    assert denied.status_code == 400 and denied.json()["error"] == "access_denied"
    late = start(cli).json()
    DeviceGrant.objects.filter(status=DeviceGrant.AUTHORIZATION_PENDING).update(expires=timezone.now())
    assert poll(cli, late["device_code"]).json()["error"] == "expired_token"
    page = person.post(PAGE, {"user_code": late["user_code"], "answer": "approve"})
    assert page.status_code == 400  # an expired code is no longer pending


def test_off_unless_the_owner_turns_it_on(app: RegisteredClient, person: Client) -> None:
    refused = start(app)
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    assert not DeviceGrant.objects.exists()
    app.application.allow_device_flow = True
    app.application.save(update_fields=["allow_device_flow"])
    codes = start(app).json()
    person.post(PAGE, {"user_code": codes["user_code"], "answer": "approve"})
    app.application.allow_device_flow = False
    app.application.save(update_fields=["allow_device_flow"])
    DeviceGrant.objects.update(last_checked=timezone.now() - timedelta(seconds=10))
    assert poll(app, codes["device_code"]).json()["error"] == "unauthorized_client"


def test_clients_must_authenticate_and_a_code_belongs_to_its_client_and_workspace(
    cli: RegisteredClient, admin: User, stranger: User
) -> None:
    no_secret = post_token(Client(), {"client_id": cli.application.client_id}, url=START)
    assert no_secret.status_code == 401 and no_secret.json()["error"] == "invalid_client"
    codes = start(cli).json()
    other = register_application(admin.workspace, admin, name="Other", website="https://o.example", device_flow=True)
    stolen = poll(other, codes["device_code"])
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    foreign = register_application(
        stranger.workspace, stranger, name="F", website="https://f.example", device_flow=True
    )  # type: ignore[arg-type]
    body = {"client_id": foreign.application.client_id, "client_secret": foreign.client_secret}
    assert post_token(Client(), body, url=START).json()["error"] == "invalid_client"  # unknown in this workspace


def test_a_public_client_starts_with_its_client_id_alone(admin: User, person: Client) -> None:
    public = register_application(
        admin.workspace, admin, name="TV", website="https://tv.example", public=True, device_flow=True
    )
    codes = start(public).json()
    person.post(PAGE, {"user_code": codes["user_code"], "answer": "approve"})
    DeviceGrant.objects.update(last_checked=timezone.now() - timedelta(seconds=10))
    assert "access_token" in poll(public, codes["device_code"]).json()


def test_the_page_needs_a_login_and_stops_a_user_guessing_codes(
    client: Client, cli: RegisteredClient, operator_user: User
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sysworkflow/en/neoclassic/login/login")
    client.force_login(operator_user, backend=BACKEND)
    codes = start(cli).json()
    for _ in range(10):
        assert client.post(PAGE, {"user_code": "BBBB-BBBB"}).status_code == 400
    assert client.post(PAGE, {"user_code": codes["user_code"]}).status_code == 429
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(operator_user, backend=BACKEND)
    assert csrf.post(PAGE, {"user_code": codes["user_code"], "answer": "approve"}).status_code == 403
    assert DeviceGrant.objects.get().status == DeviceGrant.AUTHORIZATION_PENDING


def test_the_metadata_names_the_device_endpoint(client: Client, workspace: object) -> None:
    meta = client.get("/workflow/.well-known/oauth-authorization-server").json()
    assert meta["device_authorization_endpoint"] == "http://testserver/workflow/oauth2/device_authorization"
    assert DEVICE in meta["grant_types_supported"]


def test_a_device_approved_before_a_password_reset_gets_nothing(
    person: Client, cli: RegisteredClient, operator_user: User, admin: User
) -> None:
    codes = start(cli, scope="view_process").json()
    assert person.post(PAGE, {"user_code": codes["user_code"], "answer": "approve"}).status_code == 302
    assert DeviceGrant.objects.get().decided_at is not None
    update_user(User.objects.get(pk=operator_user.pk), {}, password="a brand new password", by=admin)
    DeviceGrant.objects.update(last_checked=timezone.now() - timedelta(seconds=10))
    answer = poll(cli, codes["device_code"])
    assert answer.status_code == 400 and answer.json() == {
        "error": "invalid_grant", "error_description": "Invalid device code",
    }  # fmt: skip
    assert not AccessToken.objects.filter(user=operator_user).exists()
