"""/api/1.0/{ws}/project: the processes the view_process / edit_process scopes are about."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from processes.models import Process
from tests.oauth import bearer, issue
from workspaces.models import User

API = "/api/1.0/workflow/project"


@pytest.fixture
def headers(app: RegisteredClient, admin: User) -> dict[str, str]:
    return bearer(issue(app, admin))


def post(client: Client, headers: dict[str, str], body: Any) -> Any:
    return client.post(API, body, content_type="application/json", headers=headers)


def test_create_with_only_a_name(client: Client, headers: dict[str, str], admin: User) -> None:
    response = post(client, headers, {"prj_name": "Purchase requests"})
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"[0-9a-f]{32}", data["prj_uid"]) and data["prj_author"] == admin.uid
    assert (data["prj_status"], data["prj_description"]) == ("ACTIVE", "")


def test_list_get_update_delete(client: Client, headers: dict[str, str]) -> None:
    uid = post(client, headers, {"prj_name": "B"}).json()["prj_uid"]
    post(client, headers, {"prj_name": "A", "prj_description": "first"})
    assert [p["prj_name"] for p in client.get(API, headers=headers).json()] == ["A", "B"]
    assert client.get(f"{API}/{uid}", headers=headers).json()["prj_name"] == "B"
    updated = client.put(f"{API}/{uid}", {"prj_status": "INACTIVE"}, content_type="application/json", headers=headers)
    assert updated.json()["prj_status"] == "INACTIVE" and updated.json()["prj_name"] == "B"
    deleted = client.delete(f"{API}/{uid}", headers=headers)
    assert deleted.status_code == 200 and deleted.json() == {}
    assert client.get(f"{API}/{uid}", headers=headers).status_code == 404


def test_names_are_unique_per_workspace_ignoring_case(client: Client, headers: dict[str, str]) -> None:
    post(client, headers, {"prj_name": "Payroll"})
    response = post(client, headers, {"prj_name": "PAYROLL"})
    assert response.status_code == 400 and "already exists" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"prj_name": 7},
        {"prj_name": "x" * 256},
        {"prj_name": "x", "prj_owner": "me"},
        {"prj_name": "x", "prj_status": "DRAFT"},
    ],
)
def test_bad_process_input_is_400(client: Client, headers: dict[str, str], body: dict[str, Any]) -> None:
    response = post(client, headers, body)
    assert response.status_code == 400 and response.json()["error"]["code"] == 400
    assert not Process.objects.exists()


def test_another_workspaces_process_is_404(
    client: Client, headers: dict[str, str], foreign_app: RegisteredClient, stranger: User
) -> None:
    foreign = client.post("/api/1.0/other/project", {"prj_name": "theirs"}, content_type="application/json",
                          headers=bearer(issue(foreign_app, stranger))).json()["prj_uid"]  # fmt: skip
    assert client.get(f"{API}/{foreign}", headers=headers).status_code == 404
    assert client.get(API, headers=headers).json() == []
