"""One identity, one name: how a typed username finds its account, on every way in and on both databases.

The compared form is NFKC(casefold(NFKC(name))) without surrounding whitespace, compared byte for
byte: case and compatibility variants (fullwidth letters) are the same name; accented letters and
letters of other scripts are other names, on SQLite and on MariaDB alike (whose `_ci` collations
would match `ádmin` to `admin`).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from accounts.services import create_user
from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import Role, User, Workspace
from workspaces.services import WorkspaceError
from workspaces.usernames import fold_username

LOGIN = "/sysworkflow/en/neoclassic/login/login"
ADMIN_LOGIN = "/admin/login/"
OPERATOR_PASSWORD = "operator password 1"
LOCKED = b"Too many failed logins for this username"

# Spellings that are other names than "admin": accents, and lookalike letters of other scripts.
OTHER_NAMES = ["ádmin", "admín", "ÁDMIN", "\u0430dmin", "adm\u0131n", "admin\u0301"]
# Spellings of "admin" itself: case and compatibility (width) variants, surrounding whitespace.
SAME_NAMES = ["ADMIN", "Admin", "\uff41\uff44\uff4d\uff49\uff4e", "\uff21\uff24\uff2d\uff29\uff2e", "  admin "]


def web_login(client: Client, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Admin", "admin"),
        ("\uff41\uff44\uff4d\uff49\uff4e", "admin"),  # fullwidth
        ("Straße", "strasse"),
        ("\u212bngstr\u00f6m", "\u00e5ngstr\u00f6m"),  # the Angstrom sign is the letter Å
        ("  Ｊｏｈｎ  ", "john"),
        ("ádmin", "ádmin"),
        ("\u0430dmin", "\u0430dmin"),  # Cyrillic а stays Cyrillic
        ("adm\u0131n", "adm\u0131n"),  # dotless ı stays dotless
    ],
)
def test_the_compared_form(typed: str, folded: str) -> None:
    assert fold_username(typed) == folded


@pytest.mark.parametrize("typed", SAME_NAMES)
def test_case_and_width_variants_sign_in_as_the_account(client: Client, app: RegisteredClient, typed: str) -> None:
    assert web_login(client, typed, PASSWORD).status_code == 302
    assert password_grant(Client(), app, typed, PASSWORD).json()["token_type"] == "bearer"


@pytest.mark.parametrize("typed", OTHER_NAMES)
def test_accented_and_lookalike_spellings_are_other_names(client: Client, app: RegisteredClient, typed: str) -> None:
    assert web_login(client, typed, PASSWORD).status_code == 200
    assert password_grant(Client(), app, typed, PASSWORD).json()["error"] == "invalid_grant"


@pytest.mark.parametrize("typed", OTHER_NAMES[:3])
def test_another_spelling_does_not_dodge_a_lock(client: Client, app: RegisteredClient, typed: str) -> None:
    """While `admin` is locked, an accented spelling neither signs in nor takes guesses at its password."""
    for number in range(10):
        web_login(client, "admin", "wrong", f"10.0.0.{number}")
    assert LOCKED in web_login(client, "admin", PASSWORD, "10.0.1.1").content
    assert LOCKED not in web_login(client, typed, PASSWORD, "10.0.1.2").content  # an unknown name, refused
    assert password_grant(Client(REMOTE_ADDR="10.0.1.3"), app, typed, PASSWORD).json()["error"] == "invalid_grant"
    fullwidth = "\uff41\uff44\uff4d\uff49\uff4e"
    assert LOCKED in web_login(client, fullwidth, PASSWORD, "10.0.1.4").content  # the account's own counter


def test_every_spelling_of_an_account_shares_its_counter(client: Client, admin: User) -> None:
    for number, typed in enumerate(SAME_NAMES * 2):
        web_login(client, typed, "wrong", f"10.0.2.{number}")
    assert LOCKED in web_login(client, "admin", PASSWORD, "10.0.3.1").content


def test_a_name_that_folds_to_a_taken_one_is_taken(workspace: Workspace, admin: User) -> None:
    operator = workspace.roles.get(code=Role.OPERATOR)
    with pytest.raises(WorkspaceError, match="already exists"):
        create_user(workspace, "\uff21\uff24\uff2d\uff29\uff2e", PASSWORD, role=operator)
    accented = create_user(workspace, "ádmin", PASSWORD, role=operator)  # another name, on MariaDB too
    assert accented.username == "ádmin" and accented.username_folded == "ádmin"
    assert User.objects.get_in_workspace(workspace, "ÁDMIN") == accented
    assert User.objects.get_in_workspace(workspace, "admin") == admin


def test_the_username_keeps_the_text_as_typed(workspace: Workspace) -> None:
    user = create_user(workspace, " Jöhn ", PASSWORD, role=workspace.roles.get(code=Role.OPERATOR))
    assert (user.username, user.username_folded) == ("Jöhn", "jöhn")


def test_an_accented_operator_name_does_not_sign_in_to_the_admin(client: Client, db: None) -> None:
    User.objects.create_superuser("root", OPERATOR_PASSWORD)
    refused = client.post(ADMIN_LOGIN, {"username": "róot", "password": OPERATOR_PASSWORD, "next": "/admin/"})
    assert refused.status_code == 200
    accepted = client.post(ADMIN_LOGIN, {"username": "ROOT", "password": OPERATOR_PASSWORD, "next": "/admin/"})
    assert accepted.status_code == 302


def test_one_ipv6_network_is_one_address_for_the_limits(client: Client, operator_user: User) -> None:
    """A /64 is what one client gets: each failure from another address of it counts for the network."""
    for number in range(1, 10):
        web_login(client, "nobody", "wrong", f"2001:db8:1:2::{number:x}")
    response = web_login(client, "johndoe", PASSWORD, "2001:db8:1:2:ffff::1")
    assert b"Too many failed logins from your address" in response.content
    assert web_login(client, "johndoe", PASSWORD, "2001:db8:1:3::1").status_code == 302  # the next /64


def migration_0013() -> Any:
    return importlib.import_module("workspaces.migrations.0013_usernames_compared_byte_for_byte")


def test_the_migration_recomputes_every_compared_form(workspace: Workspace, admin: User) -> None:
    john = create_user(workspace, "Ｊｏｈｎ", PASSWORD, role=workspace.roles.get(code=Role.OPERATOR))
    User.objects.filter(pk=john.pk).update(username_folded="ｊｏｈｎ")  # casefold() alone, the old rule
    User.objects.filter(pk=admin.pk).update(username_folded="ADMIN")
    migration_0013().recompute(apps, None)
    assert dict(User.objects.values_list("username", "username_folded")) == {"Ｊｏｈｎ": "john", "admin": "admin"}


def test_the_migration_stops_and_names_the_users_who_would_share_a_name(workspace: Workspace, admin: User) -> None:
    """Two accounts the old rule told apart and the new one does not: nothing is merged or renamed."""
    twin = create_user(workspace, "twin", PASSWORD, role=workspace.roles.get(code=Role.OPERATOR))
    User.objects.filter(pk=twin.pk).update(username="ａｄｍｉｎ", username_folded="ａｄｍｉｎ")
    with pytest.raises(RuntimeError) as stopped:
        migration_0013().refuse_collisions(apps, None)
    assert f"'admin' (uid {admin.uid}), 'ａｄｍｉｎ' (uid {twin.uid}) are all 'admin'" in str(stopped.value)
    assert "workspace workflow" in str(stopped.value) and "Nothing was changed" in str(stopped.value)
    assert User.objects.get(pk=twin.pk).username_folded == "ａｄｍｉｎ"
