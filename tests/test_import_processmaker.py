"""manage.py import_processmaker against ProcessMaker databases on MariaDB (tests/processmaker):
a 3.8 workspace in one database and 2.x-born ones with a separate RBAC database. Whichever database
the suite runs on, the source is always MariaDB, as a real ProcessMaker's is."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.services import update_user
from oauth_apps.identifiers import checksum
from oauth_apps.models import AccessToken, Application, RefreshToken
from pmimport.common import Run
from pmimport.importer import run_import
from pmimport.models import ImportedRow
from pmimport.source import SourceError, open_layout, parse_url, read_db_php
from tests.conftest import PASSWORD
from tests.oauth import bearer, post_token
from tests.processmaker import fixture
from tests.processmaker.fixture import ADMIN_UID, SEED_CLIENT_ID, SEED_CLIENT_SECRET, md5, token
from workspaces.models import Role, User, Workspace

JOHN, MARY = "1" * 32, "2" * 32
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def pm38(mariadb: None) -> Iterator[fixture.Workspace]:
    pm = fixture.build_38("pmfx_wf_workflow38")
    yield pm
    pm.drop()


def run(*args: str, expect_failures: bool = False) -> tuple[dict[str, Any], str]:
    """Run the command with --json; (its JSON, its stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_processmaker", *args, "--json", stdout=out, stderr=err)
        assert not expect_failures, "the run was expected to report rows that failed"
    except CommandError as error:
        assert expect_failures and "could not be imported" in str(error), str(error)
    return json.loads(out.getvalue()), err.getvalue()


def import_38(pm: fixture.Workspace, *extra: str) -> dict[str, Any]:
    # The fixture holds two rows that cannot be imported (a user without RBAC_USERS, a token of
    # an unknown client), so every run ends with a non-zero status after landing the rest.
    return run("--source", pm.wf.url, "--workspace", "acme", "--tokens", *extra, expect_failures=True)[0]


def token_grant(client: Client, **params: str) -> dict[str, Any]:
    body = {"client_id": SEED_CLIENT_ID, "client_secret": SEED_CLIENT_SECRET, **params}
    return post_token(client, body, url="/acme/oauth2/token").json()


def test_a_dry_run_writes_nothing_and_reports_what_the_real_run_then_does(pm38: fixture.Workspace) -> None:
    dry = import_38(pm38, "--dry-run")
    assert dry["dry_run"] and dry["workspace_created"]
    assert not Workspace.objects.filter(name="acme").exists()
    assert not ImportedRow.objects.exists() and not User.objects.exists()
    real = import_38(pm38)
    assert real["tables"] == dry["tables"]
    assert real["tables"]["users"] == {"created": 9, "updated": 0, "unchanged": 0, "skipped": 1, "failed": 1}
    assert real["tables"]["clients"]["created"] == 2 and real["tables"]["access tokens"]["created"] == 3


def test_roles_come_over_as_processmaker_has_them(pm38: fixture.Workspace) -> None:
    import_38(pm38)
    roles = {role.code: role for role in Role.objects.filter(workspace__name="acme")}
    assert set(roles) == {Role.ADMIN, Role.OPERATOR, Role.MANAGER, Role.GUEST, "PROCESSMAKER_AUDITOR"}
    auditor = roles["PROCESSMAKER_AUDITOR"]
    # Named from CONTENT (English first); a plugin's permission kept; PM_REPORTS is switched off there.
    assert auditor.name == "Auditor"
    assert auditor.permissions == ["PM_ALLCASES", "PM_CASES", "PM_LOGIN", "PM_PLUGIN_AUDIT"]
    assert "PM_DASHBOARD" in roles[Role.OPERATOR].permissions  # the customised operator role
    assert roles[Role.ADMIN].name == "System Administrator" and "PM_REPORTS" not in roles[Role.ADMIN].permissions
    assert roles[Role.GUEST].permissions == ["PM_GUEST_CASE"]


def test_users_come_over_with_their_profile_status_and_hashes(pm38: fixture.Workspace) -> None:
    result = import_38(pm38)
    users = {user.uid: user for user in User.objects.filter(workspace__name="acme").select_related("role")}
    john = users[JOHN]
    assert (john.username, john.role.code) == ("johndoe", Role.OPERATOR)
    # ProcessMaker's md5 wrapped in Argon2id: the old password verifies, no fast hash is stored.
    assert john.password.startswith("pm_md5_argon2$argon2id$") and md5("p4ssw0rd") not in john.password
    assert check_password("p4ssw0rd", john.password) and not check_password("p4ssw0rd!", john.password)
    assert john.reports_to == users[ADMIN_UID] and john.replaced_by == users[MARY]
    assert (str(john.birthday), str(john.cost_by_hour), john.unit_cost) == ("1980-05-17", "12.50", "USD")
    assert (john.zip_code, john.ux, john.must_change_password) == ("33101", "SIMPLIFIED", True)
    admin = users[ADMIN_UID]
    assert (admin.country, admin.city, admin.location, admin.time_zone) == ("US", "FL", "MIA", "America/New_York")
    assert users[MARY].password.startswith("pm_sha256_argon2$") and users[MARY].role.code == Role.MANAGER
    assert users["3" * 32].status == "INACTIVE" and users["4" * 32].status == "VACATION"
    ldap = users["6" * 32]
    assert ldap.status == "INACTIVE" and not ldap.has_usable_password()
    odd = users["7" * 32]
    assert (odd.email, odd.country, odd.city, odd.time_zone) == ("", "", "", "")
    assert users["8" * 32].role.code == "PROCESSMAKER_AUDITOR"
    assert "5" * 32 not in users and "9" * 32 not in users  # CLOSED, and no RBAC_USERS row
    reasons = {(p["row"].split()[0], p["level"]) for p in result["problems"] if p["table"] == "users"}
    assert {("gone", "skipped"), ("orphan", "failed"), ("ldapuser", "note"), ("oddprofile", "note")} <= reasons


def test_imported_users_log_in_with_their_processmaker_passwords(client: Client, pm38: fixture.Workspace) -> None:
    import_38(pm38)
    for username, password in (("johndoe", "p4ssw0rd"), ("MARY", "mary's sha256 password")):
        body = token_grant(client, grant_type="password", username=username, password=password)
        assert "access_token" in body, body
    # Verified once, then kept as Argon2id.
    assert identify_hasher(User.objects.get(workspace__name="acme", uid=JOHN).password).algorithm == "argon2"
    for username, password in (("inactive", "inactive's password"), ("johndoe", "p4ssw0rd "), ("ldapuser", "0" * 32)):
        body = token_grant(client, grant_type="password", username=username, password=password)
        assert body["error"] == "invalid_grant" and "access_token" not in body
    assert "access_token" in token_grant(client, grant_type="client_credentials")
    wrong = token_grant(client, grant_type="client_credentials", client_secret=SEED_CLIENT_SECRET[::-1])
    assert wrong["error"] == "invalid_client"


def test_live_tokens_keep_working_and_no_scope_means_every_scope(client: Client, pm38: fixture.Workspace) -> None:
    import_38(pm38)
    response = client.get("/api/1.0/acme/light/user/data", headers=bearer(token("john live")))
    assert response.status_code == 200 and response.json()["userName"] == "johndoe"
    john_live = AccessToken.objects.get(token_checksum=checksum(token("john live")))
    assert john_live.scope == "*"
    assert abs(john_live.expires - (timezone.now() + timedelta(hours=2))) < timedelta(minutes=1)
    mary_scoped = AccessToken.objects.get(token_checksum=checksum(token("mary scoped")))
    assert mary_scoped.scope == "view_process edit_process"  # ProcessMaker's plural names, as granted here
    as_mary = client.get("/api/1.0/acme/light/user/data", headers=bearer(token("mary scoped")))
    assert as_mary.status_code == 200 and as_mary.json()["userName"] == "mary"
    assert AccessToken.objects.get(token_checksum=checksum(token("client credentials"))).user is None
    for label in ("expired", "web session", "inactive user", "unknown client"):
        assert not AccessToken.objects.filter(token_checksum=checksum(token(label))).exists(), label
    # The refresh token works once, and only its hash is kept; presenting it again is reuse.
    assert RefreshToken.objects.get(token_checksum=checksum(token("john refresh"))).token == ""
    refreshed = token_grant(client, grant_type="refresh_token", refresh_token=token("john refresh"))
    assert "access_token" in refreshed and "refresh_token" in refreshed
    again = token_grant(client, grant_type="refresh_token", refresh_token=token("john refresh"))
    assert again["error"] == "invalid_grant"
    assert not RefreshToken.objects.filter(token_checksum=checksum(token("old refresh"))).exists()


def test_a_second_run_changes_nothing_and_says_so(pm38: fixture.Workspace) -> None:
    import_38(pm38)
    counts = [model.objects.count() for model in (User, Role, Application, AccessToken, RefreshToken)]
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_processmaker", "--source", pm38.wf.url, "--workspace", "acme", "--tokens", stdout=out)
    assert "Nothing to change: everything was already imported." in out.getvalue()
    second = import_38(pm38)
    assert not second["changed"]
    assert all(table["created"] == table["updated"] == 0 for table in second["tables"].values())
    assert counts == [model.objects.count() for model in (User, Role, Application, AccessToken, RefreshToken)]


def test_a_later_run_brings_over_what_changed_there_and_keeps_what_changed_here(mariadb: None) -> None:
    pm = fixture.build_38("pmfx_wf_changes")
    try:
        import_38(pm)
        john = User.objects.get(workspace__name="acme", uid=JOHN)
        update_user(john, {"phone": "555-here"})
        AccessToken.objects.filter(token_checksum=checksum(token("mary scoped"))).delete()  # revoked here
        User.objects.get(workspace__name="acme", username="beach").delete()
        pm.wf.execute("UPDATE RBAC_USERS SET USR_PASSWORD = %s WHERE USR_UID = %s", (md5("a new password"), JOHN))
        pm.wf.execute("UPDATE USERS SET USR_POSITION = 'Chief' WHERE USR_UID = %s", (JOHN,))
        pm.wf.execute("UPDATE USERS SET USR_STATUS = 'INACTIVE' WHERE USR_UID = %s", (MARY,))
        pm.add_user("c" * 32, "newcomer", md5("newcomer's password"), 3)
        result = import_38(pm)
    finally:
        pm.drop()
    assert result["tables"]["users"]["created"] == 1 and result["tables"]["users"]["updated"] == 2
    john.refresh_from_db()
    assert (john.position, john.phone) == ("Chief", "555-here") and check_password("a new password", john.password)
    # A new password ends the user's tokens here too; a token revoked here is not brought back.
    assert not AccessToken.objects.filter(user=john).exists()
    assert not AccessToken.objects.filter(token_checksum=checksum(token("mary scoped"))).exists()
    assert User.objects.get(workspace__name="acme", uid=MARY).status == "INACTIVE"
    assert not User.objects.filter(workspace__name="acme", username="beach").exists()
    assert any("deleted here" in p["reason"] for p in result["problems"] if p["row"].startswith("beach"))


def test_users_made_here_are_left_alone(workspace: Workspace, pm38: fixture.Workspace) -> None:
    """Importing into a workspace that has its own admin: ProcessMaker's admin is not forced over it."""
    before = User.objects.get_in_workspace(workspace, "admin").password
    result = run("--source", pm38.wf.url, "--workspace", "workflow", expect_failures=True)[0]
    assert User.objects.get_in_workspace(workspace, "admin").password == before
    assert any(p["row"].startswith("admin ") and "already exists" in p["reason"] for p in result["problems"])
    assert User.objects.filter(workspace=workspace, username="johndoe").exists()


def test_expiry_times_are_read_in_the_source_time_zone(mariadb: None) -> None:
    pm = fixture.build_2x("tz")
    la_paz = ZoneInfo("America/La_Paz")  # UTC-4, no summer time
    soon = fixture.local_now(la_paz) + timedelta(minutes=30)
    pm.add_token("OAUTH_ACCESS_TOKENS", token("la paz"), "LEGACYCLIENTLEGACYCLIENTLEGACYCL", "1" * 32, soon)
    args = ("--source", pm.wf.url, "--rbac-source", pm.rb.url, "--workspace", "tz", "--tokens")
    try:
        as_utc = run(*args, "--dry-run")[0]  # read as UTC, 30 minutes from now in La Paz passed 3.5 hours ago
        run(*args, "--source-timezone", "America/La_Paz")
    finally:
        pm.drop()
    assert as_utc["reasons"]["access tokens"] == {"expired": 1}
    expires = AccessToken.objects.get(token_checksum=checksum(token("la paz"))).expires
    assert abs(expires - (timezone.now() + timedelta(minutes=30))) < timedelta(minutes=1)


@pytest.mark.parametrize("upgraded", [True, False], ids=["upgraded-rb-database", "never-upgraded-rb-database"])
def test_a_workspace_born_on_2x_imports_from_its_two_databases(
    client: Client, mariadb: None, tmp_path: Path, upgraded: bool
) -> None:
    pm = fixture.build_2x("legacy", upgraded=upgraded)
    try:
        with pytest.raises(CommandError, match="--rbac-source"):
            call_command("import_processmaker", "--source", pm.wf.url, "--workspace", "legacy")
        source = ["--db-php", str(fixture.write_db_php(tmp_path / "db.php", pm))]
        if upgraded:
            source = ["--source", pm.wf.url, "--rbac-source", pm.rb.url]
        result = run(*source, "--workspace", "legacy", "--tokens")[0]
        second = run(*source, "--workspace", "legacy", "--tokens")[0]
    finally:
        pm.drop()
    assert "rb_legacy" in result["layout"] and not second["changed"]
    assert result["tables"]["users"]["created"] == 3 and result["tables"]["roles"]["created"] == 0
    # 3.0's USERS lacks USR_ID, USR_STATUS_ID and more: read by name, nothing missing.
    olduser = User.objects.get(workspace__name="legacy", username="olduser")
    assert (olduser.country, olduser.role.code) == ("BO", Role.OPERATOR)
    body = {"client_id": "LEGACYCLIENTLEGACYCLIENTLEGACYCL", "client_secret": "e" * 32, "grant_type": "password"}
    body.update(username="olduser", password="old md5 password")
    answer = post_token(client, body, url="/legacy/oauth2/token")
    assert "access_token" in answer.json()
    response = client.get("/api/1.0/legacy/light/user/data", headers=bearer(token("legacy live")))
    assert response.status_code == 200 and response.json()["userName"] == "olduser"


def test_two_processmaker_workspaces_share_their_admins_uid_here(pm38: fixture.Workspace, mariadb: None) -> None:
    import_38(pm38)
    pm = fixture.build_2x("second")
    try:
        run("--source", pm.wf.url, "--rbac-source", pm.rb.url, "--workspace", "second")
        again = run("--source", pm38.wf.url, "--workspace", "third", expect_failures=True)[0]
    finally:
        pm.drop()
    assert User.objects.filter(uid=ADMIN_UID).count() == 3
    refused = [p for p in again["problems"] if p["table"] == "clients" and p["level"] == "failed"]
    assert [p["row"] for p in refused] == [SEED_CLIENT_ID, "QWERTYUIOPASDFGHJKLZXCVBNMQWERTY"]
    assert "registered in workspace 'acme'" in refused[0]["reason"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "postgres://root@127.0.0.1/wf_x"], "mysql:// URL"),
        (["--source", "mysql://root@127.0.0.1:3306/"], "names no database"),
        (["--source", "mysql://root:s3cret-pw@127.0.0.1:1/wf_x"], "Cannot connect"),
        (["--source", "mysql://root@127.0.0.1:3306/pmfx_no_such_db"], "Unknown database"),
        (["--source", "mysql://root@127.0.0.1:3306/mysql"], "no USERS table"),
        ([], "Say where ProcessMaker's database is"),
        (["--db-php", "/nonexistent/db.php"], "Cannot read"),
        (["--source", "mysql://root@127.0.0.1/x", "--source-timezone", "Mars/Base"], "Unknown time zone"),
    ],
)
def test_a_bad_source_is_a_clear_error(db: None, mariadb: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        call_command("import_processmaker", *args, "--workspace", "acme")
    assert "s3cret-pw" not in str(raised.value) and "Traceback" not in str(raised.value)
    assert not Workspace.objects.filter(name="acme").exists()


@pytest.mark.parametrize("host", ["localhost:²", "localhost:3306x", "localhost:-1"])
def test_a_db_php_host_that_is_not_host_or_host_port_is_a_clear_error(tmp_path: Path, host: str) -> None:
    path = tmp_path / "db.php"
    path.write_text(f"<?php\ndefine('DB_NAME', 'wf_x');\ndefine('DB_HOST', '{host}');\n", encoding="utf-8")
    with pytest.raises(SourceError, match="is not host or host:port"):
        read_db_php(path)


@pytest.mark.parametrize(("name", "message"), [("sys bad!", "Invalid workspace name"), ("w" * 65, "Invalid")])
def test_a_bad_workspace_name_is_refused_before_anything_is_written(
    pm38: fixture.Workspace, name: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("import_processmaker", "--source", pm38.wf.url, "--workspace", name)
    assert not Workspace.objects.exists() and not User.objects.exists()


def test_a_name_that_differs_only_in_case_is_not_another_workspace(
    workspace: Workspace, pm38: fixture.Workspace
) -> None:
    """ "WORKFLOW" is neither "workflow" (names are exact) nor free (MySQL would fold them together)."""
    users = User.objects.count()
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_processmaker", "--source", pm38.wf.url, "--workspace", "WORKFLOW")
    # (Compared in Python: MySQL's filter(name="WORKFLOW") would match "workflow".)
    assert User.objects.count() == users and list(Workspace.objects.values_list("name", flat=True)) == ["workflow"]


def test_sys_and_a_workspace_name_is_a_workspace_of_its_own(workspace: Workspace, pm38: fixture.Workspace) -> None:
    """Importing into "sysworkflow" makes that workspace; "workflow" is untouched."""
    before = set(User.objects.filter(workspace=workspace).values_list("uid", "password"))
    run("--source", pm38.wf.url, "--workspace", "sysworkflow", expect_failures=True)
    assert set(User.objects.filter(workspace=workspace).values_list("uid", "password")) == before
    assert User.objects.filter(workspace__name="sysworkflow", username="johndoe").exists()


def test_output_shows_progress_and_never_a_secret_or_token(pm38: fixture.Workspace) -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_processmaker", "--source", pm38.wf.url, "--workspace", "acme", "--tokens", stdout=out, stderr=err
        )
    assert "users: 11 of 11 read (100%)" in err.getvalue()
    text = out.getvalue() + err.getvalue() + json.dumps(run("--source", pm38.wf.url, "--workspace", "acme",
                                                            "--tokens", expect_failures=True))  # fmt: skip
    secrets = [SEED_CLIENT_SECRET, "f" * 32, md5("p4ssw0rd"), token("john live"), token("john refresh"), PASSWORD]
    assert [secret for secret in secrets if secret in text] == []


class Interrupted(Exception):
    pass


def test_an_interrupted_run_leaves_no_table_half_imported_and_the_next_one_finishes(pm38: fixture.Workspace) -> None:
    def interrupt_users(table: str, done: int, total: int) -> None:
        if table == "users" and done == 5:
            raise Interrupted  # a crash, a lost connection: half way through the users

    layout = open_layout(parse_url(pm38.wf.url), None)
    try:
        with pytest.raises(Interrupted):
            run_import(Run(layout, "acme", ZoneInfo("UTC"), tokens=True, progress=interrupt_users))
    finally:
        layout.close()
    acme = Workspace.objects.get(name="acme")
    assert "PROCESSMAKER_AUDITOR" in set(acme.roles.values_list("code", flat=True))  # the roles table landed
    assert not User.objects.filter(workspace=acme).exists()  # the users table did not, not even 4 of them
    assert not ImportedRow.objects.filter(workspace=acme, kind="user").exists()
    finished = import_38(pm38)
    assert finished["tables"]["roles"]["unchanged"] == 5 and finished["tables"]["users"]["created"] == 9


def test_a_token_stored_with_processmakers_plural_scope_names_works(client: Client, pm38: fixture.Workspace) -> None:
    """Imported before the names were normalised: the checks take ProcessMaker's names too."""
    import_38(pm38)
    AccessToken.objects.filter(token_checksum=checksum(token("mary scoped"))).update(scope="view_processes")
    assert client.get("/api/1.0/acme/light/user/data", headers=bearer(token("mary scoped"))).status_code == 200


def test_binary_columns_arrive_as_text_not_as_python_reprs(mariadb: None) -> None:
    pm = fixture.build_38("pmfx_wf_binary")
    try:
        pm.wf.execute("ALTER TABLE USERS MODIFY USR_FIRSTNAME VARBINARY(100), MODIFY USR_LASTNAME VARBINARY(100)")
        pm.add_user("b" * 32, "zoe", md5("zoe's password"), 3, USR_FIRSTNAME="Zoë")
        pm.wf.execute("UPDATE USERS SET USR_LASTNAME = %s WHERE USR_UID = %s", (b"Ren\xe9e", "b" * 32))
        import_38(pm)
    finally:
        pm.drop()
    zoe = User.objects.get(workspace__name="acme", uid="b" * 32)
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "Ren\ufffde")  # Latin-1 bytes: the byte replaced, no b'...'
