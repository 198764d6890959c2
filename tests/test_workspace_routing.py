"""The routing middleware: three URL shapes, 503 for anything unknown: with no body for programs, with a
short page for a person's page (tests/test_error_pages.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from workspaces.middleware import workspace_name_from_path
from workspaces.models import Workspace

METHODS = ["get", "post", "put", "patch", "delete", "options", "head"]
SHAPES = ["/{ws}/oauth2/token", "/sys{ws}/en/neoclassic/login/login", "/api/1.0/{ws}/users"]


def assert_no_workspace(response: Any, shape: str, method: str = "get") -> None:
    """503 alike for unknown, inactive and malformed names; a page only for a person's GET of a page."""
    assert response.status_code == 503
    if shape.startswith("/sys") and method == "get":
        assert b"No such workspace" in response.content
    else:
        assert response.content == b""


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/workflow/oauth2/token", "workflow"),
        ("/workflow/oauth2", "workflow"),
        ("/sysworkflow/en/neoclassic/login/login", "workflow"),
        ("/sysworkflow/es/classic", "workflow"),
        ("/api/1.0/workflow/users", "workflow"),
        ("/api/1.0/workflow", "workflow"),
        ("/sys/en/neoclassic/login/login", ""),
        ("/admin/", None),
        ("/static/pm/site.css", None),
        ("/health", None),
        ("/ready", None),
        ("/metrics", None),
        ("/", None),
        ("/workflow/other", None),
    ],
)
def test_workspace_name_is_read_from_each_url_shape(path: str, name: str | None) -> None:
    assert workspace_name_from_path(path) == name


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", METHODS)
def test_unknown_workspace_gets_503_with_empty_body_for_every_method(
    client: Client, workspace: Workspace, shape: str, method: str
) -> None:
    response = getattr(client, method)(shape.format(ws="nosuchworkspace"))
    assert_no_workspace(response, shape, method)


@pytest.mark.parametrize("shape", SHAPES)
def test_inactive_workspace_gets_503(client: Client, workspace: Workspace, shape: str) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(is_active=False)
    response = client.get(shape.format(ws="workflow"))
    assert_no_workspace(response, shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "name", ["..", "%2e", "%2e%2e", ".", "w" * 65, "work flow", "work%00flow", "WORKFLOW", "workflow;"]
)
def test_odd_workspace_names_get_503(client: Client, workspace: Workspace, shape: str, name: str) -> None:
    response = client.get(shape.format(ws=name))
    assert_no_workspace(response, shape)


def test_known_workspace_is_routed_to_its_pages(client: Client, workspace: Workspace) -> None:
    response = client.get("/sysworkflow/en/neoclassic/login/login")
    assert response.status_code == 200
    assert b"workflow" in response.content


def test_known_workspace_with_unknown_page_is_404_not_503(client: Client, workspace: Workspace) -> None:
    assert client.get("/workflow/oauth2/no/such-endpoint").status_code == 404
    # One segment after oauth2/ is ProcessMaker's DELETE /oauth2/{token}: other methods are a 405.
    wrong_method = client.get("/workflow/oauth2/no-such-endpoint")
    assert wrong_method.status_code == 405 and wrong_method["Allow"] == "DELETE"
    assert client.get("/api/1.0/workflow/no-such-resource").status_code == 404


def test_a_64_character_name_is_valid(client: Client, db: None) -> None:
    Workspace.objects.create(name="w" * 64)
    assert client.get(f"/sys{'w' * 64}/en/neoclassic/login/login").status_code == 200


@pytest.mark.parametrize("path", ["/health", "/ready", "/admin/login/", "/", "/static/pm/site.css"])
def test_paths_outside_workspace_shapes_are_untouched(client: Client, db: None, path: str) -> None:
    assert client.get(path).status_code == 200


def test_the_favicon_is_served(client: Client, db: None) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert client.get(response["Location"]).status_code == 200


def test_page_errors_are_pages_in_the_sites_layout_and_the_api_keeps_its_json(
    client: Client, workspace: Workspace
) -> None:
    wrong_method = client.get("/sysworkflow/en/neoclassic/login/logout")
    assert wrong_method.status_code == 405 and wrong_method["Allow"] == "POST"
    assert b"This address is not a page" in wrong_method.content and b'class="brand"' in wrong_method.content
    missing = client.get("/sysworkflow/en/neoclassic/no/such/page")
    assert missing.status_code == 404 and b"Page not found" in missing.content and b'class="brand"' in missing.content
    api = client.post("/api/1.0/workflow/light/user/data")
    assert api.status_code in (401, 405) and api.json()["error"]["code"] == api.status_code
    assert client.get("/workflow/oauth2/token").status_code == 200  # the token endpoint's own JSON error


@pytest.mark.parametrize(
    ("path", "kind", "name", "rest"),
    [
        ("/workflow/oauth2/token", "oauth", "workflow", "token"),
        ("/api/1.0/workflow/oauth2/abc/expire", "oauth", "workflow", "abc/expire"),
        ("/sysother/oauth2/authorize", "oauth", "sysother", "authorize"),
        ("/workflow/.well-known/oauth-authorization-server", "metadata", "workflow", ""),
        ("/.well-known/oauth-authorization-server/workflow", "metadata", "workflow", ""),
        ("/api/1.0/workflow/users", "api", "workflow", ""),
        ("/sysworkflow/en/neoclassic/login/login", "page", "workflow", ""),
    ],
)
def test_the_path_shapes_are_written_once_in_names(path: str, kind: str, name: str, rest: str) -> None:
    from workspaces.names import PathShape, path_shape

    assert path_shape(path) == PathShape(kind, name, rest)


@pytest.mark.parametrize("path", ["/", "/admin/", "/health", "/static/pm/site.css", "/workflow/other"])
def test_other_paths_have_no_shape(path: str) -> None:
    from workspaces.names import path_shape

    assert path_shape(path) is None
