"""OpenID Connect Back-Channel Logout 1.0: a real receiver gets a valid logout token for each event
that ends a session, a dead one never slows the request that ended it, and no private address is
called unless the workspace allows it.

The sessions are real (the login page), the relying party signs in with them, and the notices go out
on the sending thread once the ending commits, as in production: so these tests commit
(`transaction=True`) and wait for the receiver.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from authlib.jose import JsonWebKey, JsonWebToken
from django.test import Client, override_settings

from accounts import services
from oauth_apps.oidc import backchannel, keys
from oauth_apps.oidc.backchannel import LogoutDelivery
from oauth_apps.revocation import revoke_tokens
from oauth_apps.services import RegisteredClient, register_application
from oauth_apps.websessions import end_all
from tests.conftest import PASSWORD
from tests.test_openid_connect import CALLBACK, PUBLIC, sign_in
from workspaces.models import User, Workspace

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


class Receiver(ThreadingHTTPServer):
    """A relying party's back-channel logout endpoint: keeps each logout token POSTed to it."""

    def __init__(self, delay: float = 0.0) -> None:
        self.tokens: list[str] = []
        self.arrived = threading.Event()
        self.delay = delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                time.sleep(outer.delay)
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                outer.tokens += parse_qs(body)["logout_token"]
                self.send_response(200)
                self.end_headers()
                outer.arrived.set()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/logout"

    def wait(self, count: int = 1, seconds: float = 10) -> list[str]:
        deadline = time.monotonic() + seconds
        while len(self.tokens) < count and time.monotonic() < deadline:
            self.arrived.wait(0.05)
        return self.tokens


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(autouse=True)
def public_url(workspace: Workspace) -> Iterator[None]:
    Workspace.objects.filter(pk=workspace.pk).update(logout_to_private_addresses=True)  # the receiver is on loopback
    with override_settings(PM_PUBLIC_URL=PUBLIC):
        yield


def relying_party(admin: User, url: str) -> RegisteredClient:
    registered = register_application(admin.workspace, admin, name="Wiki", website="https://rp.example",
                                      callback=CALLBACK)  # fmt: skip
    registered.application.backchannel_logout_uri = url
    registered.application.save()
    return registered


def signed_in_person() -> Client:
    browser = Client()
    assert (
        browser.post(
            "/sysworkflow/en/neoclassic/login/login", {"username": "JohnDoe", "password": PASSWORD}
        ).status_code
        == 302
    )
    return browser


def check(token: str, rp: RegisteredClient, sid: str, sub: str) -> None:
    """The logout token as Back-Channel Logout 2.6 has the relying party validate it."""
    key_set = JsonWebKey.import_key_set(Client().get("/workflow/oauth2/jwks").json())
    claims = JsonWebToken(["RS256", "ES256"]).decode(token, key_set)
    claims.validate(now=int(time.time()))
    assert claims["iss"] == f"{PUBLIC}/workflow" and claims["aud"] == rp.application.client_id
    assert claims["sid"] == sid and claims["sub"] == sub and claims["jti"]
    assert claims["events"] == {backchannel.EVENT: {}} and "nonce" not in claims
    assert claims.header["typ"] == "logout+jwt"


def end_by_logout_page(browser: Client, user: User, admin: User) -> None:
    browser.post("/sysworkflow/en/neoclassic/login/logout")


def end_by_password_change(browser: Client, user: User, admin: User) -> None:
    services.update_user(user, {}, password="A new password 7", by=admin)


def end_by_deactivation(browser: Client, user: User, admin: User) -> None:
    services.update_user(user, {"status": User.Status.INACTIVE}, by=admin)


def end_by_administrators_revoke(browser: Client, user: User, admin: User) -> None:
    revoke_tokens(user=user, by=admin, why="site operator")


def end_by_factor_reset(browser: Client, user: User, admin: User) -> None:
    end_all([user], why="second factors reset by an administrator")


@pytest.mark.parametrize(
    "ending",
    [end_by_logout_page, end_by_password_change, end_by_deactivation, end_by_administrators_revoke,
     end_by_factor_reset],
)  # fmt: skip
def test_each_ending_sends_a_valid_logout_token(
    receiver: Receiver, admin: User, operator_user: User, ending: Any
) -> None:
    rp = relying_party(admin, receiver.url)
    browser = signed_in_person()
    id_token = sign_in(browser, rp, "openid")["id_token"]
    sid = JsonWebToken(["RS256"]).decode(
        id_token, JsonWebKey.import_key_set(browser.get("/workflow/oauth2/jwks").json())
    )["sid"]
    assert receiver.tokens == []
    ending(browser, operator_user, admin)
    tokens = receiver.wait()
    assert len(tokens) == 1, tokens
    check(tokens[0], rp, sid, operator_user.uid)
    assert not LogoutDelivery.objects.exists()


def test_rp_initiated_logout_tells_the_other_relying_parties(
    receiver: Receiver, admin: User, operator_user: User
) -> None:
    rp = relying_party(admin, receiver.url)
    browser = signed_in_person()
    id_token = sign_in(browser, rp, "openid")["id_token"]
    browser.get(f"/workflow/oauth2/logout?{urlencode({'id_token_hint': id_token})}")
    assert len(receiver.wait()) == 1


def test_a_dead_receiver_never_slows_a_logout(admin: User, operator_user: User) -> None:
    stalled = Receiver(delay=30)
    threading.Thread(target=stalled.serve_forever, daemon=True).start()
    try:
        rp = relying_party(admin, stalled.url)
        browser = signed_in_person()
        sign_in(browser, rp, "openid")
        started = time.monotonic()
        browser.post("/sysworkflow/en/neoclassic/login/logout")
        assert time.monotonic() - started < 1.0
        assert "_auth_user_id" not in browser.session
    finally:
        stalled.server_close()


def test_a_refusing_receiver_is_tried_again_then_dropped(admin: User, operator_user: User) -> None:
    rp = relying_party(admin, "http://127.0.0.1:9/nobody-listens")
    browser = signed_in_person()
    sign_in(browser, rp, "openid")
    browser.post("/sysworkflow/en/neoclassic/login/logout")
    first = tried_once()
    assert "ConnectionRefusedError" in first.last_error and first.due > first.created  # tried again later
    for tries in range(2, backchannel.TRIES):
        LogoutDelivery.objects.update(due=first.created)  # its next try is due now
        assert backchannel.deliver_due() == {"sent": 0, "failed": 1, "dropped": 0}
        assert LogoutDelivery.objects.get().tries == tries
    LogoutDelivery.objects.update(due=first.created)
    assert backchannel.deliver_due() == {"sent": 0, "failed": 0, "dropped": 1}
    assert not LogoutDelivery.objects.exists()


def tried_once(seconds: float = 5) -> LogoutDelivery:
    """The one notice, once the sending thread has tried it."""
    deadline = time.monotonic() + seconds
    while LogoutDelivery.objects.filter(tries=0).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return LogoutDelivery.objects.get(tries=1)


def test_no_private_address_unless_the_workspace_allows_it(
    receiver: Receiver, admin: User, operator_user: User
) -> None:
    Workspace.objects.update(logout_to_private_addresses=False)
    rp = relying_party(admin, receiver.url)
    browser = signed_in_person()
    sign_in(browser, rp, "openid")
    browser.post("/sysworkflow/en/neoclassic/login/logout")
    refused = tried_once()
    assert "private" in refused.last_error and receiver.tokens == []


def test_es256_clients_get_es256_logout_tokens(receiver: Receiver, admin: User, operator_user: User) -> None:
    rp = relying_party(admin, receiver.url)
    rp.application.algorithm = keys.ES256
    rp.application.save()
    browser = signed_in_person()
    sign_in(browser, rp, "openid")
    browser.post("/sysworkflow/en/neoclassic/login/logout")
    token = receiver.wait()[0]
    assert JsonWebToken(["ES256"]).decode(token, JsonWebKey.import_key_set(browser.get("/workflow/oauth2/jwks").json()))
