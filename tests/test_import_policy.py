"""A ProcessMaker workspace's password policy comes over from its db.php and is enforced: `PPP_*`
constants (quoted or bare, the old MINIMUN/MAXIMUN spellings), ProcessMaker's defaults for those it
does not define, users' password age and history from USERS_PROPERTIES."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from pmimport.policy import read_policy
from tests.conftest import new_user_body
from tests.oauth import post_token
from tests.processmaker import fixture
from tests.processmaker.fixture import SEED_CLIENT_ID, SEED_CLIENT_SECRET, sha256
from workspaces.models import UsedPassword, User, Workspace

pytestmark = pytest.mark.django_db
MARY = "2" * 32
MARYS_OLD = "Her First Passw0rd"
PPP = """
define('PPP_MINIMUN_LENGTH', 10);
define ('PPP_MAXIMUM_LENGTH', '30' );
define('PPP_NUMERICAL_CHARACTER_REQUIRED', 1);
define("PPP_UPPERCASE_CHARACTER_REQUIRED", "1");
define('PPP_EXPIRATION_IN', 48);
define('PPP_PASSWORD_HISTORY', 3);
define('PPP_FAILED_LOGINS', 5);
"""


def serialized(*digests: str) -> str:
    """A PHP serialize() of a list of strings, as ProcessMaker writes USR_PASSWORD_HISTORY."""
    items = "".join(f'i:{number};s:{len(digest)}:"{digest}";' for number, digest in enumerate(digests))
    return f"a:{len(digests)}:{{{items}}}"


@pytest.fixture(scope="module")
def pm(mariadb: None) -> Iterator[fixture.Workspace]:
    built = fixture.build_38("pmfx_wf_policy")
    built.wf.insert(
        "USERS_PROPERTIES", USR_UID=MARY, USR_LOGGED_NEXT_TIME=0,
        USR_LAST_UPDATE_DATE=fixture.local_now() - timedelta(days=3),
        USR_PASSWORD_HISTORY=serialized(sha256(MARYS_OLD), "not a digest", sha256("mary's sha256 password")),
    )  # fmt: skip
    yield built
    built.drop()


def db_php(tmp_path: Path, pm: fixture.Workspace, extra: str = PPP) -> Path:
    path = fixture.write_db_php(tmp_path / "db.php", pm)
    path.write_text(path.read_text() + extra)
    return path


def run_import(*args: str) -> tuple[dict[str, Any], str]:
    out = io.StringIO()
    try:
        call_command("import_processmaker", *args, "--workspace", "acme", stdout=out, stderr=io.StringIO())
    except CommandError as error:  # the fixture holds rows that cannot be imported, on purpose
        assert "could not be imported" in str(error), str(error)
    text = out.getvalue()
    return (json.loads(text) if "--json" in args else {}), text


def admin_token(client: Client) -> str:
    body = {
        "grant_type": "password", "client_id": SEED_CLIENT_ID, "client_secret": SEED_CLIENT_SECRET,
        "username": "admin", "password": "admin's sha256 pass",
    }  # fmt: skip
    return str(post_token(client, body, url="/acme/oauth2/token").json()["access_token"])


def test_the_policy_comes_over_and_rest_refuses_a_weak_password_in_processmakers_words(
    client: Client, pm: fixture.Workspace, tmp_path: Path
) -> None:
    result, _ = run_import("--db-php", str(db_php(tmp_path, pm)), "--json")
    assert result["password_policy"] == {
        "password_min_length": 10, "password_max_length": 30, "password_needs_digit": True,
        "password_needs_uppercase": True, "password_needs_special": False, "password_expiry_days": 2,
        "password_history": 3, "failed_logins_deactivate": 5,
    }  # fmt: skip
    workspace = Workspace.objects.get(name="acme")
    assert (workspace.password_min_length, workspace.password_expiry_days, workspace.password_history) == (10, 2, 3)
    body = new_user_body("newcomer", usr_new_pass="weakpass", usr_cnf_pass="weakpass")
    response = client.post(
        "/api/1.0/acme/user", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {admin_token(client)}"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["error"]["message"].endswith(
        "Your password does not meet the following password policies: - Minimum length: 10. "
        "- Numerical character required. - Uppercase character required."
    )
    assert not User.objects.filter(username="newcomer").exists()


def test_an_expired_user_changes_their_password_at_login_and_the_history_holds(
    client: Client, pm: fixture.Workspace, tmp_path: Path
) -> None:
    _, output = run_import("--db-php", str(db_php(tmp_path, pm)))
    assert "Password policy from db.php" in output
    mary = User.objects.get(workspace__name="acme", uid=MARY)
    assert UsedPassword.objects.filter(user=mary).count() == 1  # the earlier digest, not the current one
    response = client.post(
        "/sysacme/en/neoclassic/login/login", {"username": "mary", "password": "mary's sha256 password"}
    )
    assert response["Location"] == "/sysacme/en/neoclassic/login/password"  # 3 days old, 48 hours allowed
    change = {"new_password1": MARYS_OLD, "new_password2": MARYS_OLD}
    refused = client.post("/sysacme/en/neoclassic/login/password", change)
    assert b"Not one of the last 3 passwords." in refused.content
    change = {"new_password1": "Her Second Passw0rd", "new_password2": "Her Second Passw0rd"}
    assert client.post("/sysacme/en/neoclassic/login/password", change).status_code == 302
    mary.refresh_from_db()
    assert mary.check_password("Her Second Passw0rd")


def test_a_must_change_user_keeps_the_password_grant_unless_the_workspace_refuses(
    client: Client, pm: fixture.Workspace, tmp_path: Path
) -> None:
    run_import("--db-php", str(db_php(tmp_path, pm, extra="")))
    grant = {"grant_type": "password", "client_id": SEED_CLIENT_ID, "client_secret": SEED_CLIENT_SECRET,
             "username": "johndoe", "password": "p4ssw0rd"}  # fmt: skip
    assert "access_token" in post_token(client, grant, url="/acme/oauth2/token").json()
    call_command("setworkspace", "acme", "password_grant_refuses_change=true", stdout=io.StringIO())
    body = post_token(client, grant, url="/acme/oauth2/token").json()
    assert body["error_description"] == "The password has expired; sign in on the web to change it"


def test_constants_it_does_not_define_take_processmakers_defaults(pm: fixture.Workspace, tmp_path: Path) -> None:
    policy = read_policy(db_php(tmp_path, pm, extra=""))
    assert (policy.values["password_min_length"], policy.values["password_max_length"]) == (5, 20)
    assert policy.values["password_expiry_days"] == 0 and not policy.values["password_needs_digit"]


@pytest.mark.parametrize(("unit", "days", "noted"), [("hours", 3, True), ("days", 50, False)])
def test_the_expiration_unit(pm: fixture.Workspace, tmp_path: Path, unit: str, days: int, noted: bool) -> None:
    policy = read_policy(db_php(tmp_path, pm, extra="define('PPP_EXPIRATION_IN', 50);"), unit)  # type: ignore[arg-type]
    assert policy.values["password_expiry_days"] == days
    assert bool(policy.notes) == noted  # 50 hours is not whole days: rounded up, and said


def test_values_outside_the_ranges_are_brought_in_and_said(pm: fixture.Workspace, tmp_path: Path) -> None:
    extra = "define('PPP_MINIMUM_LENGTH', 0); define('PPP_MAXIMUM_LENGTH', 6); define('PPP_PASSWORD_HISTORY', 99);"
    policy = read_policy(db_php(tmp_path, pm, extra=extra))
    assert policy.values["password_min_length"] == 1
    assert policy.values["password_max_length"] == 8
    assert policy.values["password_history"] == 24
    assert len(policy.notes) == 3


def test_a_value_that_is_no_number_is_a_clear_error_before_anything_is_read(
    pm: fixture.Workspace, tmp_path: Path
) -> None:
    path = db_php(tmp_path, pm, extra="define('PPP_MINIMUM_LENGTH', 'eight');")
    with pytest.raises(CommandError, match="PPP_MINIMUM_LENGTH 'eight' is not a whole number"):
        call_command("import_processmaker", "--db-php", str(path), "--workspace", "acme", stdout=io.StringIO())
    assert not Workspace.objects.filter(name="acme").exists()
