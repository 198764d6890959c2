"""Named actors shared by the suite.

- `workspace`: the workspace "workflow", made by the real createworkspace service.
- `admin`: its admin (PROCESSMAKER_ADMIN, with PM_REST_API_APPLICATIONS).
- `operator_user`: a plain user (PROCESSMAKER_OPERATOR).
- `other_workspace` / `stranger`: a second workspace and a user of it.
- `app`: a confidential client of "workflow"; `public_app`: a public one; `foreign_app`: a
  client of the other workspace.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.services import create_user, provision_workspace
from oauth_apps.services import RegisteredClient, register_application
from workspaces.models import Role, User, Workspace

PASSWORD = "correct horse battery"


@pytest.fixture
def workspace(db: None) -> Workspace:
    return provision_workspace("workflow", "admin", PASSWORD).workspace


@pytest.fixture
def admin(workspace: Workspace) -> User:
    return User.objects.get_in_workspace(workspace, "admin")


@pytest.fixture
def operator_user(workspace: Workspace) -> User:
    role = workspace.roles.get(code=Role.OPERATOR)
    return create_user(
        workspace, "JohnDoe", PASSWORD, role=role, first_name="John", last_name="Doe", email="john@example.com"
    )


@pytest.fixture
def other_workspace(db: None) -> Workspace:
    return provision_workspace("other", "admin", PASSWORD).workspace


@pytest.fixture
def stranger(other_workspace: Workspace) -> User:
    role = other_workspace.roles.get(code=Role.ADMIN)
    return create_user(other_workspace, "stranger", PASSWORD, role=role)


@pytest.fixture
def app(admin: User) -> RegisteredClient:
    """A confidential client registered by the workspace admin."""
    return register_application(admin.workspace, admin, name="Test app", website="https://example.com")


@pytest.fixture
def public_app(admin: User) -> RegisteredClient:
    return register_application(
        admin.workspace,
        admin,
        name="Public app",
        website="https://example.com",
        callback="https://client.example/cb",
        public=True,
    )


@pytest.fixture
def foreign_app(stranger: User) -> RegisteredClient:
    """A client of the other workspace."""
    return register_application(stranger.workspace, stranger, name="Foreign app", website="https://example.org")


@pytest.fixture(autouse=True)
def no_workspace_cache(settings: Any) -> None:
    """Tests change workspaces with queryset updates, which no signal reports: read them fresh.
    tests/test_workspace_cache.py turns the cache on to test it."""
    settings.PM_WORKSPACE_CACHE_SECONDS = 0
