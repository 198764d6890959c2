"""Directory sign-in against a real OpenLDAP over StartTLS (tests/directory_server.py): a directory
user signs in on the web and through the password grant with their directory password, which is
never stored; the workspace's own rules still apply; hostile names stay names; a directory that does
not answer is an outage, not a failed login."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from directory import client as ldap_client
from oauth_apps.services import RegisteredClient
from plumbing import encryption
from tests.conftest import PASSWORD
from tests.directory_server import (
    PEOPLE,
    SEARCH_DN,
    SEARCH_PASSWORD,
    SUFFIX,
    Directory,
    make_certificates,
    running_directory,
)
from tests.oauth import password_grant
from workspaces.models import AuditEvent, AuditEventType, AuthSource, Role, User, Workspace

LOGIN = "/sysworkflow/en/neoclassic/login/login"
ALICE_PASSWORD = "alice's directory password"

pytestmark = pytest.mark.directory  # a real slapd: the slow set (scripts/run-tests)


@pytest.fixture(scope="module")
def directory() -> Iterator[Directory]:
    with running_directory() as server:
        server.add_person("alice", ALICE_PASSWORD, givenName="Alice", mail="alice@example.com")
        server.ldapadd(f"dn: ou=moved,{SUFFIX}\nobjectClass: organizationalUnit\nou: moved\n")
        yield server


def make_source(workspace: Workspace, directory: Directory, **changes: Any) -> AuthSource:
    fields = {
        "workspace": workspace, "name": "Corp", "servers": "127.0.0.1", "port": directory.port,
        "ca_certificates": directory.ca_pem, "base_dn": SUFFIX, "bind_dn": SEARCH_DN,
        "bind_password": SEARCH_PASSWORD, "users_filter": "(objectClass=inetOrgPerson)",
        "connect_timeout": 2, "operation_timeout": 2, **changes,
    }  # fmt: skip
    source = AuthSource(**fields)
    source.full_clean()
    source.save()
    return source


@pytest.fixture
def source(workspace: Workspace, directory: Directory) -> AuthSource:
    return make_source(workspace, directory)


def directory_user(source: AuthSource, username: str = "alice", **fields: Any) -> User:
    user = User(workspace=source.workspace, username=username, auth_source=source,
                role=source.workspace.roles.get(code=Role.OPERATOR), **fields)  # fmt: skip
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def alice(source: AuthSource) -> User:
    return directory_user(source)


def web_login(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_directory_user_signs_in_on_the_web_and_through_the_password_grant(
    client: Client, alice: User, app: RegisteredClient
) -> None:
    assert web_login(client, "alice", ALICE_PASSWORD).status_code == 302
    body = password_grant(Client(), app, "alice", ALICE_PASSWORD).json()
    assert body["token_type"] == "bearer" and body["access_token"]
    alice.refresh_from_db()
    assert alice.directory_dn == f"uid=alice,{PEOPLE}"
    assert not alice.has_usable_password()  # the directory password is never kept here


@pytest.mark.parametrize("typed", ["EXAMPLE\\alice", "alice@example.com", "ALICE"])
def test_the_usual_spellings_of_a_directory_name_sign_in(client: Client, alice: User, typed: str) -> None:
    assert web_login(client, typed, ALICE_PASSWORD).status_code == 302


@pytest.mark.parametrize("password", ["wrong", "", " "])
def test_a_wrong_or_empty_password_is_refused_and_counted(client: Client, alice: User, password: str) -> None:
    response = web_login(client, "alice", password)
    assert response.status_code == 200 and b"Invalid username or password." in response.content
    if password:  # the form itself refuses an empty password before anything is checked
        assert AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED, extra__username="alice").exists()


def test_the_workspaces_own_rules_apply_to_directory_users(client: Client, alice: User, app: RegisteredClient) -> None:
    User.objects.filter(pk=alice.pk).update(status=User.Status.INACTIVE)
    assert web_login(client, "alice", ALICE_PASSWORD).status_code == 200
    assert password_grant(Client(), app, "alice", ALICE_PASSWORD).json()["error"] == "invalid_grant"


def test_a_search_filter_is_built_from_escaped_text(source: AuthSource, alice: User) -> None:
    assert ldap_client.user_filter(source, "*)(uid=*") == r"(&(uid=\2a\29\28uid=\2a)(objectClass=inetOrgPerson))"
    assert ldap_client.find_user(source, "*") is None  # a wildcard is a name nobody has
    assert ldap_client.find_user(source, "*)(uid=*") is None
    assert ldap_client.find_user(source, "alice") is not None


def test_a_user_moved_in_the_directory_is_found_where_they_went(
    client: Client, directory: Directory, source: AuthSource
) -> None:
    dn = directory.add_person("carol", "carol's password")
    carol = directory_user(source, "carol", directory_dn=dn)
    directory.move(dn, f"ou=moved,{SUFFIX}")
    assert web_login(client, "carol", "carol's password").status_code == 302
    carol.refresh_from_db()
    assert carol.directory_dn == f"uid=carol,ou=moved,{SUFFIX}"


def test_the_servers_are_tried_in_order(client: Client, workspace: Workspace, directory: Directory) -> None:
    source = make_source(workspace, directory, servers="127.0.0.2, 127.0.0.1")  # nothing listens on .2
    directory_user(source)
    assert web_login(client, "alice", ALICE_PASSWORD).status_code == 302


def test_a_certificate_signed_by_another_ca_is_refused(
    client: Client, workspace: Workspace, directory: Directory, tmp_path: Path
) -> None:
    other_ca, _, _ = make_certificates(tmp_path, ["elsewhere"])
    source = make_source(workspace, directory, ca_certificates=other_ca)
    directory_user(source)
    response = web_login(client, "alice", ALICE_PASSWORD)
    assert b"sign-in service is not answering" in response.content


@pytest.mark.parametrize(("mode", "status", "error"), [("processmaker", 200, "invalid_grant"),
                                                      ("rfc6749", 503, "temporarily_unavailable")])  # fmt: skip
def test_a_directory_that_does_not_answer_is_an_outage_not_a_failed_login(
    client: Client, workspace: Workspace, directory: Directory, operator_user: User, app: RegisteredClient,
    mode: str, status: int, error: str,
) -> None:  # fmt: skip
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode, failed_logins_deactivate=3, lockout_threshold=3)
    source = make_source(workspace, directory, servers="127.0.0.2")
    alice = directory_user(source)
    for _ in range(4):
        response = password_grant(Client(), app, "alice", ALICE_PASSWORD)
        assert response.status_code == status
        assert response.json() == {
            "error": error, "error_description": "The sign-in service is unavailable; try again later"
        }  # fmt: skip
    page = web_login(client, "alice", ALICE_PASSWORD)
    assert b"sign-in service is not answering" in page.content
    alice.refresh_from_db()
    assert alice.is_active and alice.failed_logins == 0  # no failure counted, no lock
    assert not AuditEvent.objects.filter(event_type=AuditEventType.LOGIN_FAILED).exists()
    assert "access_token" in password_grant(Client(), app, "johndoe", PASSWORD).json()  # local users served
    AuthSource.objects.filter(pk=source.pk).update(servers="127.0.0.1")  # the directory is back
    assert web_login(Client(), "alice", ALICE_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("text", "one"),
    [("(objectClass=person)", True), ("(&(objectClass=person)(!(uid=svc\\29*)))", True),
     ("(a=b)(c=d)", False), ("objectClass=person", False), ("((a=b)", False), ("(a=b))(", False)],
)  # fmt: skip
def test_a_users_filter_is_one_parenthesised_filter(text: str, one: bool) -> None:
    from workspaces.auth_sources import is_one_filter

    assert is_one_filter(text) is one


@pytest.mark.parametrize("change", [{"users_filter": "(objectClass=person))((uid=x)"},  # as imported
                                    {"base_dn": f"ou=nowhere,{SUFFIX}"}])  # fmt: skip
def test_a_search_the_directory_cannot_make_is_an_outage_not_a_500_or_a_failed_login(
    client: Client, source: AuthSource, alice: User, app: RegisteredClient, change: dict[str, str]
) -> None:
    Workspace.objects.filter(pk=source.workspace_id).update(failed_logins_deactivate=1)
    AuthSource.objects.filter(pk=source.pk).update(**change)
    response = Client(raise_request_exception=False).post(
        LOGIN, {"username": "alice", "password": ALICE_PASSWORD}, REMOTE_ADDR="127.0.0.1"
    )  # fmt: skip
    assert response.status_code == 200 and b"sign-in service is not answering" in response.content
    grant = password_grant(Client(raise_request_exception=False), app, "alice", ALICE_PASSWORD)
    assert grant.status_code == 200
    assert grant.json()["error_description"] == "The sign-in service is unavailable; try again later"
    alice.refresh_from_db()
    assert alice.is_active and alice.failed_logins == 0
    source.users_filter = "(objectClass=person))((uid=x)"
    with pytest.raises(ValidationError, match="parentheses"):
        source.full_clean()


def test_the_search_password_is_stored_encrypted_and_rotatekeys_moves_it_to_the_new_key(
    source: AuthSource, settings: Any
) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT bind_password FROM workspaces_authsource WHERE id = %s", [source.pk])
        stored = cursor.fetchone()[0]
    assert SEARCH_PASSWORD not in stored and encryption.decrypt(stored) == SEARCH_PASSWORD
    new_key = Fernet.generate_key().decode()
    with override_settings(PM_ENCRYPTION_KEYS=[new_key, *settings.PM_ENCRYPTION_KEYS]):
        out = io.StringIO()
        call_command("rotatekeys", "--json", stdout=out)
        assert json.loads(out.getvalue())["reencrypted"]["workspaces.AuthSource.bind_password"] == 1
    with override_settings(PM_ENCRYPTION_KEYS=[new_key]):
        assert AuthSource.objects.get(pk=source.pk).bind_password == SEARCH_PASSWORD


AD = {"kind": "ad", "id_attribute": "sAMAccountName", "users_filter": "(objectClass=adUser)"}


@pytest.mark.parametrize(
    ("diagnostic", "code"),
    [
        ("80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 52e, v3839", "52e"),
        ("80090308: LdapErr: DSID-0C09042A, comment: AcceptSecurityContext error, data 525, v3839", "525"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 773, v4563", "773"),
        ("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 775, v1db1", "775"),
        ("Invalid credentials", ""),
        ("the metadata 532 is not a code", ""),
    ],
)
def test_active_directorys_reason_is_read_from_its_data_field(diagnostic: str, code: str) -> None:
    import ldap

    assert ldap_client.ad_code(ldap.INVALID_CREDENTIALS({"desc": "Invalid credentials", "info": diagnostic})) == code


@pytest.mark.parametrize(
    ("expires", "gone"),
    [("116444736000000000", "701"), ("0", ""), ("9223372036854775807", ""),
     ("9223372036854775806", ""),  # past the year 9999: a directory's mistake, read as never
     ("2650467743990000000", ""), ("soon", "")],
)  # fmt: skip
def test_account_expires_is_read_without_failing_on_any_value(expires: str, gone: str) -> None:
    from directory.signin import account_gone

    source = AuthSource(kind=AuthSource.Kind.AD)
    entry = ldap_client.Entry(f"uid=x,{PEOPLE}", {"accountExpires": [expires], "userAccountControl": ["512"]})
    assert account_gone(source, entry) == gone


@pytest.mark.parametrize(
    ("name", "attributes", "message"),
    [
        ("disabled", {"userAccountControl": "514"}, b"Your account is disabled"),  # 512 + ACCOUNTDISABLE
        ("expired", {"accountExpires": "116444736000000000"}, b"Your account has expired"),  # 1970-01-01
    ],
)
def test_a_disabled_or_expired_active_directory_account_is_refused_and_deactivated(
    client: Client, workspace: Workspace, directory: Directory, app: RegisteredClient,
    name: str, attributes: dict[str, str], message: bytes,
) -> None:  # fmt: skip
    directory.add_person(name, "ad password", sAMAccountName=name, **attributes)
    source = make_source(workspace, directory, **AD)
    user = directory_user(source, name)
    token = password_grant(Client(), app, name, "ad password")  # refused like a wrong password...
    assert token.json()["error_description"] == "Invalid username and password combination"
    user.refresh_from_db()
    assert user.status == User.Status.INACTIVE  # ...and deactivated here
    User.objects.filter(pk=user.pk).update(status=User.Status.ACTIVE)
    assert message in web_login(client, name, "ad password").content  # the web login says why


def test_an_active_directory_account_that_never_expires_signs_in(
    client: Client, workspace: Workspace, directory: Directory
) -> None:
    directory.add_person("dana", "dana's password", sAMAccountName="dana", userAccountControl="512",
                         accountExpires="9223372036854775807")  # fmt: skip
    directory_user(make_source(workspace, directory, **AD), "dana")
    assert web_login(client, "dana", "dana's password").status_code == 302


def test_a_user_in_the_retired_ou_is_refused_and_deactivated(
    client: Client, workspace: Workspace, directory: Directory
) -> None:
    from tests.directory_server import RETIRED

    directory.add_person("eve", "eve's password", under=RETIRED)
    user = directory_user(make_source(workspace, directory, retired_ou=RETIRED), "eve")
    response = web_login(client, "eve", "eve's password")
    assert b"Invalid username or password." in response.content
    user.refresh_from_db()
    assert user.status == User.Status.INACTIVE
    assert AuditEvent.objects.filter(event_type=AuditEventType.USER_STATUS_CHANGED, extra__why="directory: retired")


def test_a_directory_user_is_sent_to_the_directory_to_change_their_password(client: Client, alice: User) -> None:
    User.objects.filter(pk=alice.pk).update(must_change_password=True)
    assert web_login(client, "alice", ALICE_PASSWORD)["Location"] != "/sysworkflow/en/neoclassic/login/password"
    page = client.get("/sysworkflow/en/neoclassic/login/password")
    assert b"change it there" in page.content and b"new_password1" not in page.content
    client.post("/sysworkflow/en/neoclassic/login/password", {"new_password1": "x" * 20, "new_password2": "x" * 20})
    alice.refresh_from_db()
    assert not alice.has_usable_password()


def authsource(*args: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    out, err = io.StringIO(), io.StringIO()
    real_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("authsource", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.stdin = real_stdin
    return code, out.getvalue(), err.getvalue()


def test_the_authsource_command_creates_tests_and_refuses_bad_values(
    workspace: Workspace, directory: Directory, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(directory.ca_pem)
    code, out, _ = authsource(
        "workflow", "Corp", "servers=127.0.0.1", f"port={directory.port}", f"base_dn={SUFFIX}",
        f"bind_dn={SEARCH_DN}", "bind_password=-", f"ca_certificates=@{ca}", "--create", "--test", "--user", "alice",
        stdin=f"{SEARCH_PASSWORD}\n",
    )  # fmt: skip
    assert code == 0, out
    assert "Bound as cn=search" in out and "Found uid=alice" in out and SEARCH_PASSWORD not in out
    assert AuthSource.objects.get(workspace=workspace, name="Corp").bind_password == SEARCH_PASSWORD
    code, out, _ = authsource("workflow", "Corp", "bind_password=-", "--test", stdin="wrong\n")
    assert code == 1 and "The search user's DN or password is refused." in out
    with pytest.raises(CommandError, match="base_dn: 'not a dn' is not a distinguished name"):
        authsource("workflow", "Corp", "base_dn=not a dn")
    with pytest.raises(CommandError, match="port: Ensure this value is less than or equal to 65535"):
        authsource("workflow", "Corp", "port=70000")
    assert AuthSource.objects.get(workspace=workspace, name="Corp").port == directory.port  # nothing changed


def test_a_source_other_workspaces_cannot_see_or_use(
    client: Client, source: AuthSource, other_workspace: Workspace, stranger: User
) -> None:
    with pytest.raises(CommandError, match="has no source named 'Corp'"):
        authsource("other", "Corp", "--test")
    directory_user(source)
    # alice of workflow is nobody in the other workspace, whatever her directory password.
    response = Client().post("/sysother/en/neoclassic/login/login", {"username": "alice", "password": ALICE_PASSWORD})
    assert response.status_code == 200 and b"Invalid username or password." in response.content


def test_the_admin_keeps_the_search_password_write_only_and_tests_the_connection(
    operator_client: Client, source: AuthSource, other_workspace: Workspace
) -> None:
    page = operator_client.get(f"/admin/workspaces/authsource/{source.pk}/change/")
    assert page.status_code == 200 and SEARCH_PASSWORD.encode() not in page.content
    form = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    form.update({"bind_password": "", "attribute_map": "{}", "name": "Corp renamed"})
    assert operator_client.post(f"/admin/workspaces/authsource/{source.pk}/change/", form).status_code == 302
    source.refresh_from_db()
    assert source.name == "Corp renamed" and source.bind_password == SEARCH_PASSWORD  # kept
    done = operator_client.post(
        "/admin/workspaces/authsource/", {"action": "check_connection", "_selected_action": [source.pk]}, follow=True
    )
    assert b"Bound as cn=search" in done.content


def test_a_user_cannot_sign_in_through_another_workspaces_source(source: AuthSource, stranger: User) -> None:
    from django.core.exceptions import ValidationError

    stranger.auth_source = source
    with pytest.raises(ValidationError, match="belongs to another workspace"):
        stranger.full_clean(exclude=["password"])


GROUPS = f"ou=groups,{SUFFIX}"


def add_group(directory: Directory, name: str, *members: str) -> str:
    dn = f"cn={name},{GROUPS}"
    lines = [f"dn: {dn}", "objectClass: groupOfNames", f"cn: {name}", *(f"member: {member}" for member in members)]
    directory.ldapadd("\n".join(lines) + "\n")
    return dn


@pytest.fixture(scope="module")
def groups(directory: Directory) -> dict[str, str]:
    directory.ldapadd(f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n")
    directory.add_person("grace", "grace's password", givenName="Grace", sn="Hopper", mail="grace@example.com")
    return {
        "managers": add_group(directory, "managers", f"uid=alice,{PEOPLE}"),
        "admins": add_group(directory, "admins", f"uid=grace,{PEOPLE}"),
    }


def test_a_sign_in_brings_the_profile_and_the_role_the_groups_give(
    client: Client, source: AuthSource, alice: User, groups: dict[str, str]
) -> None:
    AuthSource.objects.filter(pk=source.pk).update(
        group_roles={groups["admins"]: "PROCESSMAKER_ADMIN", groups["managers"]: "PROCESSMAKER_MANAGER"}
    )
    assert web_login(client, "alice", ALICE_PASSWORD).status_code == 302
    alice.refresh_from_db()
    assert (alice.first_name, alice.email, alice.role.code) == ("Alice", "alice@example.com", "PROCESSMAKER_MANAGER")
    assert AuditEvent.objects.filter(event_type=AuditEventType.USER_ROLE_CHANGED, target_user=alice).exists()


def test_nested_active_directory_groups_are_asked_with_the_matching_rule_in_chain() -> None:
    from directory.accounts import nested_member_filter

    assert nested_member_filter("cn=A (x),dc=e") == r"(memberOf:1.2.840.113556.1.4.1941:=cn=A \28x\29,dc=e)"


def test_an_unknown_user_is_registered_on_first_sign_in_only_where_the_source_asks(
    client: Client, workspace: Workspace, source: AuthSource, groups: dict[str, str]
) -> None:
    assert web_login(client, "grace", "grace's password").status_code == 200  # off by default
    assert not User.objects.filter(workspace=workspace, username="grace").exists()
    operator = workspace.roles.get(code=Role.OPERATOR)
    AuthSource.objects.filter(pk=source.pk).update(auto_register=True, register_role=operator)
    assert web_login(Client(), "grace", "not grace's password").status_code == 200
    assert not User.objects.filter(workspace=workspace, username="grace").exists()
    assert web_login(client, "grace", "grace's password").status_code == 302
    grace = User.objects.get(workspace=workspace, username="grace")
    assert (grace.auth_source_id, grace.role, grace.last_name) == (source.pk, operator, "Hopper")
    assert not grace.has_usable_password()
    AuthSource.objects.filter(pk=source.pk).update(group_roles={groups["admins"]: "PROCESSMAKER_ADMIN"})
    grace.delete()
    assert web_login(Client(), "EXAMPLE\\grace", "grace's password").status_code == 302
    assert User.objects.get(workspace=workspace, username="grace").role.code == "PROCESSMAKER_ADMIN"


def test_a_directory_user_gets_no_password_here_through_rest_or_the_admin(
    client: Client, alice: User, admin: User, app: RegisteredClient, operator_client: Client
) -> None:
    from tests.oauth import issue

    body = {"usr_new_pass": "a local password", "usr_cnf_pass": "a local password"}
    response = client.put(
        f"/api/1.0/workflow/user/{alice.uid}", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {issue(app, admin)}"},
    )  # fmt: skip
    assert response.status_code == 400 and "their password is the directory's" in response.json()["error"]["message"]
    form = {"password1": "a local password", "password2": "a local password"}
    page = operator_client.post(f"/admin/workspaces/user/{alice.pk}/password/", form)
    assert page.status_code == 200 and "their password is the directory" in page.content.decode()
    alice.refresh_from_db()
    assert not alice.has_usable_password()


def test_ldaps_signs_in_with_the_certificate_verified(
    client: Client, workspace: Workspace, directory: Directory
) -> None:
    source = make_source(workspace, directory, encryption="ldaps", port=directory.ldaps_port)
    directory_user(source)
    assert web_login(client, "alice", ALICE_PASSWORD).status_code == 302
