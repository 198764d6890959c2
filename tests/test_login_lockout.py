"""Login limits: per address first, then per username, on the web login and the password grant alike.

One address may fail `threshold - 1` times per window and is then refused, so it can never lock a
username by itself; `threshold` failures of one username, from any addresses, lock it.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from accounts.services import provision_workspace
from oauth_apps.services import RegisteredClient
from tests.clock import let_pass
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.lockout import Attempt
from workspaces.models import AuditEvent, AuditEventType, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
LOCKED = b"Too many failed logins for this username"
THROTTLED = b"Too many failed logins from your address"


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_web_logins(client: Client, times: int, username: str = "johndoe", first_address: int = 1) -> None:
    """`times` failures, each from its own address, so only the username counter adds up."""
    for number in range(first_address, first_address + times):
        assert log_in(client, username, "wrong", f"10.0.0.{number}").status_code == 200


def test_ten_failures_lock_the_username_even_for_the_right_password(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 10)
    response = log_in(client, "JohnDoe", PASSWORD, "10.0.1.1")
    assert response.status_code == 200 and LOCKED in response.content


def test_nine_failures_then_success_resets_the_count(client: Client, operator_user: User) -> None:
    fail_web_logins(client, 9)
    assert log_in(client, "johndoe", PASSWORD, "10.0.1.1").status_code == 302
    client.post(f"{LOGIN[:-5]}logout")
    fail_web_logins(client, 9, first_address=20)
    assert log_in(client, "johndoe", PASSWORD, "10.0.1.2").status_code == 302


def test_the_lock_ends_after_its_duration(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(lockout_duration=600)
    fail_web_logins(client, 10)
    assert LOCKED in log_in(client, "johndoe", PASSWORD, "10.0.1.1").content
    let_pass(599)
    assert LOCKED in log_in(client, "johndoe", PASSWORD, "10.0.1.1").content
    let_pass(2)
    assert log_in(client, "johndoe", PASSWORD, "10.0.1.1").status_code == 302


def test_failures_older_than_the_window_do_not_count(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(lockout_window=300)
    fail_web_logins(client, 9)
    let_pass(301)
    fail_web_logins(client, 1, first_address=50)
    assert log_in(client, "johndoe", PASSWORD, "10.0.1.1").status_code == 302


def test_the_workspace_threshold_applies(client: Client, operator_user: User) -> None:
    Workspace.objects.filter(pk=operator_user.workspace_id).update(lockout_threshold=3)
    fail_web_logins(client, 3)
    assert LOCKED in log_in(client, "johndoe", PASSWORD, "10.0.1.1").content


def test_unknown_usernames_are_locked_too(client: Client, workspace: Workspace) -> None:
    fail_web_logins(client, 10, username="ghost")
    assert LOCKED in log_in(client, "ghost", "x", "10.0.1.1").content


def test_a_lock_in_one_workspace_does_not_lock_another(client: Client, operator_user: User, stranger: User) -> None:
    fail_web_logins(client, 10, username="stranger")
    response = client.post(
        "/sysother/en/neoclassic/login/login", {"username": "stranger", "password": PASSWORD}, REMOTE_ADDR="10.0.1.1"
    )
    assert response.status_code == 302


def test_password_grant_failures_count_and_the_lock_applies_there(app: RegisteredClient, operator_user: User) -> None:
    for number in range(10):
        client = Client(REMOTE_ADDR=f"10.0.2.{number}")
        assert password_grant(client, app, "johndoe", "wrong").json()["error"] == "invalid_grant"
    assert password_grant(Client(REMOTE_ADDR="10.0.3.1"), app, "johndoe", PASSWORD).json() == {
        "error": "invalid_grant",
        "error_description": "Too many failed logins: this username is locked for up to 15 minutes",
    }
    assert LOCKED in log_in(Client(), "johndoe", PASSWORD, "10.0.3.2").content


def test_one_address_is_throttled_before_it_can_lock_a_username(client: Client, operator_user: User) -> None:
    for _ in range(9):
        assert log_in(client, "johndoe", "wrong").status_code == 200
    assert THROTTLED in log_in(client, "johndoe", PASSWORD).content
    # The stranger at 127.0.0.1 did not lock johndoe out: from elsewhere the right password works.
    assert log_in(client, "johndoe", PASSWORD, "10.0.4.1").status_code == 302


def test_the_password_grant_throttles_an_address_too(app: RegisteredClient, operator_user: User) -> None:
    client = Client()
    for _ in range(9):
        password_grant(client, app, "johndoe", "wrong")
    assert password_grant(client, app, "johndoe", PASSWORD).json() == {
        "error": "invalid_grant",
        "error_description": "Too many failed logins from this address: try again in up to 15 minutes",
    }


def test_successes_do_not_count_against_the_address(client: Client, operator_user: User) -> None:
    for _ in range(12):
        assert log_in(client, "johndoe", PASSWORD).status_code == 302
        client.post(f"{LOGIN[:-5]}logout")


def logins_in_flight(workspace: Workspace, pairs: list[tuple[str, str]]) -> list[Attempt]:
    """Logins (username, address) counted and still having their passwords checked, as on other
    workers or nodes while the requests below are made."""
    attempts = [
        Attempt(workspace, username, address, "password grant", User.objects.find_in_workspace(workspace, username))
        for username, address in pairs
    ]
    for attempt in attempts:
        attempt.begin()
    return attempts


def test_a_burst_of_correct_logins_from_one_address_throttles_it_for_a_moment_only(
    client: Client, workspace: Workspace, operator_user: User
) -> None:
    """A portal logs its users in from one server: nine logins being checked fill its address's
    allowance, so a tenth is refused unchecked; once they succeed the address is free again."""
    in_flight = logins_in_flight(workspace, [(f"portal-user-{number}", "10.0.7.1") for number in range(9)])
    assert THROTTLED in log_in(client, "johndoe", PASSWORD, "10.0.7.1").content
    for attempt in in_flight:
        attempt.succeeded()
    assert log_in(client, "johndoe", PASSWORD, "10.0.7.1").status_code == 302
    assert not AuditEvent.objects.filter(event_type=AuditEventType.ADDRESS_THROTTLED).exists()


def test_a_burst_of_correct_logins_of_one_username_locks_it_for_a_moment_only(
    client: Client, workspace: Workspace, operator_user: User
) -> None:
    """A service account logged in by many workers at once: the eleventh is refused unchecked, and
    the account is not locked."""
    in_flight = logins_in_flight(workspace, [("johndoe", f"10.0.8.{number}") for number in range(10)])
    assert LOCKED in log_in(client, "johndoe", PASSWORD, "10.0.8.99").content
    for attempt in in_flight:
        attempt.succeeded()
    assert log_in(client, "johndoe", PASSWORD, "10.0.8.99").status_code == 302
    assert not AuditEvent.objects.filter(event_type=AuditEventType.USERNAME_LOCKED).exists()


def test_logins_in_flight_in_one_workspace_leave_its_sys_lookalike_alone(
    client: Client, workspace: Workspace, operator_user: User
) -> None:
    """Counters are per workspace: a workspace named "sys" + another's name shares none of them."""
    provision_workspace("sysworkflow", "admin", PASSWORD)
    in_flight = logins_in_flight(workspace, [("admin", "10.0.7.4") for _ in range(9)])
    assert THROTTLED in log_in(client, "admin", PASSWORD, "10.0.7.4").content
    lookalike = client.post(
        "/syssysworkflow/en/neoclassic/login/login", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.7.4"
    )
    assert lookalike.status_code == 302
    for attempt in in_flight:
        attempt.failed()
    assert THROTTLED in log_in(client, "admin", PASSWORD, "10.0.7.4").content
    client.post("/syssysworkflow/en/neoclassic/login/logout")
    lookalike = client.post(
        "/syssysworkflow/en/neoclassic/login/login", {"username": "admin", "password": PASSWORD}, REMOTE_ADDR="10.0.7.4"
    )
    assert lookalike.status_code == 302


def test_an_attempt_refused_unchecked_does_not_count(client: Client, workspace: Workspace, operator_user: User) -> None:
    in_flight = logins_in_flight(workspace, [(f"portal-user-{number}", "10.0.7.2") for number in range(9)])
    for _ in range(5):
        assert THROTTLED in log_in(client, "johndoe", "wrong", "10.0.7.2").content
    for attempt in in_flight:
        attempt.succeeded()
    for _ in range(8):  # the address's 9 failures are all still there to use
        assert log_in(client, "johndoe", "wrong", "10.0.7.2").status_code == 200
    assert log_in(client, "johndoe", PASSWORD, "10.0.7.2").status_code == 302


def test_failures_still_in_flight_throttle_the_address_once_they_fail(
    client: Client, workspace: Workspace, operator_user: User
) -> None:
    in_flight = logins_in_flight(workspace, [(f"guess-{number}", "10.0.7.3") for number in range(9)])
    for attempt in in_flight:
        attempt.failed()
    assert THROTTLED in log_in(client, "johndoe", PASSWORD, "10.0.7.3").content
    assert AuditEvent.objects.filter(event_type=AuditEventType.ADDRESS_THROTTLED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_twelve_concurrent_guesses_check_at_most_ten_passwords(app: RegisteredClient, operator_user: User) -> None:
    """Each guess is counted before its password is checked, so racing guesses cannot overshoot."""
    barrier = threading.Barrier(12)
    results: list[str] = []

    def guess(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = password_grant(Client(REMOTE_ADDR=f"10.0.5.{number}"), app, "johndoe", "wrong")
            results.append(response.json()["error_description"])
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(number,)) for number in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 12
    assert results.count("Invalid username and password combination") <= 10, results
    assert results.count("Too many failed logins: this username is locked for up to 15 minutes") >= 2, results


def test_behind_the_trusted_proxy_each_client_is_counted_under_its_own_address(
    settings: Any, operator_user: User
) -> None:
    """Without PM_TRUSTED_PROXY every request via nginx would come from one address and the first
    nine failures anywhere would throttle everybody."""
    settings.PM_TRUSTED_PROXY = ["127.0.0.1"]
    proxy = Client()  # REMOTE_ADDR 127.0.0.1, the proxy
    for number in range(9):
        proxy.post(LOGIN, {"username": "johndoe", "password": "wrong"}, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    response = proxy.post(LOGIN, {"username": "johndoe", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 302
    blocked = proxy.post(LOGIN, {"username": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert THROTTLED not in blocked.content  # 203.0.113.1 failed once, not nine times
