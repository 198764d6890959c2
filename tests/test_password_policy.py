"""A workspace's password policy (workspaces.password_policy): NIST's shape by default, ProcessMaker's
PPP_* rules when set, one judge on every path that sets a password, each rule broken named in
ProcessMaker's words."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from accounts.services import create_user
from oauth_apps.services import RegisteredClient
from tests.oauth import bearer, issue
from workspaces.models import Role, User, Workspace
from workspaces.password_policy import broken_rules
from workspaces.services import WorkspaceError

ALERT = "Your password does not meet the following password policies:"


def strict(workspace: Workspace, **policy: Any) -> Workspace:
    Workspace.objects.filter(pk=workspace.pk).update(**policy)
    workspace.refresh_from_db()
    return workspace


def test_a_new_workspace_has_nists_shape(db: None) -> None:
    workspace = Workspace.objects.create(name="fresh")
    assert (workspace.password_min_length, workspace.password_max_length) == (8, 128)
    assert not (
        workspace.password_needs_digit or workspace.password_needs_uppercase or workspace.password_needs_special
    )
    assert workspace.password_refuses_common and workspace.password_refuses_username
    assert broken_rules(workspace, "correct horse battery staple", "mary") == []  # long and plain is fine


@pytest.mark.parametrize(
    ("policy", "password", "rule", "kept"),
    [
        ({"password_min_length": 12}, "eleven char", "Minimum length: 12.", "twelve chars"),
        ({"password_max_length": 10}, "eleven char", "Maximum length: 10.", "ten chars!"),
        ({"password_needs_digit": True}, "no digits in here", "Numerical character required.", "one digit: 7"),
        ({"password_needs_uppercase": True}, "all lower case here", "Uppercase character required.", "One Upper"),
        ({"password_needs_special": True}, "LettersAnd123", "Special character required.", "Letters And 123"),
        ({}, "password1", "Not a commonly used password.", "password1 of mine"),
        ({}, "I am JOHNDOE, see", "Does not contain the username.", "I am someone, see"),
    ],
)
def test_each_rule_is_named_when_broken_and_a_password_that_keeps_it_passes(
    operator_user: User, policy: dict[str, Any], password: str, rule: str, kept: str
) -> None:
    workspace = strict(operator_user.workspace, **policy)
    assert broken_rules(workspace, password, operator_user.username) == [rule]
    assert broken_rules(workspace, kept, operator_user.username) == []
    role = workspace.roles.get(code=Role.OPERATOR)
    with pytest.raises(WorkspaceError) as refused:
        create_user(workspace, "newcomer", password.replace("JOHNDOE", "newcomer"), role=role)
    assert str(refused.value) == f"{ALERT} - {rule}"
    assert create_user(workspace, "newcomer", kept, role=role).check_password(kept)


def test_every_rule_broken_is_named_in_processmakers_order(workspace: Workspace) -> None:
    strict(workspace, password_min_length=10, password_needs_digit=True, password_needs_uppercase=True,
           password_needs_special=True)  # fmt: skip
    assert broken_rules(workspace, "admin", "admin") == [
        "Minimum length: 10.", "Numerical character required.", "Uppercase character required.",
        "Special character required.", "Not a commonly used password.", "Does not contain the username.",
    ]  # fmt: skip


def test_the_rest_api_refuses_with_processmakers_message(client: Client, app: RegisteredClient, admin: User) -> None:
    strict(admin.workspace, password_min_length=12, password_needs_digit=True)
    body = {"usr_username": "mary", "usr_firstname": "Mary", "usr_lastname": "Major", "usr_email": "m@example.com",
            "usr_due_date": "2030-12-31", "usr_status": "ACTIVE", "usr_role": "PROCESSMAKER_OPERATOR",
            "usr_new_pass": "too short", "usr_cnf_pass": "too short"}  # fmt: skip
    response = client.post("/api/1.0/workflow/user", json.dumps(body), content_type="application/json",
                           headers=bearer(issue(app, admin)))  # fmt: skip
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert f"{ALERT} - Minimum length: 12. - Numerical character required." in message
    assert not User.objects.filter(username="mary").exists()


def test_an_operators_reset_in_the_admin_is_judged_by_the_workspace(
    operator_client: Client, operator_user: User
) -> None:
    strict(operator_user.workspace, password_min_length=16)
    form = {"password1": "fifteen chars!!", "password2": "fifteen chars!!"}
    response = operator_client.post(f"/admin/workspaces/user/{operator_user.pk}/password/", form)
    assert response.status_code == 200 and "Minimum length: 16." in response.content.decode()
    form = {"password1": "sixteen chars!!!", "password2": "sixteen chars!!!"}
    assert operator_client.post(f"/admin/workspaces/user/{operator_user.pk}/password/", form).status_code == 302


def test_createuser_refuses_what_the_workspace_refuses(workspace: Workspace) -> None:
    strict(workspace, password_needs_uppercase=True)
    with pytest.raises(Exception, match="Uppercase character required"):
        call_command("createuser", "--workspace", "workflow", "newbie", "--password", "lower case only 1")
    assert not User.objects.filter(username="newbie").exists()


def test_a_site_operator_is_judged_by_a_new_workspaces_policy(db: None) -> None:
    with pytest.raises(ValidationError, match="Not a commonly used password"):
        validate_password("password1", User(username="root"))
    validate_password("a long operator passphrase", User(username="root"))


def test_setworkspace_sets_the_policy_and_refuses_a_maximum_below_the_minimum(workspace: Workspace) -> None:
    out = io.StringIO()
    call_command("setworkspace", "workflow", "password_min_length=12", "password_needs_special=true", stdout=out)
    workspace.refresh_from_db()
    assert workspace.password_min_length == 12 and workspace.password_needs_special
    with pytest.raises(Exception, match="maximum length is below the minimum"):
        call_command("setworkspace", "workflow", "password_max_length=10", stdout=out)
    workspace.refresh_from_db()
    assert workspace.password_max_length == 128


def test_a_generated_password_keeps_to_the_policy_it_is_made_under(workspace: Workspace) -> None:
    from workspaces.services import generate_password

    strict(workspace, password_min_length=20, password_needs_digit=True, password_needs_uppercase=True,
           password_needs_special=True)  # fmt: skip
    for _ in range(50):
        assert broken_rules(workspace, generate_password(workspace)) == []
    out = io.StringIO()
    call_command("createuser", "--workspace", "workflow", "generated", "--json", stdout=out)
    assert len(json.loads(out.getvalue())["password"]) == 20


def test_a_workspace_is_judged_by_its_own_policy_never_anothers(
    operator_user: User, other_workspace: Workspace
) -> None:
    strict(operator_user.workspace, password_min_length=20, password_needs_special=True)
    guest = other_workspace.roles.get(code=Role.OPERATOR)
    assert create_user(other_workspace, "relaxed", "eight ch", role=guest).check_password("eight ch")
    with pytest.raises(WorkspaceError, match="Minimum length: 20"):
        create_user(
            operator_user.workspace, "relaxed", "eight ch", role=operator_user.workspace.roles.get(code=Role.OPERATOR)
        )


@pytest.mark.parametrize(
    ("password", "status", "said"),
    [
        ("x" * 129, 400, "Maximum length: 128."),
        ("x" * 1025, 400, "1024"),  # past the field's own bound: refused before any rule or hash
        ("\x00 nul byte password", 400, ""),
        (12345678, 400, ""),  # not a string
    ],
)
def test_the_rest_api_answers_an_oversized_or_hostile_password_with_a_clear_error(
    client: Client, app: RegisteredClient, admin: User, password: Any, status: int, said: str
) -> None:
    body = {"usr_username": "mary", "usr_firstname": "Mary", "usr_lastname": "Major", "usr_email": "m@example.com",
            "usr_due_date": "2030-12-31", "usr_status": "ACTIVE", "usr_role": "PROCESSMAKER_OPERATOR",
            "usr_new_pass": password, "usr_cnf_pass": password}  # fmt: skip
    response = client.post("/api/1.0/workflow/user", json.dumps(body), content_type="application/json",
                           headers=bearer(issue(app, admin)))  # fmt: skip
    assert response.status_code == status and said in response.json()["error"]["message"]
    assert not User.objects.filter(username="mary").exists()


def test_a_user_without_pm_users_learns_nothing_of_the_policy(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    strict(operator_user.workspace, password_min_length=20)
    body = {"usr_username": "mary", "usr_firstname": "Mary", "usr_lastname": "Major", "usr_email": "m@example.com",
            "usr_due_date": "2030-12-31", "usr_status": "ACTIVE", "usr_role": "PROCESSMAKER_OPERATOR",
            "usr_new_pass": "short", "usr_cnf_pass": "short"}  # fmt: skip
    response = client.post("/api/1.0/workflow/user", json.dumps(body), content_type="application/json",
                           headers=bearer(issue(app, operator_user)))  # fmt: skip
    assert response.status_code == 403 and "Minimum length" not in response.content.decode()
