"""The OpenAPI schema: valid OpenAPI 3, lists every endpoint; its page loads nothing from other hosts."""

from __future__ import annotations

import re

import yaml
from django.test import Client
from drf_spectacular.validation import validate_schema

from api.userfields import MODEL_FIELDS
from workspaces.models import Workspace


def test_the_schema_is_valid_openapi_and_lists_every_endpoint(client: Client, workspace: Workspace) -> None:
    response = client.get("/api/1.0/workflow/schema")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = {path.replace("{ws}", "workflow"): set(ops) for path, ops in schema["paths"].items()}
    assert paths["/api/1.0/workflow/users"] >= {"get"}
    assert paths["/api/1.0/workflow/user"] >= {"post"}
    assert paths["/api/1.0/workflow/user/{usr_uid}"] >= {"get", "put", "delete"}
    assert paths["/api/1.0/workflow/project"] >= {"get", "post"}
    assert paths["/api/1.0/workflow/project/{prj_uid}"] >= {"get", "put", "delete"}
    assert paths["/api/1.0/workflow/light/user/data"] >= {"get"}


def test_the_schema_page_uses_only_local_assets(client: Client, workspace: Workspace) -> None:
    response = client.get("/api/1.0/workflow/schema/ui")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/1.0/workflow/schema" in page
    urls = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert urls and all(not url.startswith(("http:", "https:", "//")) for url in urls), urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_schema_describes_every_user_field_in_and_out(client: Client, workspace: Workspace) -> None:
    schema = yaml.safe_load(client.get("/api/1.0/workflow/schema").content)
    components = schema["components"]["schemas"]
    taken = set(components["UserInput"]["properties"])
    answered = set(components["User"]["properties"])
    assert taken == set(MODEL_FIELDS) | {"usr_new_pass", "usr_cnf_pass"}
    assert answered == set(MODEL_FIELDS) - {"usr_role"} | {"usr_role", "usr_uid", "usr_create_date",
                                                           "usr_update_date", "usr_calendar_uid"}  # fmt: skip
    assert set(components["UserInput"]["required"]) == {
        "usr_username", "usr_firstname", "usr_lastname", "usr_email", "usr_due_date", "usr_status", "usr_role",
        "usr_new_pass",
    }  # fmt: skip
    assert components["UserStatus"]["enum"] == ["ACTIVE", "INACTIVE", "VACATION"]


def test_the_schema_lists_the_oauth_endpoints_in_oauths_shapes(client: Client, workspace: Workspace) -> None:
    schema = yaml.safe_load(client.get("/api/1.0/workflow/schema").content)
    validate_schema(schema)
    oauth = {path: set(ops) for path, ops in schema["paths"].items() if "/api/" not in path}
    assert oauth == {
        "/workflow/oauth2/token": {"post"}, "/workflow/oauth2/revoke": {"post"},
        "/workflow/oauth2/introspect": {"post"}, "/workflow/oauth2/device_authorization": {"post"},
        "/workflow/oauth2/{token}/expire": {"post"}, "/workflow/oauth2/{token}": {"delete"},
        "/workflow/.well-known/oauth-authorization-server": {"get"},
    }  # fmt: skip
    token = schema["paths"]["/workflow/oauth2/token"]["post"]
    assert token["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TokenResponse"
    }
    assert "default" not in token["responses"]  # not the REST API's error body
    assert schema["components"]["securitySchemes"]["clientBasic"]["scheme"] == "basic"


def test_the_api_base_url_is_an_index(client: Client, workspace: Workspace) -> None:
    index = client.get("/api/1.0/workflow/")
    assert index.status_code == 200
    data = index.json()
    assert data["workspace"] == "workflow" and data["docs"] == "http://testserver/api/1.0/workflow/schema/ui"
    assert client.get(data["schema"]).status_code == 200
    assert data["endpoints"]["token"] == "http://testserver/workflow/oauth2/token"
