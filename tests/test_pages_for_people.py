"""What the pages say to a person: scopes in words, sign-ins counted as a person counts them, where
Accept sends the browser, the device code as the device shows it; links built from named routes."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import issue, password_grant
from workspaces.models import User

PAGES = "/sysworkflow/en/neoclassic"
AUTHORIZED = f"{PAGES}/oauth2/authorized"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user, backend="workspaces.backends.WorkspaceBackend")
    return browser


def test_the_authorized_page_says_scopes_in_words_and_counts_a_login_once(
    app: RegisteredClient, operator_user: User
) -> None:
    password_grant(Client(), app, "johndoe", PASSWORD, scope="view_process")  # one login: a token pair
    page = signed_in(operator_user).get(AUTHORIZED).content.decode()
    assert "Read your processes and other resources" in page and ">view_process<" not in page
    assert "1 time, still active" in page
    password_grant(Client(), app, "johndoe", PASSWORD, scope="view_process")
    assert "2 times, still active" in signed_in(operator_user).get(AUTHORIZED).content.decode()
    # An expired access token whose refresh token still works is still a sign-in (it can continue).
    AccessToken.objects.filter(user=operator_user).update(expires="2000-01-01T00:00:00Z")
    page = signed_in(operator_user).get(AUTHORIZED).content.decode()
    assert "2 times, still active" in page
    revoke = signed_in(operator_user).get(f"{AUTHORIZED}/{app.application.client_id}/revoke").content.decode()
    assert "signed in to your account 2 times now" in revoke
    # A token without a refresh token (an implicit grant's, say) is a sign-in of its own.
    issue(app, operator_user)
    assert "3 times, still active" in signed_in(operator_user).get(AUTHORIZED).content.decode()


def test_the_consent_page_names_the_web_site_and_where_the_answer_goes(operator_user: User, admin: User) -> None:
    web = register_application(
        admin.workspace, admin, name="Reports", website="reports.example (the finance team)",
        callback="https://reports.example:8443/oauth/cb?from=pm",
    )  # fmt: skip
    url = f"/workflow/oauth2/authorize?response_type=code&client_id={web.application.client_id}&scope=view_process"
    page = signed_in(operator_user).get(url).content.decode()
    assert "<h1>Allow Reports to use your account?</h1>" in page
    assert "reports.example (the finance team)" in page
    assert "<b>https://reports.example:8443</b>" in page and "https://reports.example:8443/oauth/cb?from=pm" in page
    assert "your browser then goes to https://reports.example:8443" in page


def test_the_device_page_shows_the_code_as_the_device_does(operator_user: User, admin: User) -> None:
    from tests.test_device_flow import start

    cli = register_application(admin.workspace, admin, name="Shell", website="", device_flow=True)
    codes = start(cli, scope="view_process").json()
    typed = codes["user_code"].lower().replace("-", "")
    page = signed_in(operator_user).get(f"{PAGES}/oauth2/device", {"user_code": typed}).content.decode()
    assert f'<code class="user-code">{codes["user_code"]}</code>' in page and typed not in page
    assert "<h1>Connect Shell to your account?</h1>" in page


def test_no_template_spells_a_page_address_out() -> None:
    """Links come from the named routes ({% url %}), so a route that moves takes its links along."""
    spelled = re.compile(r"/sys\{\{|\{\{ base|slice:|href=\"/(?!\")|action=\"/")
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        if path.name != "500.html"  # the crash page depends on nothing, not even URL resolving
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if spelled.search(line)
    ]
    assert offenders == []


def test_every_link_on_the_workspace_pages_answers(app: RegisteredClient, admin: User) -> None:
    issue(app, admin)
    browser = signed_in(admin)
    seen: set[str] = set()
    for start in (f"{PAGES}/oauth2/applications", AUTHORIZED, f"{PAGES}/oauth2/applications/new", "/"):
        page = browser.get(start).content.decode()
        for link in re.findall(r'href="(/[^"]*)"', page):
            if link in seen or link.startswith(("/static/", "/admin/")):
                continue
            seen.add(link)
            assert browser.get(link).status_code in (200, 302), link
    assert any(link.endswith("/edit") for link in seen) and any(link.endswith("/revoke") for link in seen)
