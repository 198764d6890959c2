"""The workspace's OAuth endpoints, described for the OpenAPI schema beside the REST API.

They are Django views, not DRF ones, so drf-spectacular cannot see them: `api.schema.workspace_paths`
adds these path items (and their components) to every workspace's schema. They answer OAuth's own
shapes (RFC 6749 5.1/5.2, RFC 7662, RFC 8414, RFC 8628), not the REST API's error body.
"""

from __future__ import annotations

from typing import Any

FORM = "application/x-www-form-urlencoded"
CLIENT: dict[str, list[str]] = {
    "clientBasic": []
}  # HTTP Basic with the client's id and secret, or the same in the body
PUBLIC: list[dict[str, list[str]]] = [{}, CLIENT]  # a public client sends its client_id alone

COMPONENTS: dict[str, Any] = {
    "OAuthError": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
        "description": "RFC 6749 5.2. A workspace in processmaker error mode answers it with HTTP 200.",
    },
    "TokenResponse": {
        "type": "object",
        "required": ["access_token", "expires_in", "token_type", "scope"],
        "properties": {
            "access_token": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
            "expires_in": {"type": "integer"},
            "token_type": {"type": "string", "enum": ["bearer"]},
            "scope": {"type": "string"},
            "refresh_token": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
        },
    },
    "Introspection": {
        "type": "object",
        "required": ["active"],
        "properties": {
            "active": {"type": "boolean"},
            **{name: {"type": "string"} for name in ("scope", "client_id", "username", "sub", "token_type", "iss")},
            "exp": {"type": "integer"},
            "iat": {"type": "integer"},
        },
    },
    "DeviceAuthorization": {
        "type": "object",
        "properties": {
            **{name: {"type": "string"} for name in ("device_code", "user_code", "verification_uri")},
            "verification_uri_complete": {"type": "string"},
            "expires_in": {"type": "integer"},
            "interval": {"type": "integer"},
        },
    },
    "AuthorizationServerMetadata": {
        "type": "object",
        "description": "RFC 8414 section 2",
        "additionalProperties": True,
    },
    "Empty": {"type": "object", "additionalProperties": False},
}


def form(*required: str, **properties: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": {name: {"type": "string", **spec} for name, spec in properties.items()}}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {FORM: {"schema": schema}}}


def answers(success: str, description: str, errors: tuple[int, ...] = (400, 401)) -> dict[str, Any]:
    responses = {"200": {"description": description, "content": {"application/json": {"schema": ref(success)}}}}
    for status in errors:
        responses[str(status)] = {
            "description": "OAuth error",
            "content": {"application/json": {"schema": ref("OAuthError")}},
        }
    return responses


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def operation(operation_id: str, summary: str, **fields: Any) -> dict[str, Any]:
    return {"operationId": operation_id, "tags": ["oauth2"], "summary": summary, **fields}


TOKEN_IN_PATH = [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}]


def oauth_paths() -> dict[str, Any]:
    """Path items under /{ws}/ (the same answer under /api/1.0/{ws}/oauth2/, ProcessMaker's other prefix)."""
    token_grant = form(
        "grant_type",
        grant_type={"enum": ["password", "client_credentials", "refresh_token", "authorization_code",
                             "urn:ietf:params:oauth:grant-type:device_code"]},
        username={}, password={"format": "password"}, refresh_token={}, code={}, redirect_uri={}, code_verifier={},
        device_code={}, scope={}, client_id={}, client_secret={"format": "password"},
    )  # fmt: skip
    return {
        "/{ws}/oauth2/token": {
            "post": operation(
                "oauth2_token",
                "Issue tokens (every ProcessMaker grant, and the device code)",
                security=PUBLIC,
                requestBody=token_grant,
                responses={**answers("TokenResponse", "Tokens, or in processmaker error mode an OAuthError")},
            )  # fmt: skip
        },
        "/{ws}/oauth2/revoke": {
            "post": operation(
                "oauth2_revoke",
                "Revoke one of the client's tokens (RFC 7009)",
                security=PUBLIC,
                requestBody=form("token", token={}, token_type_hint={}),
                responses=answers("Empty", "Revoked, or nothing to revoke"),
            )  # fmt: skip
        },
        "/{ws}/oauth2/introspect": {
            "post": operation(
                "oauth2_introspect",
                "Say what a token is (RFC 7662): confidential clients of the workspace",
                security=[CLIENT],
                requestBody=form("token", token={}, token_type_hint={}),
                responses=answers("Introspection", '{"active": false} for any token not usable here'),
            )  # fmt: skip
        },
        "/{ws}/oauth2/device_authorization": {
            "post": operation(
                "oauth2_device_authorization",
                "Start the device flow (RFC 8628), for clients that turned it on",
                security=PUBLIC,
                requestBody=form("client_id", client_id={}, scope={}),
                responses=answers("DeviceAuthorization", "The device and user codes"),
            )  # fmt: skip
        },
        "/{ws}/oauth2/{token}/expire": {
            "post": operation(
                "oauth2_token_expire",
                "ProcessMaker's: expire the access token in the path (its only credential)",
                security=[{}],
                parameters=TOKEN_IN_PATH,
                responses=answers("Empty", "Done, or no such token", ()),
            )  # fmt: skip
        },
        "/{ws}/oauth2/{token}": {
            "delete": operation(
                "oauth2_token_delete",
                "ProcessMaker's: delete the access token in the path (prefer /revoke)",
                security=[{}],
                parameters=TOKEN_IN_PATH,
                responses=answers("Empty", "Done, or no such token", ()),
            )  # fmt: skip
        },
        "/{ws}/.well-known/oauth-authorization-server": {
            "get": operation(
                "oauth2_metadata",
                "Authorization server metadata (RFC 8414); also at /.well-known/oauth-authorization-server/{ws}",
                security=[{}],
                responses=answers("AuthorizationServerMetadata", "The workspace's metadata", ()),
            )  # fmt: skip
        },
    }
