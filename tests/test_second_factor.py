"""A second factor at the web login: authenticator apps (codes computed here by pyotp, an independent
RFC 6238 implementation, at the test's clock) and recovery codes; the workspace's policy; the second
step's limits; the password grant's setting; the pages' boundaries."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pyotp
import pytest
from django.db import connection
from django.test import Client

from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient, register_application
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces import second_factor
from workspaces.models import AuditEvent, AuditEventType, RecoveryCode, SecondFactor, User, Workspace

BASE = "/sysworkflow/en/neoclassic"
LOGIN, STEP, ENROL, SECURITY = (
    f"{BASE}/login/login",
    f"{BASE}/login/second-factor",
    f"{BASE}/login/enrol",
    f"{BASE}/login/security",
)
AUTHORIZED = f"{BASE}/oauth2/authorized"
CALLBACK = "https://client.example/cb"


def settings_of(user: User, **values: Any) -> None:
    Workspace.objects.filter(pk=user.workspace_id).update(**values)


def log_in(client: Client, next_url: str = "", address: str = "127.0.0.1") -> Any:
    path = f"{LOGIN}?u={quote(next_url, safe='')}" if next_url else LOGIN
    return client.post(path, {"username": "johndoe", "password": PASSWORD}, REMOTE_ADDR=address)


def is_logged_in(client: Client) -> bool:
    return client.get(AUTHORIZED).status_code == 200


def enrolled(user: User, secret: str | None = None) -> pyotp.TOTP:
    """A factor for `user`, as the enrolment page leaves it; the app that holds it."""
    secret = secret or second_factor.new_secret()
    SecondFactor.objects.create(user=user, secret=secret)
    return pyotp.TOTP(secret)


def a_step_ago(app: pyotp.TOTP) -> str:
    return app.at(time.time() - 30)


def test_our_codes_are_rfc_6238s() -> None:
    secret = second_factor.new_secret()
    assert len(secret) == 32  # 160 bits
    for moment in (0, 59, 1111111109, time.time()):
        assert second_factor.code_at(secret, int(moment // 30)) == pyotp.TOTP(secret).at(moment)


def test_enrolling_through_the_pages_shows_recovery_codes_once_and_keeps_the_secret_encrypted(
    client: Client, operator_user: User
) -> None:
    log_in(client)
    page = client.get(ENROL)
    assert page.status_code == 200 and b"<svg" in page.content and b'autocomplete="one-time-code"' in page.content
    secret = client.session["_pm_enrolling"]["secret"]
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)).encode() in page.content
    assert b"That code is not right." in client.post(ENROL, {"name": "Phone", "code": "000000"}).content
    shown = client.post(ENROL, {"name": "Phone", "code": pyotp.TOTP(secret).now()})
    assert shown.status_code == 200 and b"shown only this once" in shown.content
    assert len(shown.context["codes"]) == 10 and RecoveryCode.objects.filter(user=operator_user).count() == 10
    factor = SecondFactor.objects.get(user=operator_user)
    assert factor.name == "Phone" and factor.secret == secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM workspaces_secondfactor WHERE id = %s", [factor.pk])
        assert secret not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(event_type=AuditEventType.SECOND_FACTOR_ENROLLED, target_user=operator_user)


def test_the_second_step_comes_after_the_password_and_a_code_works_once(
    client: Client, operator_user: User, admin: User
) -> None:
    web_app = register_application(admin.workspace, admin, name="Web", website="", callback=CALLBACK)
    app = enrolled(operator_user)
    going = f"/workflow/oauth2/authorize?response_type=code&client_id={web_app.application.client_id}"
    response = log_in(client, going)
    assert response["Location"] == STEP
    assert not is_logged_in(client) and client.get(going)["Location"].startswith(LOGIN)  # nothing granted
    assert b'inputmode="numeric"' in client.get(STEP).content
    code = app.now()
    done = client.post(STEP, {"code": code})
    assert done.status_code == 302 and done["Location"] == going
    assert is_logged_in(client) and client.session["_pm_amr"] == ["pwd", "otp", "mfa"]
    again = Client()
    log_in(again)
    assert b"That code is not right." in again.post(STEP, {"code": code}).content  # used once, on any node


def test_a_code_of_the_previous_step_is_accepted(client: Client, operator_user: User) -> None:
    app = enrolled(operator_user)
    log_in(client)
    assert client.post(STEP, {"code": a_step_ago(app)}).status_code == 302


def test_a_recovery_code_works_once_in_place_of_a_code(client: Client, operator_user: User) -> None:
    enrolled(operator_user)
    codes = second_factor.new_recovery_codes(operator_user)
    log_in(client)
    assert client.post(STEP, {"code": codes[3].upper()}).status_code == 302
    other = Client()
    log_in(other)
    assert b"That code is not right." in other.post(STEP, {"code": codes[3]}).content
    assert second_factor.recovery_codes_left(operator_user) == 9
    assert AuditEvent.objects.filter(event_type=AuditEventType.RECOVERY_CODE_USED, extra__left=9).exists()


def test_five_wrong_codes_lock_the_step_and_count_against_the_address(
    client: Client, operator_user: User, admin: User
) -> None:
    app = enrolled(operator_user)
    log_in(client, address="10.0.0.1")
    for number in range(5):
        answer = client.post(STEP, {"code": "123456"}, REMOTE_ADDR=f"10.0.1.{number}").content
        assert (b"locked" if number == 4 else b"not right") in answer  # the fifth failure locks the step
    locked = client.post(STEP, {"code": app.now()})
    assert b"locked" in locked.content and not is_logged_in(client)
    assert AuditEvent.objects.filter(event_type=AuditEventType.SECOND_FACTOR_LOCKED, target_user=operator_user)
    # The address's failures are shared with password failures.
    settings_of(operator_user, lockout_threshold=3)
    enrolled(admin)
    fresh = Client()
    fresh.post(LOGIN, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1")
    for _ in range(2):
        fresh.post(STEP, {"code": "654321"}, REMOTE_ADDR="10.0.2.1")
    refused = fresh.post(LOGIN, {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.2.1")
    assert b"Too many failed logins from your address" in refused.content


def test_attempts_sent_in_parallel_cannot_outrun_the_limit(
    operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:  # fmt: skip
    """Twenty guesses, each arriving while the ones before it are still being checked: each is counted
    before its code is, so only the first five are ever checked."""
    enrolled(operator_user)
    checked: list[str] = []
    sent = iter(f"{number:06d}" for number in range(20))
    real_use_code = second_factor.use_code

    def use_code(user: User, code: str, now: float | None = None) -> Any:
        checked.append(code)
        following = next(sent, None)
        if following is not None:  # arrives now, before this one's failure is known
            second_factor.check(operator_user, following, "10.0.3.1")
        return real_use_code(user, code, now)

    monkeypatch.setattr(second_factor, "use_code", use_code)
    assert not second_factor.check(operator_user, "999999", "10.0.3.1")
    assert len(checked) == second_factor.FAILURES_ALLOWED
    assert second_factor.is_locked(operator_user)


def test_a_required_factor_is_enrolled_right_after_the_password_then_the_login_goes_on(
    client: Client, operator_user: User
) -> None:
    settings_of(operator_user, second_factor="required", second_factor_roles=["PROCESSMAKER_OPERATOR"])
    User.objects.filter(pk=operator_user.pk).update(must_change_password=True)
    assert log_in(client, AUTHORIZED)["Location"] == ENROL
    assert client.get(f"{BASE}/login/password")["Location"] == ENROL  # the steps keep their order
    secret = (client.get(ENROL), client.session["_pm_enrolling"]["secret"])[1]
    codes_page = client.post(ENROL, {"code": pyotp.TOTP(secret).now()})
    assert codes_page.context["onward"] == f"{BASE}/login/password"
    changed = client.post(
        f"{BASE}/login/password", {"new_password1": "a brand new one", "new_password2": "a brand new one"}
    )
    assert changed["Location"] == AUTHORIZED and is_logged_in(client)


def test_required_for_other_roles_only_asks_nothing_of_this_user(client: Client, operator_user: User) -> None:
    settings_of(operator_user, second_factor="required", second_factor_roles=["PROCESSMAKER_ADMIN"])
    assert log_in(client)["Location"] != ENROL and is_logged_in(client)


def test_off_asks_for_no_factor_and_offers_none(client: Client, operator_user: User) -> None:
    enrolled(operator_user)
    settings_of(operator_user, second_factor="off")
    assert log_in(client)["Location"] != STEP and is_logged_in(client)
    assert client.get(ENROL).status_code == 302


def test_the_password_grant_serves_users_with_a_factor_unless_the_workspace_refuses(
    operator_user: User, app: RegisteredClient
) -> None:
    enrolled(operator_user)
    assert "access_token" in password_grant(Client(), app, "johndoe", PASSWORD).json()
    settings_of(operator_user, password_grant_refuses_second_factor=True)
    assert password_grant(Client(), app, "johndoe", PASSWORD).json() == {
        "error": "invalid_grant",
        "error_description": "This account uses a second factor: sign in through the code or device flow",
    }


def test_removing_a_factor_needs_a_fresh_code(client: Client, operator_user: User) -> None:
    app = enrolled(operator_user)
    factor = SecondFactor.objects.get(user=operator_user)
    log_in(client)
    client.post(STEP, {"code": a_step_ago(app)})
    page = client.get(SECURITY)
    assert b"Authenticator app" in page.content
    refused = client.post(SECURITY, {"action": "remove", "factor": factor.pk, "code": "000000"})
    assert b"That code is not right." in refused.content and SecondFactor.objects.filter(pk=factor.pk).exists()
    client.post(SECURITY, {"action": "remove", "factor": factor.pk, "code": app.now()})
    assert not SecondFactor.objects.filter(pk=factor.pk).exists()
    assert AuditEvent.objects.filter(event_type=AuditEventType.SECOND_FACTOR_REMOVED, target_user=operator_user)


@pytest.mark.parametrize("body", [{"action": "remove", "factor": "x" * 50}, {"action": "nope"}, {"factor": "-1"}])
def test_hostile_security_requests_change_nothing(client: Client, operator_user: User, body: dict[str, str]) -> None:
    enrolled(operator_user)
    settings_of(operator_user, second_factor="off")
    log_in(client)
    settings_of(operator_user, second_factor="optional")
    response = client.post(SECURITY, {**body, "code": "123456"})
    assert response.status_code == 200 and SecondFactor.objects.filter(user=operator_user).count() == 1


def test_a_stranger_and_another_workspace_reach_none_of_the_pages(
    client: Client, operator_user: User, stranger: User
) -> None:
    enrolled(operator_user)
    for page in (STEP, ENROL, SECURITY):
        assert client.get(page)["Location"].startswith(LOGIN)
    log_in(client)  # half done in workflow...
    assert client.get("/sysother/en/neoclassic/login/second-factor")["Location"].startswith("/sysother/")
    assert not AccessToken.objects.filter(user=operator_user).exists()


def test_an_administrators_reset_removes_the_factors_and_ends_the_users_web_sessions(
    client: Client, operator_user: User, operator_client: Client, app: RegisteredClient
) -> None:
    from tests.oauth import issue

    issue(app, operator_user)
    enrolled(operator_user)
    second_factor.new_recovery_codes(operator_user)
    log_in(client)
    client.post(STEP, {"code": pyotp.TOTP(SecondFactor.objects.get(user=operator_user).secret).now()})
    assert is_logged_in(client)
    page = operator_client.get(f"/admin/workspaces/user/{operator_user.pk}/change/")
    assert page.status_code == 200 and SecondFactor.objects.get(user=operator_user).secret.encode() not in page.content
    operator_client.post(
        "/admin/workspaces/user/", {"action": "reset_second_factors", "_selected_action": [operator_user.pk]}
    )
    assert not SecondFactor.objects.filter(user=operator_user).exists()
    assert not RecoveryCode.objects.filter(user=operator_user).exists()
    assert not is_logged_in(client)  # their web session ended...
    assert (
        AccessToken.objects.filter(token_checksum__isnull=False, user=operator_user).count() >= 1
    )  # ...not their tokens
    assert AuditEvent.objects.filter(event_type=AuditEventType.SECOND_FACTORS_RESET, target_user=operator_user)
    assert log_in(Client())["Location"] != STEP  # the next login asks for no code


def test_a_reset_removes_what_a_user_holds_even_where_the_second_factor_is_now_off(
    operator_user: User, operator_client: Client
) -> None:
    enrolled(operator_user)
    second_factor.new_recovery_codes(operator_user)
    settings_of(operator_user, second_factor="off")  # the app is no longer asked for, but it is still there
    operator_client.post(
        "/admin/workspaces/user/", {"action": "reset_second_factors", "_selected_action": [operator_user.pk]}
    )
    assert not SecondFactor.objects.filter(user=operator_user).exists()
    assert not RecoveryCode.objects.filter(user=operator_user).exists()


def test_turning_required_on_ends_the_sessions_of_those_without_a_factor(
    client: Client, operator_user: User, admin: User
) -> None:
    from accounts.workspace_changes import change_settings

    log_in(client)
    assert is_logged_in(client)
    change_settings(operator_user.workspace, {"second_factor": "required"})
    assert not is_logged_in(client)
    assert log_in(Client())["Location"] == ENROL


def test_adding_another_app_takes_a_code_of_the_one_the_user_has(client: Client, operator_user: User) -> None:
    app = enrolled(operator_user)
    log_in(client)
    client.post(STEP, {"code": a_step_ago(app)})
    client.get(ENROL)
    new_app = pyotp.TOTP(client.session["_pm_enrolling"]["secret"])
    refused = client.post(ENROL, {"code": new_app.now(), "current_code": "000000"})
    assert b"adding another factor takes a code of an app you have" in refused.content
    assert SecondFactor.objects.filter(user=operator_user).count() == 1
    added = client.post(ENROL, {"name": "Tablet", "code": new_app.now(), "current_code": app.now()})
    assert added.status_code == 302 and SecondFactor.objects.filter(user=operator_user).count() == 2


def test_a_workspace_named_sys_and_another_ones_name_and_another_users_factor_reach_nothing(
    client: Client, operator_user: User, admin: User
) -> None:
    from accounts.services import provision_workspace

    provision_workspace("sysworkflow", "admin", PASSWORD)
    app = enrolled(operator_user)
    enrolled(admin)
    theirs = SecondFactor.objects.get(user=admin)
    log_in(client)  # half done in workflow
    for page in ("second-factor", "enrol", "security"):
        answer = client.get(f"/syssysworkflow/en/neoclassic/login/{page}")
        assert answer.status_code == 302 and answer["Location"].startswith("/syssysworkflow/en/neoclassic/login/login")
    client.post(STEP, {"code": app.now()})
    assert client.get("/syssysworkflow/en/neoclassic/login/security")["Location"].startswith("/syssysworkflow/")
    # Another user's factor, named by its id on one's own page: refused, theirs untouched.
    refused = client.post(SECURITY, {"action": "remove", "factor": theirs.pk, "code": a_step_ago(app)})
    assert b"the page was out of date" in refused.content and SecondFactor.objects.filter(pk=theirs.pk).exists()
