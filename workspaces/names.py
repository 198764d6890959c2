"""Workspace names and the URL shapes that carry them (ProcessMaker's three, and RFC 8414's).

Written once here; the URL confs, the routing middleware, the CORS setting and the model's
validator are all built from these. (No Django models are imported, so settings may use it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.validators import RegexValidator

WORKSPACE_NAME = r"[A-Za-z0-9_-]{1,64}"
WORKSPACE_NAME_RULE = "1 to 64 letters, digits, '_' or '-'"
workspace_name_validator = RegexValidator(rf"^{WORKSPACE_NAME}\Z", f"A workspace name is {WORKSPACE_NAME_RULE}.")

# URL conf prefixes. Each captures the workspace as `ws` so reverse() can build the URL; the
# routing middleware resolves it to `request.workspace` and drops it before the view runs.
OAUTH_URL = rf"^(?P<ws>{WORKSPACE_NAME})/oauth2/"
# ProcessMaker serves its OAuth routes under the REST base URL too: /api/1.0/{ws}/oauth2/...
API_OAUTH_URL = rf"^api/1\.0/(?P<ws>{WORKSPACE_NAME})/oauth2/"
# RFC 8414 metadata, in the two places a client looks for an issuer with a path (its section 3.1):
# /{ws}/.well-known/oauth-authorization-server and /.well-known/oauth-authorization-server/{ws}.
METADATA = "oauth-authorization-server"
# OpenID Connect Discovery 1.0 section 4: the issuer's own path, then /.well-known/openid-configuration.
OPENID_CONFIGURATION = "openid-configuration"
OPENID_CONFIGURATION_URL = rf"^(?P<ws>{WORKSPACE_NAME})/\.well-known/{OPENID_CONFIGURATION}$"
METADATA_URLS = (
    rf"^(?P<ws>{WORKSPACE_NAME})/\.well-known/{METADATA}$",
    rf"^\.well-known/{METADATA}/(?P<ws>{WORKSPACE_NAME})$",
)
SYS_URL = rf"^sys(?P<ws>{WORKSPACE_NAME})/(?P<lang>[A-Za-z_-]{{1,10}})/(?P<skin>[A-Za-z0-9_-]{{1,32}})/"
# The REST API: its URL conf is included under API_PREFIX (so other paths skip its patterns at
# once), and its patterns start with API_URL, the rest of /api/1.0/{ws}/.
API_PREFIX = r"^api/1\.0/"
API_URL = rf"^(?P<ws>{WORKSPACE_NAME})/"

# The same shapes as the request paths the middleware sees (with their leading "/"), for what must
# know a path's shape before (or without) the URL confs: the routing middleware, the browser
# middleware, the error handlers. Any name is captured, so a malformed one is answered like an unknown
# one (the URL confs only match well-formed names). The shapes overlap for names that start with
# "sys" (/sysother/oauth2/token could be workspace "other" with lang "oauth2"): a second segment
# "oauth2" (or ".well-known") always means the /{ws}/ shape, so it is tried first and the request
# reaches exactly the workspace the client named.
API_ROOT = "/api/"  # every path under it is the REST API's, answered in its JSON error shape
API_PATH = "/api/1.0/"
REQUEST_PATH = re.compile(
    r"^/(?:(?:api/1\.0/)?(?P<oauth>[^/]+)/oauth2(?:/(?P<rest>.*))?"
    rf"|(?P<issuer>[^/]+)/\.well-known/(?:{METADATA}|{OPENID_CONFIGURATION})"
    rf"|\.well-known/{METADATA}/(?P<metadata>[^/]*)"
    r"|api/1\.0/(?P<api>[^/]*)|sys(?P<sys>[^/]*)/[^/]+/[^/]+)(?:/|$)",
    re.DOTALL,
)
WELL_KNOWN = re.compile(r"^/(?:[^/]+/)?\.well-known/")


@dataclass(frozen=True)
class PathShape:
    """What a request path is: an OAuth route (`rest`: what follows /oauth2/, under /{ws}/ or
    /api/1.0/{ws}/), a workspace's RFC 8414 metadata, a REST API call, or a person's page
    (/sys{ws}/...); and the workspace it names, as given."""

    kind: str  # "oauth", "metadata", "api" or "page"
    workspace: str
    rest: str = ""

    @property
    def is_authorize(self) -> bool:
        """The authorize endpoint: a person's page although it is an OAuth route."""
        return self.kind == "oauth" and self.rest.rstrip("/") == "authorize"

    @property
    def is_for_people(self) -> bool:
        """An OAuth route a browser opens with the person's session: authorize, and OpenID Connect's
        logout (the end-session endpoint). Every other OAuth route is a program's."""
        return self.kind == "oauth" and self.rest.rstrip("/") in ("authorize", "logout")


def path_shape(path: str) -> PathShape | None:
    """The shape of a request path that names a workspace, or None for any other path."""
    match = REQUEST_PATH.match(path)
    if match is None:
        return None
    if match["oauth"] is not None:
        return PathShape("oauth", match["oauth"], match["rest"] or "")
    for kind, group in (("metadata", "issuer"), ("metadata", "metadata"), ("api", "api"), ("page", "sys")):
        if match[group] is not None:
            return PathShape(kind, match[group])
    return None  # unreachable: one alternative matched


def is_well_known(path: str) -> bool:
    """/.well-known/... or /{anything}/.well-known/...: metadata, never a person's page."""
    return WELL_KNOWN.match(path) is not None


# ProcessMaker's /{ws}/oauth2/{token}/expire and /{ws}/oauth2/{token} (under /api/1.0/ too) carry a
# live access token in the path. In text that holds paths (a log line), the segment after such an
# `oauth2/` that names none of the OAuth endpoints is a token: `redact_token_paths` hides it. Any
# second segment counts, so a mistyped or wrong-case workspace is covered too. (docker/nginx.conf
# writes its access log through the same rule, in nginx's own syntax.)
OAUTH_ENDPOINTS = (
    "token", "authorize", "revoke", "introspect", "device_authorization", "userinfo", "jwks", "logout",
)  # fmt: skip
TOKEN_IN_LOGGED_PATH = re.compile(
    r"""(?<![^\s'"(=])((?:/api/1\.0)?/[^/\s'"]+/oauth2/)"""
    rf"""(?!(?:{"|".join(OAUTH_ENDPOINTS)})(?:[/\s?#'"]|$))[^/\s?#'"]+"""
)
REDACTED_TOKEN = "[token]"


def redact_token_paths(text: str) -> str:
    """`text` with every token in a ProcessMaker token-in-path URL replaced by [token]."""
    return TOKEN_IN_LOGGED_PATH.sub(rf"\1{REDACTED_TOKEN}", text) if "/oauth2/" in text else text


# The language and skin of pages reached without one (ProcessMaker's defaults).
DEFAULT_LANG = "en"
DEFAULT_SKIN = "neoclassic"
