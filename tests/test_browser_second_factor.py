"""The second factor's pages in headless Chromium, at 1,280 and 390 px: a workspace that requires one
takes a user from the authorize page through the password, enrolment (the key read off the page, the
code from pyotp), the recovery codes and consent to the client's callback; the next login asks for a
code; the your-security page lists the app; a recovery code signs in through its own field. Screenshots of
each page."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from oauth_apps.services import RegisteredClient
from tests.test_browser_flows import (  # noqa: F401 - fixtures
    CallbackServer,
    authorize_url,
    callback,
    log_in,
    page,
    shoot,
    web_app,
)
from workspaces.models import SecondFactor, User, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_enrolment_then_a_code_at_the_next_login(
    page: Any,  # noqa: F811
    live_server: Any,
    web_app: RegisteredClient,  # noqa: F811
    callback: CallbackServer,  # noqa: F811
    operator_user: User,
    width: int,
) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(second_factor="required")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(authorize_url(live_server, web_app.application.client_id, state="s1"))
    log_in(page, "JohnDoe")
    expect(page.locator("h1")).to_have_text("Add an authenticator app")
    expect(page.locator(".qr svg")).to_be_visible()
    shoot(page, "enrol", width)
    app = pyotp.TOTP(page.locator("code.secret").inner_text().replace(" ", ""))
    page.fill("#id_name", "My phone")
    page.locator("#id_code").focus()
    page.keyboard.type(app.now())
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("ul.codes li")).to_have_count(10)
    shoot(page, "recovery-codes", width)
    recovery_code = page.locator("ul.codes li").first.inner_text().strip()
    page.click("text=I have kept them: continue")
    expect(page.locator("h1")).to_have_text("Allow Report Builder to use your account?")
    page.click("button[value=Accept]")
    page.wait_for_url(f"{callback.url}*")
    assert callback.last_query()["state"] == "s1"
    assert SecondFactor.objects.get(user=operator_user).name == "My phone"

    # The next login: the password, then a code (the next step's: this one was used at enrolment).
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/login/login")
    log_in(page, "JohnDoe")
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    expect(page.locator("#id_code")).to_have_attribute("autocomplete", "one-time-code")
    page.fill("#id_code", "000000")
    page.keyboard.press("Enter")
    expect(page.locator("main .error")).to_contain_text("That code is not right.")
    shoot(page, "second-factor", width)
    page.fill("#id_code", app.at(time.time() + 30))
    page.keyboard.press("Enter")
    page.wait_for_url("**/oauth2/applications")  # logged in: where a login with nowhere to go lands
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/login/security")
    expect(page.locator("main table")).to_contain_text("My phone")
    expect(page.locator("main")).to_contain_text("10 unused recovery codes left.")
    shoot(page, "security", width)

    # A login with a recovery code, from the keyboard: its own field, not a numeric one.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/login/login")
    log_in(page, "JohnDoe")
    expect(page.locator("#id_recovery_code")).to_be_hidden()
    page.locator("#recovery summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_recovery_code")).to_be_visible()
    assert page.locator("#id_recovery_code").get_attribute("inputmode") is None
    page.locator("#id_recovery_code").focus()
    page.keyboard.type(recovery_code)
    shoot(page, "second-factor-recovery", width)
    page.keyboard.press("Enter")
    page.wait_for_url("**/oauth2/applications")
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/login/security")
    expect(page.locator("main")).to_contain_text("9 unused recovery codes left.")
