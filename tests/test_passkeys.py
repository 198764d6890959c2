"""The passkey endpoints at their boundaries (the ceremonies themselves run in Chromium:
tests/test_browser_passkeys.py): not offered without PM_PUBLIC_URL, nothing for a stranger or another
step, hostile bodies a clear 4xx, and a passkey counting as a factor for the login and the grant."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import Passkey, User, Workspace

BASE = "/sysworkflow/en/neoclassic/login"
ENDPOINTS = [
    "passkey/register/options", "passkey/register", "passkey/options", "passkey/sign-in", "passkey/discover/options",
    "passkey/discover",
]  # fmt: skip


def passkey_for(user: User) -> Passkey:
    return Passkey.objects.create(user=user, credential_id="AAEC", public_key="AAEC")


def log_in(client: Client) -> Any:
    return client.post(f"{BASE}/login", {"username": "johndoe", "password": PASSWORD})


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_stranger_gets_a_clear_refusal(client: Client, operator_user: User, endpoint: str) -> None:
    with override_settings(PM_PUBLIC_URL="https://id.example.com"):
        response = client.post(f"{BASE}/{endpoint}", "{}", content_type="application/json")
    assert response.status_code in (400, 403) and "error" in response.json()


def test_without_pm_public_url_no_passkey_is_offered_or_asked(client: Client, operator_user: User) -> None:
    passkey_for(operator_user)
    assert log_in(client)["Location"] != f"{BASE}/second-factor"  # the passkey is no factor here
    assert client.post(f"{BASE}/passkey/register/options").status_code == 403


@override_settings(PM_PUBLIC_URL="https://id.example.com")
@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"credential": "x"}', b'{"id": 5}', b"\xff\xfe"])
def test_hostile_bodies_are_refused_cleanly(client: Client, operator_user: User, body: bytes) -> None:
    passkey_for(operator_user)
    log_in(client)  # half done: the passkey is asked for
    for endpoint in ("passkey/sign-in",):
        response = client.post(f"{BASE}/{endpoint}", body, content_type="application/json")
        assert response.status_code == 400 and response.json()["error"]
    logged = Client()
    logged.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    response = logged.post(f"{BASE}/passkey/register", body, content_type="application/json")
    assert response.status_code == 400


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_a_passkey_is_a_factor_for_the_login_and_the_password_grant(
    client: Client, operator_user: User, app: RegisteredClient
) -> None:
    passkey_for(operator_user)
    assert log_in(client)["Location"] == f"{BASE}/second-factor"
    assert b"Use a passkey" in client.get(f"{BASE}/second-factor").content
    options = client.post(f"{BASE}/passkey/options")
    assert options.status_code == 200 and options.json()["rpId"] == "id.example.com"
    assert options.json()["allowCredentials"][0]["id"] == "AAEC"
    Workspace.objects.filter(pk=operator_user.workspace_id).update(password_grant_refuses_second_factor=True)
    assert password_grant(Client(), app, "johndoe", PASSWORD).json()["error"] == "invalid_grant"


@override_settings(PM_PUBLIC_URL="https://id.example.com")
@pytest.mark.parametrize(
    "credential",
    [
        {"id": "AAEC", "rawId": "AAEC", "type": "public-key", "response": {}},
        {"id": "AAEC", "rawId": "!!", "type": "public-key",
         "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AA"}},
        {"id": "AAEC", "rawId": "AAEC", "type": "public-key",
         "response": {"clientDataJSON": "bm90IGpzb24", "authenticatorData": "", "signature": ""}},
    ],
)  # fmt: skip
def test_a_forged_assertion_is_refused_and_counted(client: Client, operator_user: User, credential: Any) -> None:
    import json

    passkey_for(operator_user)
    log_in(client)
    client.post(f"{BASE}/passkey/options")
    response = client.post(f"{BASE}/passkey/sign-in", json.dumps(credential), content_type="application/json")
    assert response.status_code == 400 and response.json()["error"].startswith("That passkey was not accepted")


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_removing_a_passkey_takes_a_fresh_code_and_a_reset_removes_them(
    client: Client, operator_user: User, operator_client: Client
) -> None:
    from workspaces import second_factor

    passkey = passkey_for(operator_user)
    codes = second_factor.new_recovery_codes(operator_user)
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    page = client.get(f"{BASE}/security")
    assert b"Passkeys and security keys" in page.content and b"remove_passkey" in page.content
    refused = client.post(f"{BASE}/security", {"action": "remove_passkey", "factor": passkey.pk, "code": "x"})
    assert b"not right" in refused.content and Passkey.objects.filter(pk=passkey.pk).exists()
    client.post(f"{BASE}/security", {"action": "remove_passkey", "factor": passkey.pk, "code": codes[0]})
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    passkey_for(operator_user)
    action = {"action": "reset_second_factors", "_selected_action": [operator_user.pk]}
    operator_client.post("/admin/workspaces/user/", action)
    assert not Passkey.objects.filter(user=operator_user).exists()


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_a_sign_in_by_passkey_alone_is_off_by_default_and_its_failures_count_against_the_address(
    client: Client, operator_user: User
) -> None:
    assert client.post(f"{BASE}/passkey/discover/options").status_code == 403
    assert b"Sign in with a passkey" not in client.get(f"{BASE}/login").content
    Workspace.objects.filter(pk=operator_user.workspace_id).update(passkey_login=True, lockout_threshold=3)
    assert b"Sign in with a passkey" in client.get(f"{BASE}/login").content
    options = client.post(f"{BASE}/passkey/discover/options").json()
    assert options["userVerification"] == "required" and not options.get("allowCredentials")  # no user named
    forged = {"id": "AAEC", "rawId": "AAEC", "type": "public-key", "response": {"userHandle": "AAEC"}}
    for _ in range(2):
        client.post(f"{BASE}/passkey/discover/options")
        answer = client.post(f"{BASE}/passkey/discover", forged, content_type="application/json")
        assert answer.status_code == 400
    throttled = client.post(f"{BASE}/passkey/discover", forged, content_type="application/json")
    assert throttled.status_code == 403 and "Too many failed logins" in throttled.json()["error"]


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_a_half_done_login_reaches_no_passkey_endpoint_of_a_workspace_named_sys_and_its_name(
    client: Client, operator_user: User
) -> None:
    from accounts.services import provision_workspace

    provision_workspace("sysworkflow", "admin", PASSWORD)
    passkey_for(operator_user)
    log_in(client)  # half done in workflow, whose passkey is asked for
    for endpoint in ENDPOINTS:
        response = client.post(f"/syssysworkflow/en/neoclassic/login/{endpoint}", "{}", content_type="application/json")
        assert response.status_code in (400, 403) and "error" in response.json()


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_a_passkey_only_user_adds_an_app_with_a_recovery_code_and_keeps_their_set(
    client: Client, operator_user: User
) -> None:
    """A session taken over cannot add its own app to an account whose only factor is a passkey."""
    import pyotp

    from accounts.security_pages import ENROLLING_KEY
    from tests.test_openid_connect import BACKEND
    from workspaces import second_factor
    from workspaces.models import SecondFactor

    passkey_for(operator_user)
    codes = second_factor.new_recovery_codes(operator_user)
    client.force_login(operator_user, backend=BACKEND)
    page = client.get(f"{BASE}/enrol")
    assert b"One of your recovery codes" in page.content
    app = pyotp.TOTP(client.session[ENROLLING_KEY]["secret"])
    refused = client.post(f"{BASE}/enrol", {"name": "Theirs", "code": app.now()})
    assert b"adding another factor takes a code" in refused.content
    assert not SecondFactor.objects.filter(user=operator_user).exists()
    added = client.post(f"{BASE}/enrol", {"name": "Mine", "code": app.now(), "current_code": codes[0]})
    assert added.status_code == 302 and SecondFactor.objects.get(user=operator_user).name == "Mine"
    assert second_factor.recovery_codes_left(operator_user) == 9  # the set kept, one used


@override_settings(PM_PUBLIC_URL="https://id.example.com")
def test_a_credential_id_already_registered_or_too_long_is_refused_not_a_500(
    client: Client, operator_user: User, admin: User
) -> None:
    """An authenticator chooses its credential ids, so one may answer with another user's or one too
    long (WebAuthn Level 2, 7.1 steps 21 and 22: the ceremony fails). The software authenticator's
    answers verify: a fresh id registers, a taken or an overlong one is refused."""
    from tests.software_authenticator import SoftwareAuthenticator
    from tests.test_openid_connect import BACKEND

    def register(user: User, credential_id: bytes) -> Any:
        browser = Client(raise_request_exception=False)
        browser.force_login(user, backend=BACKEND)
        options = browser.post(f"{BASE}/passkey/register/options").json()
        authenticator = SoftwareAuthenticator(credential_id, "https://id.example.com", "id.example.com")
        body = {"credential": authenticator.register(options), "name": user.username}
        return browser.post(f"{BASE}/passkey/register", body, content_type="application/json")

    assert register(admin, b"taken id").status_code == 200
    assert Passkey.objects.get(credential_id="dGFrZW4gaWQ").user == admin
    for credential_id in (b"taken id", b"x" * 1024):  # taken; longer than WebAuthn allows
        refused = register(operator_user, credential_id)
        assert refused.status_code == 400 and "not accepted" in refused.json()["error"]
    assert not Passkey.objects.filter(user=operator_user).exists()
    assert register(operator_user, b"x" * 1023).status_code == 200
