"""Account policies as ProcessMaker's: password history and expiry, the must-change step at the web
login, the password grant's opt-in refusal, deactivation after failed logins, and the absolute
session cap."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.services import provision_workspace, update_user
from oauth_apps.models import AccessToken
from oauth_apps.pending_login import PENDING_KEY
from oauth_apps.services import RegisteredClient, register_application
from oauth_apps.websessions import SESSION_STARTED_KEY
from tests.conftest import PASSWORD
from tests.oauth import issue, password_grant
from workspaces.models import AuditEvent, AuditEventType, UsedPassword, User, Workspace
from workspaces.services import WorkspaceError

LOGIN = "/sysworkflow/en/neoclassic/login/login"
CHANGE = "/sysworkflow/en/neoclassic/login/password"
AUTHORIZED = "/sysworkflow/en/neoclassic/oauth2/authorized"
NEW = "a brand new passphrase"
CALLBACK = "https://client.example/cb"


def settings_of(user: User, **values: Any) -> Workspace:
    Workspace.objects.filter(pk=user.workspace_id).update(**values)
    user.workspace.refresh_from_db()
    return user.workspace


def log_in(client: Client, password: str = PASSWORD, next_url: str = "", address: str = "127.0.0.1") -> Any:
    path = f"{LOGIN}?u={quote(next_url, safe='')}" if next_url else LOGIN
    return client.post(path, {"username": "johndoe", "password": password}, REMOTE_ADDR=address)


def change(client: Client, new: str = NEW, again: str | None = None, current_password: str = "", **meta: str) -> Any:
    fields = {"new_password1": new, "new_password2": new if again is None else again}
    if current_password:
        fields["current_password"] = current_password
    return client.post(CHANGE, fields, **meta)


def is_logged_in(client: Client) -> bool:
    return client.get(AUTHORIZED).status_code == 200


# --- History ---------------------------------------------------------------------------------------


def test_history_refuses_the_last_n_passwords_the_current_one_included(operator_user: User) -> None:
    settings_of(operator_user, password_history=3)
    passwords = [PASSWORD, "second passphrase here", "third passphrase here"]
    for password in passwords[1:]:
        update_user(operator_user, {}, password=password)
    for used in passwords:
        with pytest.raises(WorkspaceError, match="Not one of the last 3 passwords"):
            update_user(operator_user, {}, password=used)
    update_user(operator_user, {}, password="fourth passphrase here")
    update_user(operator_user, {}, password=PASSWORD)  # four changes ago: allowed again
    # Only what the rule reads is kept: the current password and the two before it.
    assert UsedPassword.objects.filter(user=operator_user).count() == 2


def test_without_history_a_password_may_come_back_and_no_hash_is_kept(operator_user: User) -> None:
    update_user(operator_user, {}, password="second passphrase here")
    update_user(operator_user, {}, password=PASSWORD)
    assert not UsedPassword.objects.filter(user=operator_user).exists()


def test_history_reads_imported_processmaker_hashes(operator_user: User) -> None:
    settings_of(operator_user, password_history=2)
    User.objects.filter(pk=operator_user.pk).update(password="pm_md5$" + "0" * 32)  # not this password
    UsedPassword.objects.create(user=operator_user, password="pm_md5$5f4dcc3b5aa765d61d8327deb882cf99")
    operator_user.refresh_from_db()
    with pytest.raises(WorkspaceError, match="Not one of the last 2"):
        update_user(operator_user, {}, password="password")  # md5("password") is in the history


# --- The change step at the web login ----------------------------------------------------------------


def test_a_user_who_must_change_is_taken_to_the_change_page_and_then_where_they_were_going(
    client: Client, operator_user: User, admin: User
) -> None:
    web_app = register_application(admin.workspace, admin, name="Web", website="", callback=CALLBACK)
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    going = f"/workflow/oauth2/authorize?response_type=code&client_id={web_app.application.client_id}"
    response = log_in(client, next_url=going)
    assert response.status_code == 302 and response["Location"] == CHANGE
    page = client.get(CHANGE)
    assert b"You must change your password before going on." in page.content
    # Half done: nothing is granted meanwhile.
    assert not is_logged_in(client)
    assert client.get(going)["Location"].startswith(LOGIN)
    assert not AccessToken.objects.filter(user=operator_user).exists()
    # The same password, a mismatch and a weak one are refused, each saying why.
    assert b"Choose a password other than your current one." in change(client, PASSWORD).content
    assert b"The two passwords differ." in change(client, NEW, "something else").content
    assert b"Minimum length: 8." in change(client, "short").content
    done = change(client)
    assert done.status_code == 302 and done["Location"] == going
    operator_user.refresh_from_db()
    assert not operator_user.must_change_password and operator_user.check_password(NEW)
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.PASSWORD_CHANGE_REQUIRED, target_user=operator_user, extra__reason="must_change"
    ).exists()


def test_an_expired_password_is_changed_at_login(client: Client, operator_user: User) -> None:
    settings_of(operator_user, password_expiry_days=30)
    User.objects.filter(pk=operator_user.pk).update(credentials_changed_at=timezone.now() - timedelta(days=29))
    assert log_in(client)["Location"] != CHANGE  # 29 days: still good
    client.post(f"{LOGIN[:-5]}logout")
    User.objects.filter(pk=operator_user.pk).update(credentials_changed_at=timezone.now() - timedelta(days=31))
    assert log_in(client)["Location"] == CHANGE
    assert b"Your password has expired." in client.get(CHANGE).content
    assert change(client).status_code == 302
    assert log_in(Client()).status_code == 200  # the old password no longer works...
    assert log_in(Client(), NEW)["Location"] != CHANGE  # ...and the new one is fresh


def test_a_password_that_no_longer_meets_the_policy_is_changed_at_login(client: Client, operator_user: User) -> None:
    settings_of(operator_user, password_min_length=30)
    assert log_in(client)["Location"] == CHANGE
    assert b"no longer meets" in client.get(CHANGE).content
    assert b"Minimum length: 30." in change(client).content
    assert change(client, "a passphrase of thirty or more characters").status_code == 302
    assert is_logged_in(client)


def test_a_half_done_login_expires_and_stays_in_its_workspace(
    client: Client, operator_user: User, stranger: User
) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    log_in(client)
    # Another workspace's change page knows nothing of it.
    assert client.get("/sysother/en/neoclassic/login/password")["Location"].startswith("/sysother/")
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "until": 0}
    session.save()
    response = change(client)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert b"That took too long: log in again." in client.get(response["Location"]).content
    operator_user.refresh_from_db()
    assert operator_user.check_password(PASSWORD)


def test_a_user_deactivated_meanwhile_cannot_finish_a_half_done_login(client: Client, operator_user: User) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    log_in(client)
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE)
    assert change(client)["Location"].startswith(LOGIN)
    operator_user.refresh_from_db()
    assert operator_user.check_password(PASSWORD)


def test_a_stranger_gets_the_login_page_not_the_change_page(client: Client, operator_user: User) -> None:
    assert change(client)["Location"].startswith(LOGIN)


def test_a_logged_in_user_changes_their_password_with_the_current_one(
    client: Client, operator_user: User, app: RegisteredClient
) -> None:
    elsewhere = issue(app, operator_user)
    log_in(client)
    assert b"Your current password is not right." in change(client, current_password="wrong").content
    assert b"This field is required." in change(client).content
    response = change(client, current_password=PASSWORD)
    assert response.status_code == 302
    assert is_logged_in(client)  # this session stays, with a new token
    operator_user.refresh_from_db()
    assert operator_user.check_password(NEW)
    tokens = AccessToken.objects.filter(user=operator_user)
    assert tokens.count() == 1 and tokens.get().token != elsewhere  # every other token ended


def test_the_current_password_is_checked_under_the_login_limits(client: Client, operator_user: User) -> None:
    settings_of(operator_user, lockout_threshold=3)
    log_in(client)
    for number in range(3):
        change(client, current_password="wrong", REMOTE_ADDR=f"10.0.0.{number + 1}")
    response = client.post(
        CHANGE, {"current_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}, REMOTE_ADDR="10.0.1.1"
    )
    assert b"Too many failed logins for this username" in response.content
    operator_user.refresh_from_db()
    assert operator_user.check_password(PASSWORD)


def test_an_oversized_new_password_is_a_form_error(client: Client, operator_user: User) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    log_in(client)
    response = change(client, "x" * 5000)
    assert response.status_code == 200 and b"at most 1024 characters" in response.content


# --- Resets -----------------------------------------------------------------------------------------


def test_an_administrators_reset_makes_the_user_change_it_where_the_workspace_asks(
    operator_user: User, admin: User
) -> None:
    update_user(operator_user, {}, password="reset by the admin", by=admin)
    operator_user.refresh_from_db()
    assert not operator_user.must_change_password
    settings_of(operator_user, must_change_after_reset=True)
    update_user(operator_user, {}, password="reset again by the admin", by=admin)
    operator_user.refresh_from_db()
    assert operator_user.must_change_password


# --- The password grant -----------------------------------------------------------------------------


def test_the_password_grant_serves_a_user_due_for_change_unless_the_workspace_refuses(
    client: Client, operator_user: User, app: RegisteredClient
) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    assert "access_token" in password_grant(client, app, "johndoe", PASSWORD).json()  # ProcessMaker's way
    settings_of(operator_user, password_grant_refuses_change=True)
    body = password_grant(client, app, "johndoe", PASSWORD).json()
    assert body == {
        "error": "invalid_grant",
        "error_description": "The password has expired; sign in on the web to change it",
    }
    assert password_grant(client, app, "johndoe", "wrong").json()["error_description"] == (
        "Invalid username and password combination"
    )


def test_a_new_rfc6749_workspace_refuses_them_on_the_password_grant(db: None) -> None:
    out = io.StringIO()
    call_command("createworkspace", "strict", "--error-mode", "rfc6749", "--json", stdout=out)
    assert json.loads(out.getvalue())["workspace"] == "strict"
    strict = Workspace.objects.get(name="strict")
    assert strict.error_mode == "rfc6749" and strict.password_grant_refuses_change
    assert not provision_workspace("plain", "admin", PASSWORD).workspace.password_grant_refuses_change


# --- Deactivation after failed logins ---------------------------------------------------------------


def test_failed_logins_deactivate_the_user_and_end_their_tokens(
    client: Client, operator_user: User, app: RegisteredClient
) -> None:
    settings_of(operator_user, failed_logins_deactivate=3)
    issue(app, operator_user)
    log_in(client, "wrong", address="10.0.0.1")
    assert password_grant(client, app, "johndoe", "wrong", REMOTE_ADDR="10.0.0.2").json()["error"] == "invalid_grant"
    operator_user.refresh_from_db()
    assert operator_user.failed_logins == 2 and operator_user.is_active  # the grant's failure outlived its rollback
    log_in(client, "wrong", address="10.0.0.3")
    operator_user.refresh_from_db()
    assert operator_user.status == User.Status.INACTIVE
    assert not AccessToken.objects.filter(user=operator_user, expires__gt=timezone.now()).exists()
    event = AuditEvent.objects.get(event_type=AuditEventType.USER_DEACTIVATED_FAILED_LOGINS)
    assert event.target_user == operator_user and event.extra["failures"] == 3
    assert log_in(client, address="10.0.0.4").status_code == 200  # the right password no longer helps


def test_a_success_resets_the_count_and_a_reactivation_too(client: Client, operator_user: User, admin: User) -> None:
    settings_of(operator_user, failed_logins_deactivate=3)
    for address in ("10.0.0.1", "10.0.0.2"):
        log_in(client, "wrong", address=address)
    assert log_in(client, address="10.0.0.3").status_code == 302
    operator_user.refresh_from_db()
    assert operator_user.failed_logins == 0
    User.objects.filter(pk=operator_user.pk).update(status=User.Status.INACTIVE, failed_logins=3)
    operator_user.refresh_from_db()
    update_user(operator_user, {"status": User.Status.ACTIVE}, by=admin)
    operator_user.refresh_from_db()
    assert operator_user.failed_logins == 0 and operator_user.is_active


def test_deactivation_is_off_by_default(client: Client, operator_user: User) -> None:
    for number in range(8):
        log_in(client, "wrong", address=f"10.0.0.{number + 1}")
    operator_user.refresh_from_db()
    assert operator_user.is_active and operator_user.failed_logins == 0


def test_an_unknown_username_deactivates_nobody(client: Client, operator_user: User) -> None:
    settings_of(operator_user, failed_logins_deactivate=3)
    for number in range(4):
        client.post(LOGIN, {"username": "nobody", "password": "wrong"}, REMOTE_ADDR=f"10.0.0.{number + 1}")
    assert not AuditEvent.objects.filter(event_type=AuditEventType.USER_DEACTIVATED_FAILED_LOGINS).exists()


# --- The absolute session cap ------------------------------------------------------------------------


def test_a_session_ends_at_the_absolute_cap_however_active(client: Client, operator_user: User) -> None:
    settings_of(operator_user, session_absolute_lifetime=3600)
    log_in(client)
    token = AccessToken.objects.get(user=operator_user)
    assert token.expires <= timezone.now() + timedelta(seconds=1440)
    session = client.session
    session[SESSION_STARTED_KEY] -= 3600 - 100  # logged in 58 minutes ago, active all along
    session.save()
    assert is_logged_in(client)
    assert client.session.get_expiry_age() <= 100  # the slide stops at the cap
    session = client.session
    session[SESSION_STARTED_KEY] -= 101
    session.save()
    assert not is_logged_in(client)
    assert not AccessToken.objects.filter(pk=token.pk).exists()


@pytest.mark.parametrize("body", [b"", b"\xff\xfe", b"new_password1=a&new_password1=b", b"x" * 200000])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_hostile_bodies_at_the_change_page_get_no_500_and_change_nothing(
    client: Client, operator_user: User, body: bytes, content_type: str
) -> None:
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    log_in(client)
    hostile = Client(raise_request_exception=False, enforce_csrf_checks=True)
    hostile.cookies = client.cookies
    for sender in (client, hostile, Client(raise_request_exception=False)):
        response = sender.post(CHANGE, body, content_type=content_type)
        assert response.status_code in (200, 302, 400, 403), response.status_code
    operator_user.refresh_from_db()
    assert operator_user.check_password(PASSWORD) and operator_user.must_change_password


def test_the_rest_api_and_the_admin_reset_keep_the_history_and_the_reset_rule(
    client: Client, operator_user: User, admin: User, app: RegisteredClient, operator_client: Client
) -> None:
    settings_of(operator_user, password_history=2, must_change_after_reset=True)
    update_user(operator_user, {}, password="second passphrase here", by=operator_user)
    body = {"usr_new_pass": PASSWORD, "usr_cnf_pass": PASSWORD}
    response = client.put(
        f"/api/1.0/workflow/user/{operator_user.uid}", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {issue(app, admin)}"},
    )  # fmt: skip
    assert response.status_code == 400 and "Not one of the last 2 passwords." in response.json()["error"]["message"]
    form = {"password1": "second passphrase here", "password2": "second passphrase here"}
    refused = operator_client.post(f"/admin/workspaces/user/{operator_user.pk}/password/", form)
    assert refused.status_code == 200 and "Not one of the last 2 passwords." in refused.content.decode()
    form = {"password1": "an operator's reset", "password2": "an operator's reset"}
    assert operator_client.post(f"/admin/workspaces/user/{operator_user.pk}/password/", form).status_code == 302
    operator_user.refresh_from_db()
    assert operator_user.must_change_password  # the workspace asks for a change after a reset
