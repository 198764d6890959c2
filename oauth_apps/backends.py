"""How token requests are read: form, multipart (PHP cURL with an array of fields) and JSON."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from oauth2_provider.oauth2_backends import OAuthLibCore

from workspaces.http import parse_json

PARAMS_ATTRIBUTE = "_pm_token_params"


def token_request_params(request: HttpRequest) -> dict[str, str]:
    """The request's parameters, read once: the last value of a repeated form field wins.

    A JSON body must be an object; its string, number and boolean values are taken as
    they would be in a form, anything else (nested objects, arrays, bad or hostile JSON: see
    `parse_json`) is ignored,
    which leaves the request without the parameters it needs and so gives ProcessMaker's
    "missing parameter" errors rather than a server error.
    """
    cached: dict[str, str] | None = getattr(request, PARAMS_ATTRIBUTE, None)
    if cached is not None:
        return cached
    params: dict[str, str] = {}
    if request.content_type == "application/json":
        try:
            body: Any = parse_json(request.body, request.encoding or "utf-8")
        except ValueError:
            body = {}
        if isinstance(body, dict):
            for key, value in body.items():
                if isinstance(value, bool):
                    params[key] = "true" if value else "false"
                elif isinstance(value, str | int | float):
                    params[key] = str(value)
    else:
        params = {key: values[-1] for key, values in request.POST.lists() if values}
    setattr(request, PARAMS_ATTRIBUTE, params)
    return params


def repeated_parameters(request: HttpRequest) -> list[str]:
    """The names a token request sends more than once (RFC 6749 3.2 forbids it; ProcessMaker takes
    the last, as `token_request_params` does)."""
    if request.content_type != "application/json":
        return [key for key, values in request.POST.lists() if len(values) > 1]
    objects: list[list[str]] = []  # each object's keys, as JSON has them; the outermost is built last

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        objects.append([key for key, _ in items])
        return dict(items)

    try:
        top = json.loads(request.body.decode(request.encoding or "utf-8"), object_pairs_hook=pairs)
    except (ValueError, UnicodeError, RecursionError, LookupError):
        return []
    keys = objects[-1] if isinstance(top, dict) and objects else []
    return sorted({key for key in keys if keys.count(key) > 1})


class ProcessMakerOAuthLibCore(OAuthLibCore):
    def extract_body(self, request: HttpRequest) -> list[tuple[str, str]]:
        return list(token_request_params(request).items())

    def request_parts(self, request: HttpRequest) -> tuple[str, str, list[tuple[str, str]], dict[str, Any]]:
        """What oauthlib's endpoints take: the URI, the method, the body's (name, value) pairs and the
        headers. django-oauth-toolkit urlencodes the parameters into a body that oauthlib's Request
        at once decodes again; oauthlib takes the pairs themselves just as well."""
        uri = self._get_escaped_full_path(request)
        return uri, str(request.method), self.extract_body(request), self.extract_headers(request)

    def _extract_params(self, request: HttpRequest) -> tuple[str, str, list[tuple[str, str]], dict[str, Any]]:
        # django-oauth-toolkit's private hook, called by each of its create_*_response methods
        # (tests/test_library_seams.py fails if they stop calling it).
        return self.request_parts(request)
