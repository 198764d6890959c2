"""The createworkspace and createuser commands: output, --json and bad input."""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from oauth_apps.models import Application
from workspaces.models import Role, User, Workspace


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run a command in the test's transaction: exit code, stdout, stderr as manage.py gives them.

    manage.py turns a CommandError into one stderr line and exit code 1
    (`test_manage_py_reports_bad_input_on_one_line_and_exit_code_1` checks that for real).
    """
    out = io.StringIO()
    try:
        call_command(*argv, stdout=out)
    except CommandError as error:
        return 1, out.getvalue(), f"CommandError: {error}\n"
    return 0, out.getvalue(), ""


@pytest.mark.process
@pytest.mark.own_database
def test_manage_py_reports_bad_input_on_one_line_and_exit_code_1(tmp_path: pathlib.Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "manage.py", "createworkspace", "bad name!"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "Invalid workspace name 'bad name!'" in result.stderr


def test_createworkspace_json_gives_one_object_with_a_generated_password(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "createworkspace", "acme", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"workspace", "admin_username", "admin_uid", "local_client_id", "admin_password"}
    workspace = Workspace.objects.get(name="acme")
    admin = User.objects.get_in_workspace(workspace, "admin")
    assert admin.uid == result["admin_uid"]
    assert admin.check_password(result["admin_password"])
    assert admin.role.code == Role.ADMIN
    local = Application.objects.get(client_id=result["local_client_id"])
    assert local.is_local and local.workspace == workspace
    assert re.fullmatch(r"[A-Z]{32}", local.client_id)


def test_createworkspace_takes_the_admin_password_from_the_environment(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PM_ADMIN_PASSWORD", "from the environment")
    code, out, _ = run(capsys, "createworkspace", "acme", "--admin-username", "boss", "--json")
    assert code == 0
    assert "admin_password" not in json.loads(out)
    assert User.objects.get_in_workspace(Workspace.objects.get(name="acme"), "boss").check_password(
        "from the environment"
    )


def test_createworkspace_with_explicit_password_prints_no_password(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "createworkspace", "acme", "--admin-password", "given password")
    assert code == 0
    assert "given password" not in out
    assert "Created workspace 'acme'" in out


def test_createworkspace_refuses_an_existing_workspace(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "createworkspace", "workflow")
    assert code == 1
    assert out == ""
    assert err.strip().count("\n") == 0 and "already exists" in err


def test_createworkspace_refuses_a_case_variant_of_an_existing_workspace(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "createworkspace", "WorkFlow")
    assert code == 1 and "already exists" in err


def test_createworkspace_exist_ok_succeeds_without_changes(
    workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(capsys, "createworkspace", "workflow", "--exist-ok")
    assert code == 0
    assert Workspace.objects.filter(name="workflow").count() == 1


@pytest.mark.parametrize("name", ["a b", "..", "x" * 65, "", "naïve"])
def test_createworkspace_refuses_bad_names(db: None, capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, _, err = run(capsys, "createworkspace", name)
    assert code == 1
    assert "Invalid workspace name" in err
    assert not Workspace.objects.exists()


def test_createuser_json_gives_the_generated_password(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "createuser",
        "--workspace",
        "workflow",
        "Mary",
        "--email",
        "mary@example.com",
        "--first-name",
        "Mary",
        "--last-name",
        "Major",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"uid", "username", "workspace", "role", "password"}
    user = User.objects.get(uid=result["uid"])
    assert (user.username, user.email, user.full_name, user.role.code) == (
        "Mary",
        "mary@example.com",
        "Mary Major",
        Role.OPERATOR,
    )
    assert user.check_password(result["password"])


def test_createuser_with_role_and_password(workspace: Workspace) -> None:
    call_command(
        "createuser", "--workspace", "workflow", "boss", "--password", "pw for chief", "--role", "PROCESSMAKER_ADMIN"
    )
    user = User.objects.get_in_workspace(workspace, "boss")
    assert user.role.code == Role.ADMIN and user.check_password("pw for chief")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--workspace", "nowhere", "bob"], "Unknown workspace"),
        (["--workspace", "workflow", "bob", "--role", "NO_SUCH_ROLE"], "Unknown role"),
        (["--workspace", "workflow", "ADMIN"], "already exists"),
        (["--workspace", "workflow", "bob", "--email", "not-an-email"], "email"),
        (["--workspace", "workflow", "b" * 101], "username"),
    ],
)
def test_createuser_bad_input_exits_nonzero_with_one_line(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "createuser", *argv)
    assert code == 1
    assert out == ""
    assert message in err and err.strip().count("\n") == 0


@pytest.mark.parametrize("password", ["short", "x", "1234567"])
def test_the_commands_refuse_a_password_the_web_and_rest_refuse(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], password: str
) -> None:
    code, _, err = run(capsys, "createworkspace", "sales", "--admin-password", password)
    assert code == 1 and "password policies: - Minimum length: 8." in err
    assert not Workspace.objects.filter(name="sales").exists()  # nothing half made
    code, _, err = run(capsys, "createuser", "--workspace", "workflow", "newbie", "--password", password)
    assert code == 1 and "password policies: - Minimum length: 8." in err
    assert not User.objects.filter(username="newbie").exists()


def test_generated_passwords_keep_to_the_rule(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    from django.contrib.auth.password_validation import validate_password

    code, out, _ = run(capsys, "createworkspace", "sales", "--json")
    assert code == 0
    validate_password(json.loads(out)["admin_password"])
    code, out, _ = run(capsys, "createuser", "--workspace", "sales", "newbie", "--json")
    assert code == 0
    validate_password(json.loads(out)["password"])
