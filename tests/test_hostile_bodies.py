"""Bodies an attacker sends on purpose get a clear error, never a 500: lone surrogates, JSON nested
past Python's recursion limit, and a dozen concurrent creations of one name."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import new_user_body
from tests.oauth import bearer, issue
from workspaces.models import User

API = "/api/1.0/workflow"
LONE_SURROGATE = b'{"grant_type":"password","client_id":"\\ud800","client_secret":"x","username":"a","password":"b"}'
DEEP = b'{"grant_type":' + b"[" * 1100 + b"]" * 1100 + b"}"


@pytest.mark.parametrize("path", ["/workflow/oauth2/token", "/workflow/oauth2/revoke"])
@pytest.mark.parametrize("body", [LONE_SURROGATE, DEEP], ids=["lone-surrogate", "deep"])
def test_the_token_and_revoke_endpoints_answer_hostile_json_with_an_oauth_error(
    client: Client, app: RegisteredClient, path: str, body: bytes
) -> None:
    response = client.post(path, body, content_type="application/json")
    # ProcessMaker's error mode at the token endpoint; RFC 7009's statuses at revoke, in every mode.
    assert response.status_code == (200 if path.endswith("token") else 400)
    assert set(response.json()) == {"error", "error_description"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/user", DEEP),
        ("post", "/project", DEEP),
        ("put", "/user/{uid}", b'{"usr_status": "\\ud800"}'),
        ("put", "/user/{uid}", b'{"usr_firstname": "\\udfff"}'),
        ("post", "/project", b'{"prj_name": "x", "prj_status": "\\ud800"}'),
    ],
)
def test_the_api_answers_hostile_json_with_a_400(
    client: Client, app: RegisteredClient, admin: User, operator_user: User, method: str, path: str, body: bytes
) -> None:
    response = getattr(client, method)(
        API + path.format(uid=operator_user.uid), body, content_type="application/json",
        headers=bearer(issue(app, admin)),
    )  # fmt: skip
    assert response.status_code == 400, response.content[:200]
    assert response.json()["error"]["code"] == 400


def test_a_project_update_with_a_lone_surrogate_status_is_a_400(
    client: Client, app: RegisteredClient, admin: User
) -> None:
    token = issue(app, admin)
    created = client.post(f"{API}/project", {"prj_name": "p"}, content_type="application/json", headers=bearer(token))
    uid = created.json()["prj_uid"]
    response = client.put(
        f"{API}/project/{uid}", b'{"prj_status": "\\ud800"}', content_type="application/json", headers=bearer(token)
    )
    assert response.status_code == 400


def race(count: int, send: Any) -> list[int]:
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def one() -> None:
        try:
            barrier.wait(timeout=10)
            statuses.append(send().status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/user", new_user_body("twin")),
        ("/project", {"prj_name": "Twin process"}),
    ],
)  # fmt: skip
def test_twelve_concurrent_creations_of_one_name_give_one_201_and_eleven_400s(
    app: RegisteredClient, admin: User, path: str, body: dict[str, str]
) -> None:
    token = issue(app, admin)

    def send() -> Any:
        return Client(raise_request_exception=False).post(
            API + path, body, content_type="application/json", headers=bearer(token)
        )

    assert race(12, send) == [201] + [400] * 11
