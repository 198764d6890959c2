"""/api/1.0/{ws}/users, /user, /user/{usr_uid} and /light/user/data: ProcessMaker's fields and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from accounts.services import create_user
from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.oauth import bearer, issue
from workspaces.models import Role, User

API = "/api/1.0/workflow"
NEW_USER = {
    "usr_username": "mary",
    "usr_firstname": "Mary",
    "usr_lastname": "Major",
    "usr_email": "mary@example.com",
    "usr_due_date": "2030-12-31",
    "usr_status": "ACTIVE",
    "usr_role": "PROCESSMAKER_OPERATOR",
    "usr_new_pass": "mary's password 1",
    "usr_cnf_pass": "mary's password 1",
}


@pytest.fixture
def api(client: Client, app: RegisteredClient, admin: User) -> Any:
    token = issue(app, admin)

    class Api:
        def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
            data = json.dumps(body) if body is not None and not isinstance(body, bytes | str) else body
            kwargs = {"content_type": "application/json"} if data is not None else {}
            if params:
                return getattr(client, method)(API + path, params, headers=bearer(token))
            return getattr(client, method)(API + path, data, headers=bearer(token), **kwargs)

    return Api()


def make_users(admin: User, count: int) -> None:
    role = admin.workspace.roles.get(code=Role.OPERATOR)
    for number in range(count):
        create_user(admin.workspace, f"user{number:02d}", "a password 123", role=role, first_name=f"First{number:02d}")


def test_list_is_a_bare_array_with_processmaker_fields(api: Any, operator_user: User) -> None:
    response = api.call("get", "/users")
    assert response.status_code == 200 and isinstance(response.json(), list)
    john = next(user for user in response.json() if user["usr_username"] == "JohnDoe")
    assert set(john) == {
        "usr_uid", "usr_username", "usr_firstname", "usr_lastname", "usr_email", "usr_due_date",
        "usr_create_date", "usr_update_date", "usr_status", "usr_role",
    }  # fmt: skip
    assert john["usr_uid"] == operator_user.uid and john["usr_role"] == "PROCESSMAKER_OPERATOR"
    assert "T" in john["usr_create_date"]


def test_pagination_sort_and_filters(api: Any, admin: User) -> None:
    make_users(admin, 12)
    names = [
        u["usr_username"] for u in api.call("get", "/users", start=2, limit=3, sort="usr_username", dir="DESC").json()
    ]
    assert names == ["user09", "user08", "user07"]
    assert [u["usr_username"] for u in api.call("get", "/users", filter="ser1").json()] == ["user10", "user11"]
    assert [u["usr_username"] for u in api.call("get", "/users", lfilter="FIRST0", limit=2).json()] == [
        "user00",
        "user01",
    ]
    assert [u["usr_username"] for u in api.call("get", "/users", rfilter="11").json()] == ["user11"]
    User.objects.filter(username="user03").update(status=User.Status.INACTIVE)
    assert [u["usr_username"] for u in api.call("get", "/users", status="inactive").json()] == ["user03"]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"start": "-1"}, "start"), ({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"), ({"sort": "password"}, "sort"),
     ({"dir": "UP"}, "dir"), ({"status": "GONE"}, "status")],
)  # fmt: skip
def test_bad_list_parameters_are_400(api: Any, params: dict[str, str], field: str) -> None:
    response = api.call("get", "/users", **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400 and field in response.json()["error"]["message"]


def test_a_user_of_another_workspace_is_not_listed_or_found(api: Any, stranger: User) -> None:
    assert stranger.uid not in [u["usr_uid"] for u in api.call("get", "/users").json()]
    assert api.call("get", f"/user/{stranger.uid}").status_code == 404


def test_get_one_user(api: Any, operator_user: User) -> None:
    assert api.call("get", f"/user/{operator_user.uid}").json()["usr_email"] == "john@example.com"
    response = api.call("get", "/user/" + "0" * 32)
    assert response.status_code == 404 and response.json()["error"]["code"] == 404


def test_create_a_user(api: Any, admin: User) -> None:
    response = api.call("post", "/user", {**NEW_USER, "usr_phone": "555-0100", "usr_address": "Main St"})
    assert response.status_code == 201
    created = User.objects.get(uid=response.json()["usr_uid"])
    assert created.workspace == admin.workspace and created.check_password("mary's password 1")
    assert response.json()["usr_due_date"] == "2030-12-31"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"usr_username": "JOHNDOE"}, "usr_username"),
        ({"usr_email": "not-an-email"}, "usr_email"),
        ({"usr_role": "NO_SUCH_ROLE"}, "usr_role"),
        ({"usr_cnf_pass": "different password"}, "usr_cnf_pass"),
        ({"usr_new_pass": "short", "usr_cnf_pass": "short"}, "usr_new_pass"),
        ({"usr_username": 12345}, "usr_username"),
        ({"usr_username": ["a"]}, "usr_username"),
        ({"usr_username": "u" * 101}, "usr_username"),
        ({"usr_firstname": "f" * 5000}, "usr_firstname"),
        ({"usr_due_date": "31/12/2030"}, "usr_due_date"),
        ({"usr_status": "SLEEPING"}, "usr_status"),
        ({"usr_favourite_colour": "blue"}, "usr_favourite_colour"),
    ],
)
def test_bad_user_input_is_400_with_the_error_shape(
    api: Any, operator_user: User, change: dict[str, Any], field: str
) -> None:
    response = api.call("post", "/user", {**NEW_USER, **change})
    assert response.status_code == 400
    assert set(response.json()) == {"error"} and response.json()["error"]["code"] == 400
    assert field in response.json()["error"]["message"]
    assert not User.objects.filter(username="mary").exists()


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"', b"\xff"])
def test_malformed_json_is_400(api: Any, body: bytes) -> None:
    response = api.call("post", "/user", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == 400


def test_update_changes_only_the_fields_given(api: Any, operator_user: User) -> None:
    response = api.call("put", f"/user/{operator_user.uid}", {"usr_firstname": "Johnny"})
    assert response.status_code == 200 and response.json()["usr_firstname"] == "Johnny"
    assert response.json()["usr_lastname"] == "Doe"


def test_setting_a_user_inactive_revokes_their_tokens(api: Any, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    assert api.call("put", f"/user/{operator_user.uid}", {"usr_status": "INACTIVE"}).status_code == 200
    assert not AccessToken.objects.filter(token=token).exists()


def test_delete_removes_the_user_and_their_tokens(api: Any, app: RegisteredClient, operator_user: User) -> None:
    token = issue(app, operator_user)
    assert api.call("delete", f"/user/{operator_user.uid}").status_code == 200
    assert not User.objects.filter(pk=operator_user.pk).exists()
    assert not AccessToken.objects.filter(token=token).exists()


def test_a_user_cannot_delete_themselves(api: Any, admin: User) -> None:
    assert api.call("delete", f"/user/{admin.uid}").status_code == 400
    assert User.objects.filter(pk=admin.pk).exists()


def test_an_unsupported_method_is_405_with_the_error_shape(api: Any) -> None:
    response = api.call("patch", "/users", {})
    assert response.status_code == 405 and response.json()["error"]["code"] == 405


def test_an_unknown_api_path_is_404_with_the_error_shape(api: Any) -> None:
    response = api.call("get", "/no/such/thing")
    assert response.status_code == 404 and response.json() == {"error": {"code": 404, "message": "Not Found"}}


def test_current_user_data(client: Client, app: RegisteredClient, operator_user: User) -> None:
    response = client.get(f"{API}/light/user/data", headers=bearer(issue(app, operator_user, scope="view_process")))
    assert response.json() == {
        "userId": operator_user.uid,
        "userName": "JohnDoe",
        "firstName": "John",
        "lastName": "Doe",
        "fullName": "John Doe",
        "email": "john@example.com",
        "userRole": "PROCESSMAKER_OPERATOR",
    }


def test_a_server_error_has_the_error_shape_too(
    app: RegisteredClient, operator_user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.users import CurrentUserView

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("injected fault")

    monkeypatch.setattr(CurrentUserView, "get", crash)
    client = Client(raise_request_exception=False)
    response = client.get(f"{API}/light/user/data", headers=bearer(issue(app, operator_user)))
    assert response.status_code == 500
    assert response.json() == {"error": {"code": 500, "message": "Internal Server Error"}}
    assert b"injected fault" not in response.content
