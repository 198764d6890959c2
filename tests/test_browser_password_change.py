"""The change-password step of the web login in headless Chromium: a user who must change their
password goes from the authorize page through login and the change page to consent and the code."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.test_browser_flows import (  # noqa: F401 - fixtures
    CallbackServer,
    authorize_url,
    callback,
    log_in,
    page,
    screenshot_dir,
    web_app,
)
from workspaces.models import User

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]
NEW = "a new passphrase of mine"


@pytest.mark.parametrize("width", [1280, 390])
def test_a_must_change_user_changes_their_password_between_login_and_consent(
    page: Any,  # noqa: F811
    live_server: Any,
    web_app: RegisteredClient,  # noqa: F811
    callback: CallbackServer,  # noqa: F811
    operator_user: User,
    width: int,
) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(authorize_url(live_server, web_app.application.client_id, state="xyz"))
    log_in(page, "JohnDoe")
    expect(page.locator("h1")).to_have_text("Change your password")
    expect(page.locator("main")).to_contain_text("You must change your password before going on.")
    expect(page.locator("#id_new_password1")).to_have_attribute("autocomplete", "new-password")
    # No page of the workspace is open meanwhile: the header offers no navigation.
    expect(page.locator("header nav")).to_have_count(0)
    # The keyboard alone gets through the form.
    page.locator("#id_new_password1").focus()
    page.keyboard.type("short")
    page.keyboard.press("Tab")
    page.keyboard.type("short")
    page.keyboard.press("Enter")
    expect(page.locator("main .error")).to_contain_text("Minimum length: 8.")
    page.screenshot(path=str(screenshot_dir() / f"password-change-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    page.fill("#id_new_password1", NEW)
    page.fill("#id_new_password2", NEW)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Allow Report Builder to use your account?")
    page.click("button[value=Accept]")
    page.wait_for_url(f"{callback.url}*")
    assert callback.last_query()["state"] == "xyz" and callback.last_query()["code"]
    operator_user.refresh_from_db()
    assert operator_user.check_password(NEW) and not operator_user.must_change_password
    assert not operator_user.check_password(PASSWORD)
