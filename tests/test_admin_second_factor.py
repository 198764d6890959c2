"""The Django admin's second factor for site operators (PM_ADMIN_SECOND_FACTOR), in the admin's own
session: optional by default (asked of operators who added one), required (enrolled at the next
login), off; nothing of the admin is reachable with the password alone when a factor is owed."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pyotp
from django.test import Client, override_settings

from tests.conftest import admin_session
from workspaces.models import SecondFactor, User

OPERATOR_PASSWORD = "operator password 1"


def admin_login(client: Client) -> str:
    response = client.post("/admin/login/", {"username": "root", "password": OPERATOR_PASSWORD, "next": "/admin/"})
    assert response.status_code == 302, response.content[:500]
    return str(response["Location"])


def admin_reachable(client: Client) -> bool:
    return client.get("/admin/workspaces/workspace/").status_code == 200


def enrol_through_the_page(client: Client) -> pyotp.TOTP:
    page = client.get("/admin/second-factor/enrol/")
    assert page.status_code == 200 and b"<svg" in page.content
    app = pyotp.TOTP(admin_session(client)["_pm_enrolling"]["secret"])
    shown = client.post("/admin/second-factor/enrol/", {"name": "Operator phone", "code": app.now()})
    assert shown.status_code == 200 and len(shown.context["codes"]) == 10
    return app


def test_an_operator_adds_a_factor_and_is_asked_for_a_code_at_the_next_login(client: Client, db: None) -> None:
    User.objects.create_superuser("root", OPERATOR_PASSWORD)
    assert admin_login(client) == "/admin/" and admin_reachable(client)  # optional: none yet, none asked
    app = enrol_through_the_page(client)
    assert SecondFactor.objects.get(user__username="root").name == "Operator phone"
    again = Client()
    assert admin_login(again) == "/admin/second-factor/"
    assert not admin_reachable(again)  # the password alone opens nothing
    assert again.get("/admin/login/")["Location"] == "/admin/second-factor/"
    assert b"not right" in again.post("/admin/second-factor/", {"code": "000000"}).content
    assert again.post("/admin/second-factor/", {"code": app.at(time.time() + 30)})["Location"] == "/admin/"
    assert admin_reachable(again)


def test_the_code_step_keeps_where_the_operator_was_going_query_and_all(client: Client, db: None) -> None:
    User.objects.create_superuser("root", OPERATOR_PASSWORD)
    admin_login(client)
    app = enrol_through_the_page(client)
    going = "/admin/workspaces/workspace/?o=1&q=ab"
    again = Client()
    login = f"/admin/login/?{urlencode({'next': going})}"
    step = again.post(login, {"username": "root", "password": OPERATOR_PASSWORD})
    assert step["Location"] == f"/admin/second-factor/?{urlencode({'next': going})}"
    assert again.post(step["Location"], {"code": app.at(time.time() + 30)})["Location"] == going


@override_settings(PM_ADMIN_SECOND_FACTOR="required")
def test_required_makes_an_operator_enrol_at_the_next_login(client: Client, db: None) -> None:
    User.objects.create_superuser("root", OPERATOR_PASSWORD)
    assert admin_login(client) == "/admin/second-factor/enrol/"
    assert not admin_reachable(client)
    assert client.get("/admin/second-factor/").status_code == 302  # the code step is not theirs yet
    enrol_through_the_page(client)
    assert admin_reachable(client)


@override_settings(PM_ADMIN_SECOND_FACTOR="off")
def test_off_asks_no_operator_for_a_code(client: Client, db: None) -> None:
    operator = User.objects.create_superuser("root", OPERATOR_PASSWORD)
    SecondFactor.objects.create(user=operator, secret=pyotp.random_base32(32))
    assert admin_login(client) == "/admin/" and admin_reachable(client)
    assert client.get("/admin/second-factor/enrol/").status_code == 302  # nothing offered


def test_a_workspace_user_reaches_none_of_the_admins_second_factor_pages(client: Client, operator_user: User) -> None:
    client.force_login(operator_user, backend="workspaces.backends.WorkspaceBackend")
    for page in ("/admin/second-factor/", "/admin/second-factor/enrol/"):
        assert client.get(page)["Location"].startswith("/admin/login/")


def test_an_operator_manages_their_own_factor_in_the_admin(client: Client, db: None) -> None:
    User.objects.create_superuser("root", OPERATOR_PASSWORD)
    admin_login(client)
    index = client.get("/admin/")
    assert b'href="/admin/second-factor/security/"' in index.content  # linked beside "Change password"
    app = enrol_through_the_page(client)
    page = client.get("/admin/second-factor/security/")
    assert page.status_code == 200 and b"Operator phone" in page.content
    factor = SecondFactor.objects.get(user__username="root")
    refused = client.post("/admin/second-factor/security/", {"action": "remove", "factor": factor.pk, "code": "1"})
    assert b"not right" in refused.content and SecondFactor.objects.filter(pk=factor.pk).exists()
    client.post(
        "/admin/second-factor/security/", {"action": "remove", "factor": factor.pk, "code": app.at(time.time() + 30)}
    )
    assert not SecondFactor.objects.filter(pk=factor.pk).exists()
    assert admin_login(Client()) == "/admin/"  # no code asked any more
