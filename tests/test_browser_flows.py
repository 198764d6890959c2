"""The browser flows in headless Chromium against a live server: login, consent, the
code, implicit and PKCE flows to a real callback server, and the applications pages."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F
from django.test import override_settings
from playwright.sync_api import expect

from oauth_apps import device
from oauth_apps.models import Application, DeviceGrant
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.live import free_port
from tests.oauth import issue
from workspaces.models import User, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]  # fmt: skip
VERIFIER = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


class CallbackServer:
    """A client application's callback endpoint: records each request's path and query."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorded = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                recorded.append(self.path)
                body = b"<html><body><h1>Client callback</h1></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/cb"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def last_query(self) -> dict[str, str]:
        last = [path for path in self.requests if path.startswith("/cb")][-1]
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(last).query))


def screenshot_dir() -> Path:
    """Where the tests leave screenshots for a person to look at."""
    directory = Path(os.environ.get("PM_SCREENSHOT_DIR", "/tmp/pm-oauth-screenshots"))
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def shoot(page: Any, name: str, width: int) -> None:
    """A full-page screenshot `{name}-{width}.png`, and nothing on the page wider than the window."""
    page.screenshot(path=str(screenshot_dir() / f"{name}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name


@pytest.fixture
def callback() -> Iterator[CallbackServer]:
    server = CallbackServer()
    yield server
    server.server.shutdown()


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    from playwright import sync_api as playwright_sync

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still plain synchronous code, so Django's async guard is lifted for them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context()
        # Headless Chromium leaves a clipboard write pending for ever unless it is granted.
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        context.set_default_timeout(15000)
        yield context.new_page()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def web_app(admin: User, callback: CallbackServer) -> RegisteredClient:
    return register_application(
        admin.workspace, admin, name="Report Builder", website="https://reports.example", callback=callback.url,
        description="Builds monthly reports.",
    )  # fmt: skip


def authorize_url(live_server: Any, client_id: str, **params: str) -> str:
    query = {"response_type": "code", "client_id": client_id, "scope": "*", **params}
    return f"{live_server.url}/workflow/oauth2/authorize?{urllib.parse.urlencode(query)}"


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def token_request(live_server: Any, params: dict[str, str]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{live_server.url}/workflow/oauth2/token",
        urllib.parse.urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live server
        return dict(json.load(response))


def test_code_flow_from_authorize_through_login_and_consent_to_tokens(
    page: Any, live_server: Any, web_app: RegisteredClient, callback: CallbackServer, operator_user: User
) -> None:
    page.goto(authorize_url(live_server, web_app.application.client_id, state="af0ifjsldkj"))
    assert "/sysworkflow/en/neoclassic/login/login" in page.url
    log_in(page, "JohnDoe")
    expect(page.locator("h1")).to_have_text("Allow Report Builder to use your account?")
    expect(page.locator("main")).to_contain_text("as John Doe (JohnDoe).")
    expect(page.locator("dl.facts")).to_contain_text(
        "https://reports.example"
    )  # its web site, and the callback's origin
    assert page.get_by_text("Builds monthly reports.").is_visible()
    page.screenshot(path=str(screenshot_dir() / "consent.png"))
    page.click("button[name=accept]")
    page.wait_for_url(f"{callback.url}*")
    query = callback.last_query()
    assert query["state"] == "af0ifjsldkj" and len(query["code"]) == 40
    tokens = token_request(live_server, {
        "grant_type": "authorization_code", "code": query["code"],
        "client_id": web_app.application.client_id, "client_secret": web_app.client_secret,
    })  # fmt: skip
    assert tokens["token_type"] == "bearer" and len(tokens["refresh_token"]) == 40


def test_deny_sends_access_denied_to_the_callback(
    page: Any, live_server: Any, web_app: RegisteredClient, callback: CallbackServer, operator_user: User
) -> None:
    page.goto(authorize_url(live_server, web_app.application.client_id, state="s-deny"))
    log_in(page, "johndoe")
    page.click("button[name=cancel]")
    page.wait_for_url(f"{callback.url}*")
    assert callback.last_query() == {
        "error": "access_denied",
        "error_description": "The user denied access to your application",
        "state": "s-deny",
    }


def test_implicit_flow_delivers_the_token_in_the_fragment(
    page: Any, live_server: Any, web_app: RegisteredClient, callback: CallbackServer, operator_user: User
) -> None:
    page.goto(authorize_url(live_server, web_app.application.client_id, response_type="token", state="imp"))
    log_in(page, "johndoe")
    page.click("button[name=accept]")
    page.wait_for_url(f"{callback.url}*")
    fragment = dict(urllib.parse.parse_qsl(page.evaluate("window.location.hash.substring(1)")))
    assert fragment["token_type"] == "bearer" and fragment["expires_in"] == "86400"
    assert fragment["state"] == "imp" and len(fragment["access_token"]) == 40
    assert "refresh_token" not in fragment
    assert "/cb" in callback.requests and not any("access_token" in path for path in callback.requests)


def test_pkce_s256_flow_for_a_public_client(
    page: Any, live_server: Any, admin: User, callback: CallbackServer, operator_user: User
) -> None:
    public = register_application(
        admin.workspace, admin, name="SPA", website="https://spa.example", callback=callback.url, public=True
    )
    url = authorize_url(
        live_server, public.application.client_id, code_challenge=CHALLENGE, code_challenge_method="S256"
    )
    page.goto(url)
    log_in(page, "johndoe")
    page.click("button[name=accept]")
    page.wait_for_url(f"{callback.url}*")
    params = {
        "grant_type": "authorization_code",
        "code": callback.last_query()["code"],
        "client_id": public.application.client_id,
    }
    assert token_request(live_server, {**params, "code_verifier": "wrong" * 9})["error"] == "invalid_grant"
    assert len(token_request(live_server, {**params, "code_verifier": VERIFIER})["access_token"]) == 40


def test_applications_page_create_see_secret_once_edit_regenerate_delete(
    page: Any, live_server: Any, admin: User
) -> None:
    base = f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/applications"
    page.goto(base)
    log_in(page, "admin")
    page.wait_for_url(base)
    expect(page.locator("h1")).to_have_text("Applications")
    page.click("text=New")
    page.fill("#id_name", "Nightly sync")
    page.fill("#id_description", "Copies cases every night")
    page.fill("#id_website", "https://sync.example")
    page.fill("#id_redirect_uris", "https://sync.example/cb")
    page.click("text=Save Changes")
    expect(page.locator("h1")).to_have_text("Application registered")
    client_id = page.input_value("#client-id")
    secret = page.input_value("#client-secret")
    assert len(client_id) == 32 and len(secret) == 32
    page.click("button[data-copy=client-secret]")
    expect(page.locator("button[data-copy=client-secret]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.screenshot(path=str(screenshot_dir() / "credentials.png"))
    page.reload()  # the credentials page again: the secret is gone, nothing is made twice
    expect(page.locator("main")).to_contain_text("was shown once")
    assert Application.objects.filter(name="Nightly sync").count() == 1

    page.click("text=Back to applications")
    expect(page.locator("table")).to_contain_text("Nightly sync")
    assert secret not in page.content()
    page.click("text=Edit")
    expect(page.locator("#id_name")).to_have_value("Nightly sync")
    assert secret not in page.content()
    page.fill("#id_name", "Nightly sync v2")
    page.click("text=Save Changes")
    expect(page.locator("table")).to_contain_text("Nightly sync v2")

    page.click("text=Edit")
    page.get_by_role("link", name="Regenerate secret…").click()
    expect(page.locator("h1")).to_have_text("Regenerate the client secret of Nightly sync v2?")
    page.get_by_role("button", name="Regenerate secret").click()
    expect(page.locator("#client-id")).to_have_value(client_id)
    new_secret = page.input_value("#client-secret")
    assert new_secret != secret
    page.reload()  # the address bar holds the credentials page: a reload shows no secret and makes nothing
    expect(page.locator("main")).to_contain_text("was shown once")
    assert new_secret not in page.content()

    page.click("text=Back to applications")
    page.click("text=Edit")
    page.get_by_role("link", name="Delete application…").click()
    expect(page.locator("h1")).to_have_text("Delete Nightly sync v2?")
    page.get_by_role("button", name="Delete application").click()
    expect(page.locator(".messages")).to_contain_text("Deleted Nightly sync v2")
    assert client_id not in page.content()


def test_applications_page_refuses_a_user_without_the_permission(
    page: Any, live_server: Any, operator_user: User
) -> None:
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/applications")
    log_in(page, "johndoe")
    expect(page.locator("main")).to_contain_text("You are logged in as JohnDoe, but registering applications needs")
    assert page.url.endswith("/oauth2/applications")
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    expect(page.locator(".messages")).to_contain_text("You have been logged out.")


def test_authorized_applications_page_shows_what_was_granted_and_revokes_it(
    page: Any, live_server: Any, web_app: RegisteredClient, callback: CallbackServer, operator_user: User
) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(consent_days=30)
    page.goto(authorize_url(live_server, web_app.application.client_id, scope="view_process"))
    log_in(page, "johndoe")
    page.click("button[name=accept]")
    page.wait_for_url(f"{callback.url}*")
    code = callback.last_query()["code"]
    tokens = token_request(live_server, {
        "grant_type": "authorization_code", "code": code,
        "client_id": web_app.application.client_id, "client_secret": web_app.client_secret,
    })  # fmt: skip
    # Accepted once for 30 days: the same request goes straight back to the client.
    page.goto(authorize_url(live_server, web_app.application.client_id, scope="view_process", state="again"))
    page.wait_for_url(f"{callback.url}*")
    assert callback.last_query()["state"] == "again"

    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/authorized")
    row = page.locator("tr", has_text="Report Builder")
    expect(row).to_contain_text("Read your processes and other resources")
    expect(row).to_contain_text("Remembered until")
    expect(row.locator("td").nth(4)).to_have_text(
        "1 time, still active"
    )  # one sign-in: the access token and its refresh token
    page.screenshot(path=str(screenshot_dir() / "authorized.png"))
    row.get_by_role("link", name="Revoke").click()
    expect(page.locator("h1")).to_have_text("Revoke Report Builder?")
    page.get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("Revoked Report Builder")
    expect(page.get_by_text("No application holds access to your account.")).to_be_visible()
    me = urllib.request.Request(
        f"{live_server.url}/api/1.0/workflow/light/user/data",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(me, timeout=10)  # noqa: S310 - the live server
    assert refused.value.code == 401
    # Forgotten: the consent page asks again.
    page.goto(authorize_url(live_server, web_app.application.client_id, scope="view_process"))
    expect(page.locator("button[name=accept]")).to_be_visible()


def test_device_flow_a_cli_gets_tokens_once_its_user_approves_in_the_browser(
    page: Any, live_server: Any, admin: User, operator_user: User
) -> None:
    cli = register_application(admin.workspace, admin, name="Shell", website="https://cli.example", device_flow=True)
    client_auth = {"client_id": cli.application.client_id, "client_secret": cli.client_secret}
    request = urllib.request.Request(
        f"{live_server.url}/workflow/oauth2/device_authorization",
        urllib.parse.urlencode({**client_auth, "scope": "view_process"}).encode(),
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the live server
        codes = json.load(answer)
    poll = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": codes["device_code"],
        **client_auth,
    }
    with pytest.raises(urllib.error.HTTPError) as pending:
        token_request(live_server, poll)
    assert json.load(pending.value)["error"] == "authorization_pending"

    page.goto(codes["verification_uri"])  # what the CLI prints for its user
    log_in(page, "johndoe")
    page.fill("input[name=user_code]", codes["user_code"].lower())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("main")).to_contain_text("A device running Shell asks to act for you")
    page.screenshot(path=str(screenshot_dir() / "device.png"))
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text("Done: Shell can now act for you.")

    # A well-behaved device waits its interval between polls: that much time passes for the grant.
    DeviceGrant.objects.update(last_checked=F("last_checked") - timedelta(seconds=codes["interval"]))
    tokens = token_request(live_server, poll)
    assert tokens["scope"] == "view_process" and len(tokens["access_token"]) == 40
    me = urllib.request.Request(
        f"{live_server.url}/api/1.0/workflow/light/user/data",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    with urllib.request.urlopen(me, timeout=10) as answer:  # noqa: S310 - the live server
        assert json.load(answer)["userId"] == operator_user.uid


# Elements that hide content sideways: a box that scrolls across, or a control whose right edge is
# past the window's (a phone user would never find the Revoke button at the end of a wide table).
SIDEWAYS = """
[...document.querySelectorAll('main *')].filter(e => {
  const style = getComputedStyle(e), box = e.getBoundingClientRect();
  if (style.display === 'none' || style.visibility === 'hidden' || box.width === 0) return false;
  const scrolls = ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
  const control = e.matches('a, button, input, select, textarea') && box.right > window.innerWidth + 1;
  return scrolls || control;
}).map(e => e.tagName + (e.className ? '.' + e.className : '') + ' ' + (e.textContent || '').trim().slice(0, 30))
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_pages_fit_a_desktop_and_a_phone(
    page: Any, live_server: Any, admin: User, operator_user: User, width: int
) -> None:
    """Each page a person meets, at both widths: nothing spills sideways; a screenshot of each."""
    folder = screenshot_dir() / f"w{width}"
    folder.mkdir(exist_ok=True)
    print(f"screenshots: {folder}")
    page.set_viewport_size({"width": width, "height": 900})
    description = "A description long enough to wrap on a phone screen, as real ones do."
    for number in range(25):
        register_application(
            admin.workspace, admin, name=f"Bulk app {number}", website="bulk.example", description=description
        )
    web = register_application(
        admin.workspace, admin, name="Report Builder", website="r.example", callback="https://r.example/cb"
    )
    base = f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/applications"

    def shot(name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than a {width}px screen"
        # Nor hidden sideways inside the page: no box that scrolls across, no control past the edge.
        hidden = page.evaluate(SIDEWAYS)
        assert hidden == [], f"{name} at {width}px hides {hidden} sideways"

    with override_settings(PM_LIST_WORKSPACES=True):
        page.goto(f"{live_server.url}/")
        shot("home")
    page.goto(f"{live_server.url}/sysworkflox/en/neoclassic/login/login")
    shot("no-such-workspace")
    page.goto(authorize_url(live_server, web.application.client_id))
    expect(page.locator("main")).to_contain_text("Log in to continue to Report Builder")
    shot("login-from-authorize")
    log_in(page, "admin")
    shot("consent")
    page.goto(base)
    expect(page.locator("nav.pages")).to_contain_text("Page 1 of 2")
    shot("applications")
    page.goto(f"{base}/new")
    shot("new")
    page.goto(f"{base}/{web.application.client_id}/edit")
    shot("edit")
    page.goto(f"{base}/{web.application.client_id}/secret")
    shot("regenerate-confirm")
    page.get_by_role("button", name="Regenerate secret").click()
    shot("credentials")
    page.goto(f"{base}/{web.application.client_id}/delete")
    shot("delete-confirm")
    issue(web, admin)
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/authorized")
    shot("authorized")
    shell = register_application(admin.workspace, admin, name="Shell", website="", device_flow=True)
    device.start(admin.workspace, shell.application, device_code="d" * 40, user_code="HQJNMMKG", scope="view_process")
    page.goto(f"{live_server.url}/sysworkflow/en/neoclassic/oauth2/device?user_code=hqjnmmkg")
    expect(page.locator("code.user-code")).to_have_text("HQJN-MMKG")
    shot("device-confirm")
    page.goto(f"{base}/new")
    page.fill("#id_name", "Report Builder")
    page.fill("#id_redirect_uris", "http://reports.example/cb")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.locator(".warning").first).to_contain_text("Did you mean that one?")
    shot("new-asks")
    page.get_by_role("banner").get_by_role("button", name="Log out").click()
    expect(page.locator(".messages")).to_contain_text("You have been logged out.")
    shot("logged-out")
    page.goto(base)
    log_in(page, "johndoe")
    shot("no-permission")
    page.get_by_role("main").get_by_role("button", name="Log out").click()
    Workspace.objects.filter(pk=admin.workspace_id).update(lockout_threshold=2)
    for _ in range(3):
        log_in(page, "johndoe", "wrong password")
    expect(page.locator(".error")).to_contain_text("minutes")
    shot("locked")


def test_the_admin_lists_fit_a_1400_px_screen(
    page: Any, live_server: Any, app: RegisteredClient, operator_user: User
) -> None:
    User.objects.create_superuser("root", "operator password 1")
    token_request(live_server, {
        "grant_type": "password", "username": "johndoe", "password": PASSWORD,
        "client_id": app.application.client_id, "client_secret": app.client_secret,
    })  # fmt: skip
    folder = screenshot_dir() / "admin"
    folder.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "operator password 1")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("pm-oauth administration")
    models = [
        "workspaces/workspace", "workspaces/user", "workspaces/role", "workspaces/auditevent",
        "oauth_apps/application", "oauth_apps/accesstoken", "oauth_apps/refreshtoken", "oauth_apps/grant",
    ]  # fmt: skip
    for model in models:
        page.goto(f"{live_server.url}/admin/{model}/")
        page.screenshot(path=str(folder / f"{model.replace('/', '-')}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{model} is {overflow}px wider than 1,400 px"
        table = page.evaluate(
            "(() => { const r = document.querySelector('.results'); return r ? r.scrollWidth - r.clientWidth : 0; })()"
        )
        assert table <= 0, f"{model}'s list scrolls sideways by {table}px"
