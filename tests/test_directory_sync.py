"""`manage.py syncdirectory` against a real OpenLDAP: profiles and roles brought in line, users gone
from the directory deactivated with their tokens ended, new ones registered when asked, paged
searches, a dry run that changes nothing, one run per workspace at a time, an outage that leaves
everyone as they were."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from directory import client as ldap_client
from oauth_apps.models import AccessToken
from oauth_apps.services import RegisteredClient
from tests.directory_server import SEARCH_DN, SEARCH_PASSWORD, SUFFIX, Directory, running_directory
from tests.oauth import issue
from workspaces.models import AuthSource, PeriodicTask, Role, User, Workspace

pytestmark = pytest.mark.directory  # a real slapd: the slow set (scripts/run-tests)


@pytest.fixture(scope="module")
def directory() -> Iterator[Directory]:
    with running_directory() as server:
        yield server


@pytest.fixture
def people(directory: Directory, request: pytest.FixtureRequest) -> str:
    """An OU of the test's own holding alice, bob, carol and dave: what one test does to them no other sees."""
    ou = f"ou={request.node.name[:40]},{SUFFIX}"
    directory.ldapadd(f"dn: {ou}\nobjectClass: organizationalUnit\nou: {request.node.name[:40]}\n")
    for name in ("alice", "bob", "carol", "dave"):
        directory.add_person(name, f"{name}'s password", under=ou, givenName=name.title(), mail=f"{name}@example.com")
    return ou


@pytest.fixture
def source(workspace: Workspace, directory: Directory, people: str) -> AuthSource:
    return AuthSource.objects.create(
        workspace=workspace, name="Corp", servers="127.0.0.1", port=directory.port, ca_certificates=directory.ca_pem,
        base_dn=people, bind_dn=SEARCH_DN, bind_password=SEARCH_PASSWORD, users_filter="(objectClass=inetOrgPerson)",
        connect_timeout=2, operation_timeout=2,
    )  # fmt: skip


def directory_user(source: AuthSource, username: str) -> User:
    user = User(workspace=source.workspace, username=username, auth_source=source,
                role=source.workspace.roles.get(code=Role.OPERATOR))  # fmt: skip
    user.set_unusable_password()
    user.save()
    return user


def sync(*options: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("syncdirectory", "--workspace", "workflow", "--json", *options, stdout=out, stderr=io.StringIO())
    return dict(json.loads(out.getvalue()))


def test_a_sync_updates_profiles_and_deactivates_users_gone_with_their_tokens(
    directory: Directory, source: AuthSource, app: RegisteredClient
) -> None:
    alice, bob = directory_user(source, "alice"), directory_user(source, "bob")
    issue(app, bob)
    directory.ldapdelete(f"uid=bob,{source.base_dn}")
    directory.ldapmodify(f"dn: uid=alice,{source.base_dn}\nchangetype: modify\nreplace: sn\nsn: Liddell\n")
    dry = sync("--dry-run")
    assert dry["sources"]["Corp"] == {"updated": 1, "unchanged": 0, "deactivated": 1, "registered": 0, "failed": 0}
    bob.refresh_from_db()
    assert bob.is_active  # the dry run changed nothing
    result = sync()
    assert result["sources"]["Corp"]["deactivated"] == 1 and "bob: deactivated (gone from the directory)" in (
        " ".join(result["notes"])
    )
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.last_name == "Liddell" and alice.directory_dn == f"uid=alice,{source.base_dn}"
    assert not bob.is_active and not AccessToken.objects.filter(user=bob, expires__gt=timezone.now()).exists()
    assert sync()["sources"]["Corp"] == {"updated": 0, "unchanged": 2, "deactivated": 0, "registered": 0, "failed": 0}


def test_register_adds_the_directorys_users_a_page_at_a_time(
    directory: Directory, source: AuthSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ldap_client, "PAGE_SIZE", 2)  # four people: two pages
    directory_user(source, "alice")
    result = sync("--register")
    assert result["sources"]["Corp"]["registered"] == 3
    registered = User.objects.filter(auth_source=source).exclude(username="alice")
    assert sorted(registered.values_list("username", flat=True)) == ["bob", "carol", "dave"]
    assert all(not user.has_usable_password() for user in registered)


def test_one_run_per_workspace_at_a_time(source: AuthSource) -> None:
    PeriodicTask.objects.create(
        name="syncdirectory:workflow", leased_until=timezone.now() + timedelta(minutes=5), leased_by="x:1"
    )
    with pytest.raises(CommandError, match="A sync of workflow is running already"):
        sync()


def test_a_directory_that_does_not_answer_leaves_its_users_as_they_are(
    directory: Directory, source: AuthSource
) -> None:
    alice = directory_user(source, "alice")
    AuthSource.objects.filter(pk=source.pk).update(servers="127.0.0.2")
    with pytest.raises(CommandError, match="could not be read"):
        sync()
    alice.refresh_from_db()
    assert alice.is_active


def test_an_unknown_workspace_or_one_without_a_source_is_said_plainly(workspace: Workspace) -> None:
    with pytest.raises(CommandError, match="nope"):
        call_command("syncdirectory", "--workspace", "nope", stdout=io.StringIO())
    out = io.StringIO()
    call_command("syncdirectory", "--workspace", "workflow", stdout=out, stderr=io.StringIO())
    assert "workflow has no authentication source." in out.getvalue()
