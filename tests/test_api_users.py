"""/api/1.0/{ws}/users, /user, /user/{usr_uid} and /light/user/data: ProcessMaker's fields and errors."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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
    "usr_new_pass": "a password of hers 1",
    "usr_cnf_pass": "a password of hers 1",
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
        "usr_create_date", "usr_update_date", "usr_status", "usr_country", "usr_city", "usr_location",
        "usr_address", "usr_phone", "usr_fax", "usr_cellular", "usr_zip_code", "dep_uid", "usr_position",
        "usr_birthday", "usr_role", "usr_reports_to", "usr_replaced_by", "usr_calendar", "usr_calendar_uid",
        "usr_ux", "usr_cost_by_hour", "usr_unit_cost", "usr_time_zone", "usr_default_lang", "usr_logged_next_time",
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
    [({"start": "-1"}, "start"), ({"start": "b"}, "start"), ({"start": "0.1"}, "start"), ({"limit": "-1"}, "limit"),
     ({"limit": "x"}, "limit"), ({"limit": "1.4599"}, "limit"), ({"sort": "password"}, "sort"), ({"dir": "UP"}, "dir"),
     ({"status": "GONE"}, "status")],
)  # fmt: skip
def test_bad_list_parameters_are_400(api: Any, params: dict[str, str], field: str) -> None:
    response = api.call("get", "/users", **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 400 and field in response.json()["error"]["message"]


def test_a_user_of_another_workspace_is_not_listed_or_found(api: Any, stranger: User) -> None:
    assert stranger.uid not in [u["usr_uid"] for u in api.call("get", "/users").json()]
    for method in ("get", "put", "delete"):
        response = api.call(method, f"/user/{stranger.uid}", {"usr_firstname": "Hacked"} if method == "put" else None)
        assert response.status_code == 400 and "does not exist" in response.json()["error"]["message"]
    stranger.refresh_from_db()
    assert stranger.first_name != "Hacked"


def test_get_one_user(api: Any, operator_user: User) -> None:
    assert api.call("get", f"/user/{operator_user.uid}").json()["usr_email"] == "john@example.com"
    # ProcessMaker answers 400 for a user that does not exist, whatever the shape of the uid.
    for uid in ("0" * 32, "not-a-uid", "X" * 200):
        response = api.call("get", "/user/" + uid)
        assert response.status_code == 400 and response.json()["error"]["code"] == 400
        assert "does not exist" in response.json()["error"]["message"]


def test_create_a_user(api: Any, admin: User) -> None:
    response = api.call("post", "/user", {**NEW_USER, "usr_phone": "555-0100", "usr_address": "Main St"})
    assert response.status_code == 201
    created = User.objects.get(uid=response.json()["usr_uid"])
    assert created.workspace == admin.workspace and created.check_password("a password of hers 1")
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


def many_users(admin: User, count: int) -> None:
    """`count` more users, fast (no password hashing), with few distinct due dates and some none, so
    pages meet ties and NULLs at their edges."""
    role = admin.workspace.roles.get(code=Role.OPERATOR)
    days = [None, datetime.date(2030, 1, 1), datetime.date(2031, 1, 1)]
    User.objects.bulk_create(
        User(
            workspace=admin.workspace, username=f"bulk{number:05d}", username_folded=f"bulk{number:05d}",
            role=role, password="!", due_date=days[number % 3],
        )
        for number in range(count)
    )  # fmt: skip


def read_all(response: Any) -> list[dict[str, Any]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    users: list[dict[str, Any]] = json.loads(content)
    return users


def test_a_large_limit_is_honoured_and_streamed_a_chunk_at_a_time(api: Any, admin: User) -> None:
    many_users(admin, 1205)
    total = User.objects.filter(workspace=admin.workspace).count()
    with CaptureQueriesContext(connection) as queries:
        response = api.call("get", "/users", limit=10000)
        everyone = read_all(response)
    assert response.status_code == 200 and response.streaming
    assert len(everyone) == total and len({user["usr_uid"] for user in everyone}) == total
    names = [user["usr_username"].casefold() for user in everyone]
    assert names == sorted(names)
    reads = [q["sql"] for q in queries.captured_queries if "FROM" in q["sql"] and "workspaces_user" in q["sql"]]
    assert len(reads) >= 3, "the users were read in one go instead of a chunk at a time"

    middle = read_all(api.call("get", "/users", start=10, limit=1000))
    assert [user["usr_uid"] for user in middle] == [user["usr_uid"] for user in everyone[10:1010]]
    backwards = read_all(api.call("get", "/users", dir="DESC"))
    assert [user["usr_uid"] for user in backwards] == [user["usr_uid"] for user in reversed(everyone)]


def test_pages_by_due_date_neither_repeat_nor_skip_across_ties_and_empty_dates(api: Any, admin: User) -> None:
    many_users(admin, 1205)
    by_date = read_all(api.call("get", "/users", sort="usr_due_date"))
    assert len({user["usr_uid"] for user in by_date}) == len(by_date) == User.objects.count()
    days = [user["usr_due_date"] or "9999-12-31" for user in by_date]
    assert days == sorted(days)  # no due date: never ends, so last
    descending = read_all(api.call("get", "/users", sort="usr_due_date", dir="DESC"))
    assert sorted(user["usr_uid"] for user in descending) == sorted(user["usr_uid"] for user in by_date)
    assert [user["usr_due_date"] or "9999-12-31" for user in descending] == sorted(days, reverse=True)


def test_limit_zero_answers_an_empty_list_without_reading_users(api: Any, admin: User) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = api.call("get", "/users", limit=0, filter="a")
    assert response.status_code == 200 and response.json() == []
    lists = [
        q["sql"] for q in queries.captured_queries if "workspaces_user" in q["sql"] and "ACCESS_TOKEN" not in q["sql"]
    ]
    assert lists == []
