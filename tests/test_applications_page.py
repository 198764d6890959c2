"""The applications pages, driven with Django's test client (the browser version is in test_browser_flows.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.sessions.models import Session
from django.test import Client

from oauth_apps.models import AccessToken, Application
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import User

BASE = "/sysworkflow/en/neoclassic/oauth2/applications"
BACKEND = "workspaces.backends.WorkspaceBackend"
NEW = {"name": "Reports", "description": "Monthly", "website": "https://reports.example", "redirect_uris": ""}


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin, backend=BACKEND)
    return client


def test_without_a_session_it_goes_to_login_and_back(client: Client, workspace: object) -> None:
    response = client.get(BASE)
    assert response.status_code == 302
    assert (
        response["Location"]
        == "/sysworkflow/en/neoclassic/login/login?u=%2Fsysworkflow%2Fen%2Fneoclassic%2Foauth2%2Fapplications"
    )


def test_a_user_without_the_permission_is_told_so_and_not_sent_back_to_login(
    client: Client, operator_user: User
) -> None:
    client.force_login(operator_user, backend=BACKEND)
    for path in (BASE, f"{BASE}/new"):
        response = client.get(path)
        assert response.status_code == 403
        assert (
            b"You are logged in as <b>JohnDoe</b>" in response.content
            and b"PM_REST_API_APPLICATIONS" in response.content
        )
        assert b"Log out" in response.content
    assert client.post(f"{BASE}/new", NEW).status_code == 403
    assert not Application.objects.filter(name="Reports").exists()


def stored_sessions() -> str:
    """Every session row, decoded: what the server keeps between requests."""
    return " ".join(str(session.get_decoded()) for session in Session.objects.all())


def test_creating_shows_the_credentials_once_in_the_answer_and_keeps_the_secret_nowhere(
    admin_client: Client, admin: User
) -> None:
    response = admin_client.post(f"{BASE}/new", NEW)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]  # no redirect to a GET
    page = response.content.decode()
    client_id = re.search(r'id="client-id" value="([A-Z]{32})"', page).group(1)  # type: ignore[union-attr]
    secret = re.search(r'id="client-secret" value="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]
    application = Application.objects.get(client_id=client_id)
    assert application.user == admin
    assert check_password(secret, application.client_secret)
    assert secret not in stored_sessions()
    again = admin_client.get(f"{BASE}/{client_id}/credentials").content.decode()
    assert secret not in again and "was shown once" in again
    assert secret not in admin_client.get(f"{BASE}/{client_id}/edit").content.decode()
    assert secret not in admin_client.get(BASE).content.decode()


def test_a_regenerated_secret_is_shown_in_the_answer_alone(admin_client: Client, admin: User) -> None:
    page = admin_client.post(f"{BASE}/new", NEW).content.decode()
    client_id = re.search(r'id="client-id" value="([A-Z]{32})"', page).group(1)  # type: ignore[union-attr]
    confirm = admin_client.get(f"{BASE}/{client_id}/secret").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', confirm).group(1)  # type: ignore[union-attr]
    answer = admin_client.post(f"{BASE}/{client_id}/secret", {"once": once})
    assert answer.status_code == 200 and "no-store" in answer["Cache-Control"]
    secret = answer.context["secret"]
    assert check_password(secret, Application.objects.get(client_id=client_id).client_secret)
    assert secret not in stored_sessions()
    reload = admin_client.post(f"{BASE}/{client_id}/secret", {"once": once})  # the browser resends the POST
    assert reload.status_code == 302 and reload["Location"].endswith("/credentials")
    assert check_password(secret, Application.objects.get(client_id=client_id).client_secret)  # not made again


def test_a_reload_or_a_double_click_of_the_new_form_makes_one_application(admin_client: Client) -> None:
    form = admin_client.get(f"{BASE}/new").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    first = admin_client.post(f"{BASE}/new", {**NEW, "once": once})
    assert first.status_code == 200 and first.context["secret"]
    second = admin_client.post(f"{BASE}/new", {**NEW, "once": once})
    client_id = Application.objects.get(name="Reports").client_id
    assert second.status_code == 302 and second["Location"].endswith(f"/{client_id}/credentials")
    assert Application.objects.filter(name="Reports").count() == 1


def test_a_form_token_is_its_users_alone(admin_client: Client, stranger: User) -> None:
    """Another user sending the same token (from another workspace, too) makes their own application."""
    form = admin_client.get(f"{BASE}/new").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    assert admin_client.post(f"{BASE}/new", {**NEW, "once": once}).status_code == 200
    theirs = Client()
    theirs.force_login(stranger, backend="workspaces.backends.WorkspaceBackend")
    answer = theirs.post("/sysother/en/neoclassic/oauth2/applications/new", {**NEW, "once": once})
    assert answer.status_code == 200 and answer.context["secret"]
    assert Application.objects.filter(name="Reports", user=stranger).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "This field is required."),
        ("website", "w" * 1025, "at most 1024 characters"),
        ("redirect_uris", "https://reports.example/cb#x", "must not contain a fragment"),
        ("redirect_uris", "http://a/b#frag", "must not contain a fragment"),
        ("redirect_uris", "javascript:alert(1)", "absolute http(s) URL"),
        ("name", "n" * 300, "at most 256 characters"),
    ],
)
def test_bad_input_is_refused_with_a_message(admin_client: Client, field: str, value: str, message: str) -> None:
    response = admin_client.post(f"{BASE}/new", {**NEW, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Application.objects.filter(is_local=False).exists()


@pytest.mark.parametrize("website", ["example.com", "", "our intranet"])
def test_the_web_site_is_whatever_processmaker_takes(admin_client: Client, website: str) -> None:
    response = admin_client.post(f"{BASE}/new", {**NEW, "website": website})
    assert response.status_code == 200 and response.context["created"]
    assert Application.objects.get(name="Reports").website == website


def test_a_public_client_has_no_secret(admin_client: Client) -> None:
    response = admin_client.post(
        f"{BASE}/new", {**NEW, "public": "on", "redirect_uris": "https://reports.example/cb"}, follow=True
    )
    assert b"public client: it has no secret" in response.content
    application = Application.objects.get(name="Reports")
    assert application.is_public and application.client_secret == ""


def test_the_list_shows_only_my_applications_never_the_local_client(
    admin_client: Client, admin: User, operator_user: User
) -> None:
    register_application(admin.workspace, admin, name="Mine", website="https://a.example")
    register_application(admin.workspace, operator_user, name="Theirs", website="https://b.example")
    page = admin_client.get(BASE).content.decode()
    assert "Mine" in page and "Theirs" not in page and "PM Web Designer" not in page


def test_search_filters_the_list(admin_client: Client, admin: User) -> None:
    register_application(admin.workspace, admin, name="Alpha reports", website="https://a.example")
    register_application(admin.workspace, admin, name="Beta", website="https://b.example")
    page = admin_client.get(BASE, {"q": "alpha"}).content.decode()
    assert "Alpha reports" in page and "Beta" not in page


def test_editing_saves_the_fields(admin_client: Client, admin: User) -> None:
    registered = register_application(admin.workspace, admin, name="Old", website="https://a.example")
    client_id = registered.application.client_id
    response = admin_client.post(
        f"{BASE}/{client_id}/edit", {**NEW, "name": "New name", "redirect_uris": "https://a.example/cb"}
    )
    assert response.status_code == 302
    application = Application.objects.get(client_id=client_id)
    assert (application.name, application.redirect_uris) == ("New name", "https://a.example/cb")


def test_regenerating_the_secret_replaces_it(admin_client: Client, app: RegisteredClient, operator_user: User) -> None:
    confirm = admin_client.get(f"{BASE}/{app.application.client_id}/secret")
    assert confirm.status_code == 200 and b"stops working at once" in confirm.content
    assert "access_token" in password_grant(Client(), app, "johndoe", PASSWORD).json()  # nothing done yet
    response = admin_client.post(f"{BASE}/{app.application.client_id}/secret", follow=True)
    new_secret = re.search(r'id="client-secret" value="([0-9a-f]{32})"', response.content.decode()).group(1)  # type: ignore[union-attr]
    assert new_secret != app.client_secret
    assert password_grant(Client(), app, "johndoe", PASSWORD).json()["error"] == "invalid_client"
    renewed = RegisteredClient(app.application, new_secret)
    assert "access_token" in password_grant(Client(), renewed, "johndoe", PASSWORD).json()


def test_deleting_removes_the_application_and_revokes_its_tokens(
    admin_client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = password_grant(Client(), app, "johndoe", PASSWORD).json()["access_token"]
    confirm = admin_client.get(f"{BASE}/{app.application.client_id}/delete")
    assert confirm.status_code == 200 and b"2 active tokens stop working" in confirm.content
    assert Application.objects.filter(pk=app.application.pk).exists()
    response = admin_client.post(f"{BASE}/{app.application.client_id}/delete")
    assert response.status_code == 302
    assert not Application.objects.filter(pk=app.application.pk).exists()
    assert not AccessToken.objects.filter(token=token).exists()


def test_someone_elses_or_the_local_client_is_404(admin_client: Client, admin: User, operator_user: User) -> None:
    theirs = register_application(admin.workspace, operator_user, name="Theirs", website="https://b.example")
    local = Application.objects.get(workspace=admin.workspace, is_local=True)
    for client_id in [theirs.application.client_id, local.client_id, "NOSUCHCLIENT"]:
        assert admin_client.get(f"{BASE}/{client_id}/edit").status_code == 404
        assert admin_client.post(f"{BASE}/{client_id}/delete").status_code == 404
    assert Application.objects.filter(pk=theirs.application.pk).exists()


def test_changes_need_post_and_csrf(admin: User, app: RegisteredClient) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin, backend=BACKEND)
    assert client.get(f"{BASE}/{app.application.client_id}/delete").status_code == 200  # the confirmation page
    assert client.post(f"{BASE}/{app.application.client_id}/delete").status_code == 403
    assert Application.objects.filter(pk=app.application.pk).exists()


def test_a_plain_http_callback_to_another_machine_is_a_warning_before_saving_in_processmaker_mode(
    admin_client: Client, admin: User
) -> None:
    form = {**NEW, "redirect_uris": "http://example.com/gettoken.php"}
    asked = admin_client.post(f"{BASE}/new", form)
    page = asked.content.decode()
    assert asked.status_code == 200 and '<p class="warning">The callback URL uses plain http' in page
    assert '<p class="error">' not in page and "Save anyway" in page
    assert not Application.objects.filter(redirect_uris="http://example.com/gettoken.php").exists()  # not yet
    answer = re.search(r'name="answered" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    saved = admin_client.post(f"{BASE}/new", {**form, "answered": answer, "once": once})
    assert saved.status_code == 200 and b"Application registered" in saved.content
    assert Application.objects.filter(redirect_uris="http://example.com/gettoken.php").count() == 1
    # Another callback than the one warned about is asked about again.
    other = admin_client.post(f"{BASE}/new", {**form, "redirect_uris": "http://example.org/cb", "answered": answer})
    assert b"Save anyway" in other.content and not Application.objects.filter(redirect_uris="http://example.org/cb")


def test_a_name_already_used_asks_whether_you_meant_that_one(admin_client: Client, admin: User) -> None:
    first = register_application(admin.workspace, admin, name="Payroll", website="")
    asked = admin_client.post(f"{BASE}/new", {**NEW, "name": "payroll"})
    page = asked.content.decode()
    assert "You already have an application called Payroll" in page and "Did you mean that one?" in page
    assert f"/{first.application.client_id}/edit" in page
    assert Application.objects.filter(name__iexact="payroll").count() == 1
    answer = re.search(r'name="answered" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    admin_client.post(f"{BASE}/new", {**NEW, "name": "payroll", "answered": answer})
    assert Application.objects.filter(name__iexact="payroll").count() == 2
    # Renaming another application to it asks too; saving it unchanged does not.
    other = register_application(admin.workspace, admin, name="Reports", website="")
    renamed = admin_client.post(f"{BASE}/{other.application.client_id}/edit", {**NEW, "name": "PAYROLL"})
    assert renamed.status_code == 200 and b"Did you mean that one?" in renamed.content
    unchanged = admin_client.post(f"{BASE}/{first.application.client_id}/edit", {**NEW, "name": "Payroll"})
    assert unchanged.status_code == 302


def test_another_users_application_of_the_same_name_is_not_asked_about(
    admin_client: Client, admin: User, operator_user: User
) -> None:
    register_application(admin.workspace, operator_user, name="Payroll", website="")
    response = admin_client.post(f"{BASE}/new", {**NEW, "name": "Payroll"})
    assert response.status_code == 200 and b"Application registered" in response.content


@pytest.mark.parametrize("callback", ["http://localhost:8000/cb", "http://127.0.0.1/cb", "http://[::1]/cb"])
def test_a_plain_http_callback_to_this_machine_is_fine(admin_client: Client, admin: User, callback: str) -> None:
    response = admin_client.post(f"{BASE}/new", {**NEW, "redirect_uris": callback}, follow=True)
    assert response.status_code == 200 and b"unencrypted" not in response.content


def test_a_plain_http_callback_to_another_machine_is_refused_in_rfc6749_mode(admin_client: Client, admin: User) -> None:
    from workspaces.models import ErrorMode, Workspace

    Workspace.objects.filter(pk=admin.workspace_id).update(error_mode=ErrorMode.RFC6749)
    response = admin_client.post(f"{BASE}/new", {**NEW, "redirect_uris": "http://example.com/cb"})
    assert b"must use https" in response.content
    assert not Application.objects.filter(redirect_uris="http://example.com/cb").exists()


def test_an_application_without_a_callback_can_be_edited(admin_client: Client, admin: User) -> None:
    registered = register_application(admin.workspace, admin, name="Script", website="https://s.example")
    response = admin_client.post(f"{BASE}/{registered.application.client_id}/edit", {**NEW, "name": "Batch script"})
    assert response.status_code == 302
    assert Application.objects.get(pk=registered.application.pk).name == "Batch script"


def names_on(page: str) -> list[str]:
    return re.findall(r'<td data-label="Name"><b>([^<]+)', page)


def test_the_list_sorts_names_naturally_pages_and_sorts_by_date(admin_client: Client, admin: User) -> None:
    for number in (10, 2, 1, 11, 3):
        register_application(admin.workspace, admin, name=f"Bulk app {number}", website="b.example")
    for number in range(30):
        register_application(admin.workspace, admin, name=f"Zeta {number:02d}", website="z.example")
    first = admin_client.get(BASE).content.decode()
    assert names_on(first)[:5] == ["Bulk app 1", "Bulk app 2", "Bulk app 3", "Bulk app 10", "Bulk app 11"]
    assert len(names_on(first)) == 20 and "Page 1 of 2 (35 applications)" in first
    second = admin_client.get(BASE, {"page": 2}).content.decode()
    assert names_on(second) == [f"Zeta {number:02d}" for number in range(15, 30)]
    newest = names_on(admin_client.get(BASE, {"sort": "-created"}).content.decode())
    assert newest[0] == "Zeta 29" and newest[19] == "Zeta 10"
    assert names_on(admin_client.get(BASE, {"page": "nonsense", "sort": "evil"}).content.decode())[0] == "Bulk app 1"


def test_names_with_any_digits_sort_without_failing(admin_client: Client, admin: User) -> None:
    for name in ("²", "App ²³", "App \u0663", "App 2"):  # superscripts are digits to str.isdigit, not to int()
        register_application(admin.workspace, admin, name=name, website="d.example")
    response = admin_client.get(BASE)
    assert response.status_code == 200
    assert names_on(response.content.decode()) == ["App 2", "App \u0663", "App ²³", "²"]


def test_search_matches_name_and_description_and_only_an_exact_client_id(admin_client: Client, admin: User) -> None:
    mine = register_application(
        admin.workspace, admin, name="Payroll", website="p.example", description="Monthly MY run"
    )
    register_application(admin.workspace, admin, name="Other", website="o.example")
    client_id = mine.application.client_id
    assert names_on(admin_client.get(BASE, {"q": "monthly"}).content.decode()) == ["Payroll"]
    assert names_on(admin_client.get(BASE, {"q": client_id}).content.decode()) == ["Payroll"]
    assert names_on(admin_client.get(BASE, {"q": client_id[3:12]}).content.decode()) == []
