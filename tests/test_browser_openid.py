"""OpenID Connect's pages in headless Chromium, at 1,280 and 390 px: the consent page naming what the
identity scopes reveal, then RP-initiated logout's confirmation and the signed-out page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from oauth_apps.services import RegisteredClient
from tests.test_browser_flows import (  # noqa: F401 - fixtures
    CallbackServer,
    authorize_url,
    callback,
    log_in,
    page,
    shoot,
    token_request,
    web_app,
)
from workspaces.models import User

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def issuer(live_server: Any) -> Iterator[str]:
    with override_settings(PM_PUBLIC_URL=live_server.url):
        yield f"{live_server.url}/workflow"


@pytest.mark.parametrize("width", [1280, 390])
def test_sign_in_with_identity_scopes_then_sign_out(
    page: Any,  # noqa: F811
    live_server: Any,
    issuer: str,
    web_app: RegisteredClient,  # noqa: F811
    callback: CallbackServer,  # noqa: F811
    operator_user: User,
    width: int,
) -> None:
    web_app.application.post_logout_redirect_uris = callback.url
    web_app.application.save()
    client_id = web_app.application.client_id
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(authorize_url(live_server, client_id, scope="openid profile email", nonce="n1", state="s1"))
    log_in(page, "JohnDoe")
    expect(page.locator("ul.scopes")).to_contain_text("Sign you in and know who you are")
    expect(page.locator("ul.scopes")).to_contain_text("See your e-mail address")
    shoot(page, "consent-openid", width)
    page.click("button[name=accept]")
    page.wait_for_url(f"{callback.url}?**")
    code = callback.last_query()["code"]
    tokens = token_request(live_server, {
        "grant_type": "authorization_code", "code": code, "redirect_uri": callback.url,
        "client_id": client_id, "client_secret": web_app.client_secret,
    })  # fmt: skip
    assert tokens["id_token"].count(".") == 2

    logout = f"{issuer}/oauth2/logout?" + urlencode(
        {"client_id": client_id, "post_logout_redirect_uri": callback.url, "state": "bye"}
    )
    page.goto(logout)
    expect(page.locator("h1")).to_have_text("Sign out of workspace workflow?")
    expect(page.locator("main")).to_contain_text("Report Builder asks you to sign out")
    shoot(page, "end-session", width)
    page.focus("button[name=confirm]")  # from the keyboard, as a person without a mouse signs out
    page.keyboard.press("Enter")
    page.wait_for_url(f"{callback.url}?state=bye")

    page.goto(f"{issuer}/oauth2/logout")
    expect(page.locator("h1")).to_have_text("You are signed out")
    shoot(page, "signed-out", width)
    page.goto(authorize_url(live_server, client_id, scope="openid"))
    expect(page.locator("input[name=username]")).to_be_visible()  # the session is gone: the login page
