"""Scope spelling: aliases, %20, duplicates, order; and what each scope allows."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces import scopes
from workspaces.models import User


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("*", ["*"]),
        ("view_processes edit_processes", ["view_process", "edit_process"]),
        ("edit_process%20view_process", ["edit_process", "view_process"]),
        ("view_process view_processes view_process", ["view_process"]),
        ("  edit_process   *  ", ["edit_process", "*"]),
        ("", []),
        (None, []),
    ],
)
def test_normalise(requested: str | None, granted: list[str]) -> None:
    assert scopes.normalise(requested) == granted


@pytest.mark.parametrize(
    ("requested", "original", "allowed"),
    [
        (["view_process"], ["*"], True),
        (["*"], ["*"], True),
        (["*"], ["view_process", "edit_process"], False),
        (["edit_process"], ["view_process"], False),
        (["view_process"], ["view_process", "edit_process"], True),
    ],
)
def test_within(requested: list[str], original: list[str], allowed: bool) -> None:
    assert scopes.within(requested, original) is allowed


@pytest.mark.parametrize(
    ("asked", "original", "allowed"),
    [
        (["view_process"], ["*"], True),  # covered by *
        (["legacy_scope"], ["legacy_scope", "*"], True),  # literally the token's own, known or not
        (["root"], ["*"], False),  # unknown, and not the token's own
        (["edit_process"], ["view_process"], False),
        (["edit_process", "view_process"], ["view_process", "edit_process"], True),
    ],
)
def test_refresh_allows(asked: list[str], original: list[str], allowed: bool) -> None:
    assert scopes.refresh_allows(asked, original) is allowed


def test_read_and_write_rules() -> None:
    assert scopes.allows_read(["view_process"]) and not scopes.allows_write(["view_process"])
    assert scopes.allows_read(["edit_process"]) and scopes.allows_write(["edit_process"])
    assert scopes.allows_read(["*"]) and scopes.allows_write(["*"])
    assert not scopes.allows_read([])


def test_the_granted_scope_is_normalised_in_request_order(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    data = password_grant(client, app, "johndoe", PASSWORD, scope="edit_processes view_process edit_process").json()
    assert data["scope"] == "edit_process view_process"
