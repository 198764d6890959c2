"""Passkeys as a second factor, in headless Chromium with DevTools' virtual authenticator (ctap2,
internal transport, resident keys, user verification): registering one on the your-security page,
signing in with it at the second step, and a cloned key whose counter went backwards refused; signing
in with one alone, for a directory user only while their directory keeps the account."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.directory_server import PEOPLE, RETIRED, Directory, running_directory
from tests.test_browser_flows import log_in, page, screenshot_dir  # noqa: F401 - fixtures
from tests.test_directory_signin import make_source
from workspaces.models import AuditEvent, AuditEventType, AuthSource, Passkey, User, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def relying_party(live_server: Any) -> Iterator[str]:
    """PM_PUBLIC_URL at the live server's own origin, on `localhost`: the relying party's id."""
    assert "localhost" in live_server.url
    with override_settings(PM_PUBLIC_URL=live_server.url):
        yield live_server.url


def virtual_authenticator(page: Any) -> tuple[Any, str]:  # noqa: F811
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    added = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
    }})  # fmt: skip
    return session, added["authenticatorId"]


def register_passkey(page: Any, base: str, name: str = "") -> None:  # noqa: F811
    """JohnDoe logs in and adds a passkey (the virtual authenticator's) on the your-security page."""
    page.goto(f"{base}/login")
    log_in(page, "JohnDoe")
    page.wait_for_url("**/oauth2/applications")
    page.goto(f"{base}/security")
    if name:
        page.fill("#id_passkey_name", name)
    page.click("text=Add a passkey")
    expect(page.locator("#passkey-codes li")).to_have_count(10)  # the first factor brings recovery codes


def test_a_passkey_is_registered_and_signs_in_at_the_second_step(
    page: Any,  # noqa: F811
    relying_party: str,
    operator_user: User,
) -> None:
    virtual_authenticator(page)
    base = f"{relying_party}/sysworkflow/en/neoclassic/login"
    register_passkey(page, base, "Laptop")
    passkey = Passkey.objects.get(user=operator_user)
    assert passkey.name == "Laptop"
    page.screenshot(path=str(screenshot_dir() / "passkey-added-1280.png"), full_page=True)

    page.context.clear_cookies()
    page.goto(f"{base}/login")
    log_in(page, "JohnDoe")
    expect(page.locator("h1")).to_have_text("Confirm it is you")
    page.click("#passkey-use")
    page.wait_for_url("**/oauth2/applications")
    passkey.refresh_from_db()
    assert passkey.last_used is not None and passkey.sign_count >= 1


def test_a_passkey_whose_counter_went_backwards_is_refused_and_audited(
    page: Any,  # noqa: F811
    relying_party: str,
    operator_user: User,
) -> None:
    virtual_authenticator(page)
    base = f"{relying_party}/sysworkflow/en/neoclassic/login"
    register_passkey(page, base)
    Passkey.objects.filter(user=operator_user).update(sign_count=1000)  # as if a clone had signed 1,000 times
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    log_in(page, "JohnDoe")
    page.click("#passkey-use")
    expect(page.locator("#passkey-error")).to_contain_text("That passkey was not accepted.")
    assert AuditEvent.objects.filter(event_type=AuditEventType.PASSKEY_COUNTER_BACKWARDS, target_user=operator_user)


def test_signing_in_with_a_passkey_alone_where_the_workspace_allows_it(
    page: Any,  # noqa: F811
    relying_party: str,
    operator_user: User,
    stranger: User,
) -> None:
    from workspaces.models import Workspace

    virtual_authenticator(page)
    base = f"{relying_party}/sysworkflow/en/neoclassic/login"
    register_passkey(page, base)
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    expect(page.locator("#passkey-discover")).to_have_count(0)  # off by default
    Workspace.objects.filter(pk=operator_user.workspace_id).update(passkey_login=True)
    page.goto(f"{base}/login")
    page.click("#passkey-discover")  # no username, no password
    page.wait_for_url("**/oauth2/applications")
    expect(page.locator("header .who")).to_have_text("John Doe")
    # The same passkey at another workspace's login names nobody there.
    Workspace.objects.filter(pk=stranger.workspace_id).update(passkey_login=True)
    page.context.clear_cookies()
    page.goto(f"{relying_party}/sysother/en/neoclassic/login/login")
    page.click("#passkey-discover")
    expect(page.locator("#passkey-error")).to_contain_text("That passkey was not accepted.")
    # A passkey removed here no longer signs in, whatever the authenticator still holds.
    Passkey.objects.filter(user=operator_user).delete()
    page.goto(f"{base}/login")
    page.click("#passkey-discover")
    expect(page.locator("#passkey-error")).to_contain_text("That passkey was not accepted.")
    page.screenshot(path=str(screenshot_dir() / "passkey-login-1280.png"), full_page=True)


@pytest.fixture(scope="module")
def directory() -> Iterator[Directory]:
    with running_directory() as server:
        server.add_person("johndoe", PASSWORD, givenName="John", sn="Doe")
        yield server


@pytest.mark.directory
def test_a_directory_users_passkey_signs_in_alone_only_while_the_directory_keeps_the_account(
    page: Any,  # noqa: F811
    relying_party: str,
    operator_user: User,
    directory: Directory,
) -> None:
    source = make_source(operator_user.workspace, directory, retired_ou=RETIRED)
    operator_user.auth_source = source
    operator_user.set_unusable_password()
    operator_user.save()
    Workspace.objects.filter(pk=operator_user.workspace_id).update(passkey_login=True)
    virtual_authenticator(page)
    base = f"{relying_party}/sysworkflow/en/neoclassic/login"
    register_passkey(page, base)  # the login binds to the directory with John's password

    def sign_in_by_passkey() -> None:
        page.context.clear_cookies()
        page.goto(f"{base}/login")
        page.click("#passkey-discover")

    # The directory does not answer: no sign-in, and nothing held against the account.
    AuthSource.objects.filter(pk=source.pk).update(servers="127.0.0.2")
    sign_in_by_passkey()
    expect(page.locator("#passkey-error")).to_contain_text("sign-in service is not answering")
    AuthSource.objects.filter(pk=source.pk).update(servers="127.0.0.1")
    sign_in_by_passkey()
    page.wait_for_url("**/oauth2/applications")
    # Retired in the directory since: the passkey no longer signs in, and the account is deactivated here.
    directory.move(f"uid=johndoe,{PEOPLE}", RETIRED)
    sign_in_by_passkey()
    expect(page.locator("#passkey-error")).to_contain_text("no longer active in your organisation's directory")
    operator_user.refresh_from_db()
    assert operator_user.status == User.Status.INACTIVE
    assert AuditEvent.objects.filter(event_type=AuditEventType.USER_STATUS_CHANGED, target_user=operator_user)
