"""Remembered consent (the workspace's consent_days) and the user's Authorized applications page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from oauth_apps.models import AccessToken, Consent, RefreshToken
from oauth_apps.services import RegisteredClient, register_application, update_application
from tests.conftest import PASSWORD
from tests.oauth import issue
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

CALLBACK = "https://client.example/cb"
PAGE = "/sysworkflow/en/neoclassic/oauth2/authorized"
BACKEND = "workspaces.backends.WorkspaceBackend"


@pytest.fixture
def web_app(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Reports", website="https://c.example", callback=CALLBACK)


def remember_for(days: int) -> None:
    Workspace.objects.filter(name="workflow").update(consent_days=days)


def authorize(client: Client, app: RegisteredClient, scope: str = "view_process", **extra: str) -> str:
    query = {"response_type": "code", "client_id": app.application.client_id, "scope": scope, **extra}
    return "/workflow/oauth2/authorize?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())


def asks(client: Client, url: str) -> bool:
    """True when the consent page is shown; False when the request went straight back with a code."""
    response = client.get(url)
    if response.status_code == 200:
        assert b'name="accept"' in response.content
        return True
    assert response.status_code == 302 and response["Location"].startswith(f"{CALLBACK}?code="), response
    return False


def accept(client: Client, url: str) -> None:
    response = client.post(url, {"accept": "Accept"})
    assert response.status_code == 302 and response["Location"].startswith(CALLBACK)


def test_by_default_every_request_asks_as_processmaker_does(browser: Client, web_app: RegisteredClient) -> None:
    accept(browser, authorize(browser, web_app))
    assert asks(browser, authorize(browser, web_app))
    assert Consent.objects.count() == 1  # kept all the same, for the Authorized applications page


def test_within_the_days_the_same_or_a_narrower_set_is_not_asked_again(
    browser: Client, web_app: RegisteredClient
) -> None:
    remember_for(30)
    accept(browser, authorize(browser, web_app, scope="view_process edit_process"))
    assert not asks(browser, authorize(browser, web_app, scope="view_process edit_process"))
    assert not asks(browser, authorize(browser, web_app, scope="edit_process"))
    assert asks(browser, authorize(browser, web_app, scope="*"))  # wider: asked
    assert asks(browser, authorize(browser, web_app, scope="view_process", prompt="consent"))


def test_the_memory_ends_with_the_days_with_a_denial_and_is_the_users_own(
    browser: Client, web_app: RegisteredClient, admin: User
) -> None:
    remember_for(30)
    accept(browser, authorize(browser, web_app))
    Consent.objects.update(granted=timezone.now() - timedelta(days=30, seconds=1))
    assert asks(browser, authorize(browser, web_app))
    accept(browser, authorize(browser, web_app))
    assert not asks(browser, authorize(browser, web_app))
    other = Client()
    other.force_login(admin, backend=BACKEND)
    assert asks(other, authorize(other, web_app))  # John's acceptance is not the admin's
    browser.post(authorize(browser, web_app), {"cancel": "Deny"})
    assert not Consent.objects.filter(user__username="JohnDoe").exists()
    assert asks(browser, authorize(browser, web_app))


def test_the_page_needs_a_login_and_shows_only_ones_own_applications(
    client: Client, web_app: RegisteredClient, app: RegisteredClient, operator_user: User, admin: User
) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sysworkflow/en/neoclassic/login/login")
    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    issue(web_app, operator_user)
    issue(app, admin)  # the admin's, not John's
    page = client.get(PAGE).content.decode()
    assert "Reports" in page and "Test app" not in page
    assert "PM Web" not in page and "local" not in page.lower()  # the web session's own token is not listed


def test_revoking_asks_first_then_ends_only_that_applications_tokens_for_that_user(
    browser: Client, web_app: RegisteredClient, app: RegisteredClient, operator_user: User, admin: User
) -> None:
    accept(browser, authorize(browser, web_app))
    mine = issue(web_app, operator_user)
    kept = [issue(app, operator_user), issue(web_app, admin)]
    url = f"{PAGE}/{web_app.application.client_id}/revoke"
    confirm = browser.get(url)
    assert confirm.status_code == 200 and b"Revoke Reports?" in confirm.content
    assert AccessToken.objects.filter(token=mine).exists()
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(operator_user, backend=BACKEND)
    assert csrf.post(url).status_code == 403
    done = browser.post(url)
    assert done.status_code == 302 and done["Location"] == PAGE
    assert not AccessToken.objects.filter(token=mine).exists()
    assert AccessToken.objects.filter(token__in=kept).count() == 2
    assert not Consent.objects.exists()
    assert not RefreshToken.objects.filter(user=operator_user, application=web_app.application, revoked=None).exists()
    assert browser.get(url).status_code == 404  # nothing of John's left there
    assert browser.get(f"{PAGE}/{app.application.client_id}/revoke").status_code == 200
    assert browser.get(f"{PAGE}/NOSUCHCLIENT/revoke").status_code == 404


def test_a_new_callback_forgets_every_remembered_consent(
    browser: Client, web_app: RegisteredClient, admin: User
) -> None:
    """Users accepted sending their codes to the old callback: the new one asks them again."""
    remember_for(30)
    accept(browser, authorize(browser, web_app))
    assert not asks(browser, authorize(browser, web_app))
    owner = Client()
    owner.force_login(admin, backend=BACKEND)
    form = {"name": "Reports", "website": "https://c.example", "redirect_uris": "https://new.example/cb",
            "description": ""}  # fmt: skip
    edited = owner.post(f"/sysworkflow/en/neoclassic/oauth2/applications/{web_app.application.client_id}/edit", form)
    assert edited.status_code == 302, edited.content
    assert not Consent.objects.filter(application=web_app.application).exists()
    page = browser.get(authorize(browser, web_app))
    assert page.status_code == 200 and b'name="accept"' in page.content
    event = AuditEvent.objects.get(event_type=AuditEventType.APPLICATION_UPDATED)
    assert event.extra == {"fields": ["redirect_uris"], "consents_forgotten": 1}


def test_a_callback_change_with_nothing_remembered_says_so(web_app: RegisteredClient, admin: User) -> None:
    web_app.application.redirect_uris = "https://new.example/cb"
    update_application(web_app.application, ["redirect_uris"], by=admin)
    event = AuditEvent.objects.get(event_type=AuditEventType.APPLICATION_UPDATED)
    assert event.extra == {"fields": ["redirect_uris"], "consents_forgotten": 0}


def test_other_edits_keep_the_consents(browser: Client, web_app: RegisteredClient, admin: User) -> None:
    remember_for(30)
    accept(browser, authorize(browser, web_app))
    web_app.application.name = "Monthly reports"
    update_application(web_app.application, ["name"], by=admin)
    assert not asks(browser, authorize(browser, web_app))
