"""A ProcessMaker 3.8 workspace whose people sign in with their directory password, imported: its
authentication source (the search password decoded from G::encrypt), its directory users ACTIVE and
bound to it, getting tokens through the seed's password-grant request with their directory passwords;
the directory stopped mid-run and started again."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from pmimport.phpdata import g_decrypt, g_encrypt, unserialize
from tests.directory_server import PEOPLE, SEARCH_DN, SEARCH_PASSWORD, SUFFIX, Directory, running_directory
from tests.oauth import post_token
from tests.processmaker import fixture
from tests.processmaker.fixture import SEED_CLIENT_ID, SEED_CLIENT_SECRET
from workspaces.models import AuthSource, User

pytestmark = [pytest.mark.django_db, pytest.mark.directory]
SOURCE = "d" * 32
FRANK, FRANKS_PASSWORD = "c" * 32, "frank's directory password"


@pytest.fixture(scope="module")
def directory() -> Iterator[Directory]:
    with running_directory() as server:
        server.add_person("frank", FRANKS_PASSWORD, givenName="Frank", mail="frank@example.com")
        yield server


@pytest.fixture(scope="module")
def pm(mariadb: None, directory: Directory) -> Iterator[fixture.Workspace]:
    built = fixture.build_38("pmfx_wf_directory")
    built.add_source(
        SOURCE, "Corp LDAP", "127.0.0.1", directory.port, AUTH_SOURCE_ENABLED_TLS=1, AUTH_SOURCE_BASE_DN=SUFFIX,
        AUTH_SOURCE_SEARCH_USER=SEARCH_DN, AUTH_SOURCE_PASSWORD=g_encrypt(SEARCH_PASSWORD, "127.0.0.1"),
        data={"LDAP_TYPE": "ldap", "AUTH_SOURCE_IDENTIFIER_FOR_USER": "uid",
              "AUTH_SOURCE_USERS_FILTER": "objectClass=inetOrgPerson"},
    )  # fmt: skip
    built.add_user(FRANK, "frank", "0" * 32, 3, auth_type="ldapadvanced", source=SOURCE, dn=f"uid=frank,{PEOPLE}")
    yield built
    built.drop()


def run_import(pm: fixture.Workspace) -> dict[str, Any]:
    out = io.StringIO()
    try:
        call_command("import_processmaker", "--source", pm.wf.url, "--workspace", "acme", "--json",
                     stdout=out, stderr=io.StringIO())  # fmt: skip
    except CommandError as error:  # the fixture holds rows that cannot be imported, on purpose
        assert "could not be imported" in str(error), str(error)
    return dict(json.loads(out.getvalue()))


def seed_password_grant(username: str, password: str) -> Any:
    """The documentation's pmRestLogin() request."""
    body = {"grant_type": "password", "scope": "*", "client_id": SEED_CLIENT_ID,
            "client_secret": SEED_CLIENT_SECRET, "username": username, "password": password}  # fmt: skip
    return post_token(Client(), body, url="/acme/oauth2/token")


def test_directory_users_come_over_with_their_source_and_sign_in_with_their_directory_password(
    pm: fixture.Workspace, directory: Directory
) -> None:
    report = run_import(pm)
    assert report["tables"]["auth sources"]["created"] == 1
    source = AuthSource.objects.get(workspace__name="acme", uid=SOURCE)
    assert (source.servers, source.port, source.encryption) == ("127.0.0.1", directory.port, "starttls")
    assert source.bind_password == SEARCH_PASSWORD  # decoded from G::encrypt, stored encrypted
    assert source.users_filter == "(objectClass=inetOrgPerson)"
    frank = User.objects.get(workspace__name="acme", uid=FRANK)
    assert frank.is_active and frank.auth_source == source and not frank.has_usable_password()
    assert frank.directory_dn == f"uid=frank,{PEOPLE}"
    # ProcessMaker keeps no CA: the operator gives the directory's (the admin, or the authsource command).
    call_command("authsource", "acme", "Corp LDAP", f"ca_certificates={directory.ca_pem}", stdout=io.StringIO())
    token = seed_password_grant("frank", FRANKS_PASSWORD).json()
    assert token["token_type"] == "bearer" and len(token["access_token"]) == 40
    assert seed_password_grant("frank", "not it").json()["error"] == "invalid_grant"

    # The directory stops mid-run: a clear error for its users, local users still served...
    directory.terminate()
    directory.wait()
    try:
        down = seed_password_grant("frank", FRANKS_PASSWORD)
        assert down.status_code == 200 and down.json() == {
            "error": "invalid_grant", "error_description": "The sign-in service is unavailable; try again later"
        }  # fmt: skip
        assert "access_token" in seed_password_grant("mary", "mary's sha256 password").json()
    finally:
        directory.resume()
    # ...and its users are back when it is.
    assert "access_token" in seed_password_grant("frank", FRANKS_PASSWORD).json()
    frank.refresh_from_db()
    assert frank.failed_logins == 0


def test_a_directory_user_given_a_local_password_since_is_left_signing_in_here(
    pm: fixture.Workspace, directory: Directory
) -> None:
    run_import(pm)
    frank = User.objects.get(workspace__name="acme", uid=FRANK)
    User.objects.filter(pk=frank.pk).update(auth_source=None)  # as imported before directory sign-in came
    frank.refresh_from_db()
    frank.set_password("a local password set here")
    frank.save()
    from pmimport.models import ImportedRow

    ImportedRow.objects.filter(kind="user", key=FRANK).update(fields={})  # the old run recorded no source
    report = run_import(pm)
    frank.refresh_from_db()
    assert frank.auth_source is None and frank.check_password("a local password set here")
    assert any("left signing in here" in problem["reason"] for problem in report["problems"])


def test_processmakers_encodings_are_read() -> None:
    assert g_decrypt(g_encrypt("pässword|x", "ldap.example.com"), "ldap.example.com") == "pässword|x"
    assert unserialize('a:2:{s:9:"LDAP_TYPE";s:2:"ad";s:4:"AUTO";i:1;}') == {"LDAP_TYPE": "ad", "AUTO": 1}
    with pytest.raises(ValueError):
        unserialize('O:8:"stdClass":0:{}')  # an object is never brought to life


def test_a_directory_user_imported_before_directory_sign_in_is_switched_on_the_next_import(
    pm: fixture.Workspace, directory: Directory
) -> None:
    from pmimport.models import ImportedRow

    run_import(pm)
    frank = User.objects.get(workspace__name="acme", uid=FRANK)
    # As the earlier importer left them: INACTIVE, no password, no source, and a ledger without the new fields.
    User.objects.filter(pk=frank.pk).update(auth_source=None, directory_dn="", status=User.Status.INACTIVE)
    entry = ImportedRow.objects.get(kind="user", key=FRANK)
    ImportedRow.objects.filter(pk=entry.pk).update(
        fields={k: v for k, v in entry.fields.items() if k not in ("auth_source", "directory_dn", "status")}
    )
    run_import(pm)
    frank.refresh_from_db()
    assert frank.is_active and frank.auth_source is not None and frank.directory_dn == f"uid=frank,{PEOPLE}"
