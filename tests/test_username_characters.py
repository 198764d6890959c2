"""What a username may hold: no invisible, control or misleading characters (RFC 8265's rules), on
every path that names a user: the REST API, the admin, the commands and the import. Names made
before the rule still log in, and `manage.py check` lists them."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD, log_in_to_admin, new_user_body
from tests.oauth import bearer, issue, password_grant
from tests.processmaker import fixture
from workspaces.checks import BAD_USERNAME, usernames_that_break_the_rule
from workspaces.models import User, Workspace
from workspaces.usernames import username_problem

REFUSED = [
    "admin\u200b",  # zero-width space (Cf)
    "\u202eadmin",  # right-to-left override (Cf)
    "ad\x00min",  # NUL (Cc)
    "ad\r\nmin",  # CR LF (Cc)
    "ad\tmin",  # tab (Cc)
    "ad\u2028min",  # line separator (Zl)
    "ad\u2029min",  # paragraph separator (Zp)
    "ad\u00a0min",  # no-break space (Zs other than a plain space)
    "ad\u3000min",  # ideographic space
    "\u200cadmin",  # a joiner that joins no letters
    "admin\u200d",
    "ad\ufeffmin",  # byte order mark
    "ad\U000e0001min",  # language tag
]
ALLOWED = [
    "john doe",  # a plain space, as ProcessMaker allows
    "\u0645\u06cc\u200c\u0631\u0648\u0645",  # Persian, a ZWNJ between letters (می‌روم)
    "\u0915\u094d\u200d\u0937",  # Devanagari with a ZWJ after a virama (a mark)
    "ádmin",
    "\u0430dmin",
    "O'Brien-Smith.jr_2",
]


@pytest.mark.parametrize("name", REFUSED)
def test_invisible_and_control_characters_are_refused(name: str) -> None:
    problem = username_problem(name)
    assert problem is not None and "invisible, control or unassigned" in problem


@pytest.mark.parametrize("name", ALLOWED)
def test_names_of_every_script_are_allowed(name: str) -> None:
    assert username_problem(name) is None


@pytest.fixture
def api(client: Client, app: RegisteredClient, admin: User) -> Any:
    headers = bearer(issue(app, admin))

    def call(method: str, path: str, body: Any) -> Any:
        return getattr(client, method)(
            f"/api/1.0/workflow/{path}", json.dumps(body), content_type="application/json", headers=headers
        )

    return call


@pytest.mark.parametrize("name", ["admin\u200b", "\u202eadmin", "eve\x1b"])
def test_the_rest_api_refuses_them_on_create_and_rename(api: Any, operator_user: User, name: str) -> None:
    created = api("post", "user", new_user_body(name))
    assert created.status_code == 400 and "invisible" in created.json()["error"]["message"]
    renamed = api("put", f"user/{operator_user.uid}", {"usr_username": name})
    assert renamed.status_code == 400 and "invisible" in renamed.json()["error"]["message"]
    assert User.objects.get(pk=operator_user.pk).username == "JohnDoe"


def test_the_admin_refuses_them(client: Client, workspace: Workspace) -> None:
    User.objects.create_superuser("root", "operator password 1")
    log_in_to_admin(client)
    form = {
        "workspace": workspace.pk, "username": "admin\u200b", "role": workspace.roles.first().pk,  # type: ignore[union-attr]
        "password1": "a long password 1", "password2": "a long password 1", "usable_password": "true",
    }  # fmt: skip
    response = client.post("/admin/workspaces/user/add/", form)
    assert response.status_code == 200 and b"invisible, control or unassigned" in response.content
    assert list(User.objects.filter(workspace=workspace).values_list("username", flat=True)) == ["admin"]


def test_the_commands_refuse_them(workspace: Workspace) -> None:
    with pytest.raises(CommandError, match="invisible"):
        call_command("createuser", "--workspace", "workflow", "eve\u200b", stdout=io.StringIO())
    with pytest.raises(CommandError, match="invisible"):
        call_command("createworkspace", "second", "--admin-username", "root\u202e", stdout=io.StringIO())
    assert not Workspace.objects.filter(name="second").exists()


@pytest.mark.django_db
def test_the_import_reports_the_row_and_the_column(mariadb: None) -> None:
    pm = fixture.build_38("pmfx_wf_invisible")
    try:
        pm.add_user("e" * 32, "eve\u200b", fixture.md5("eve's password"), 3)
        out = io.StringIO()
        with pytest.raises(CommandError, match="could not be imported"):
            call_command("import_processmaker", "--source", pm.wf.url, "--workspace", "acme", "--json", stdout=out)
    finally:
        pm.drop()
    report = json.loads(out.getvalue())
    failed = [p for p in report["problems"] if p["table"] == "users" and p["level"] == "failed"]
    eve = [p for p in failed if "e" * 32 in p["row"]]
    assert eve and "USR_USERNAME" in eve[0]["reason"] and "U+200B" in eve[0]["reason"]
    assert not User.objects.filter(uid="e" * 32).exists()


def test_manage_py_check_names_existing_ones_and_they_still_log_in(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    User.objects.filter(pk=operator_user.pk).update(username="johndoe\u200b")
    warnings = usernames_that_break_the_rule()
    assert [warning.id for warning in warnings] == [BAD_USERNAME]
    assert operator_user.uid in warnings[0].msg and "U+200B" in warnings[0].msg
    assert password_grant(client, app, "johndoe", PASSWORD).json()["token_type"] == "bearer"
    out = io.StringIO()
    call_command("check", stdout=out, stderr=out)
    assert BAD_USERNAME in out.getvalue()
