"""What an authorization request sends back to the client's callback, and how it travels.

An answer is the callback, its parameters (a code or a token, or an error, and the state), and a
response mode (OAuth 2.0 Multiple Response Type Encoding Practices, Form Post Response Mode):

- `query`: a redirect with the parameters in the query (the code flow's default; never for a token);
- `fragment`: a redirect with them in the fragment (the implicit flow's default);
- `form_post`: a page whose form posts them to the callback (OpenID Connect clients use it).

In rfc6749 mode RFC 9207's `iss` travels with the others, in the same place. In ProcessMaker mode
nothing is added: the seed's JavaScript reads the code as `location.search.substr(6)`, so a query
answer must stay exactly `?code=...[&state=...]`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from oauthlib.common import add_params_to_uri
from oauthlib.uri_validate import is_absolute_uri

from oauth_apps import errors
from workspaces.models import ErrorMode, Workspace

QUERY, FRAGMENT, FORM_POST = "query", "fragment", "form_post"
MODES = (QUERY, FRAGMENT, FORM_POST)
# ProcessMaker's implicit answer: a lower-case token type, in this order (its fragment's).
FRAGMENT_ORDER = ("access_token", "expires_in", "token_type", "scope", "state")


def callback_problem(uri: str) -> str | None:
    """Why `uri` cannot be a callback (a redirect URI, RFC 6749 3.1.2), or None. The authorize
    endpoint refuses what oauthlib's RFC 3986 grammar refuses (non-ASCII characters, bad
    percent-encoding, user information...), so registration refuses it too."""
    if "#" in uri:
        return "The callback URL must not contain a fragment (#...)."
    if urlsplit(uri).scheme.lower() not in ("http", "https") or not is_absolute_uri(uri):
        return (
            "The callback URL must be an absolute http(s) URL of plain ASCII characters (percent-encode the "
            f"others, and leave out any user name or password), not {uri[:100]!r}."
        )
    return None


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def in_clear(uri: str) -> bool:
    """Whether codes and tokens sent to `uri` would cross the network unencrypted: plain http to
    another machine (loopback is fine, as RFC 8252 7.3 allows for native apps)."""
    parts = urlsplit(uri)
    return parts.scheme.lower() == "http" and not is_loopback(parts.hostname)


def carries_token(response_type: str) -> bool:
    """Whether the answer holds an access or ID token (`token`, `id_token`, or with `code`)."""
    return bool({"token", "id_token"} & set(response_type.split()))


def default_mode(response_type: str) -> str:
    return FRAGMENT if carries_token(response_type) else QUERY


def requested_mode(response_type: str, response_mode: str | None) -> str:
    """The mode a request asked for, or its response type's default; `errors.ResponseModeRefused`
    for one this server does not speak, and for a token in a query string (RFC 9700 2.1.2: a query
    leaks into logs and Referer headers)."""
    if not response_mode:
        return default_mode(response_type)
    if response_mode not in MODES:
        raise errors.ResponseModeRefused(errors.RESPONSE_MODE_UNSUPPORTED.format(mode=response_mode[:40]))
    if carries_token(response_type) and response_mode == QUERY:
        raise errors.ResponseModeRefused(errors.TOKEN_IN_QUERY)
    return response_mode


@dataclass(frozen=True)
class Answer:
    callback: str
    params: list[tuple[str, str]]
    mode: str

    def uri(self) -> str:
        """The redirect's URL (query and fragment modes)."""
        return str(add_params_to_uri(self.callback, self.params, fragment=self.mode == FRAGMENT))

    def respond(self, request: HttpRequest) -> HttpResponse:
        """Send the browser to the callback now: a redirect, or a page that posts the form."""
        if self.mode != FORM_POST:
            return HttpResponseRedirect(self.uri())
        response = render(request, "oauth_apps/form_post.html", {"answer": self, "automatic": True})
        response["Cache-Control"] = "no-store"
        return response


def answer(workspace: Workspace, issuer: str, callback: str, params: list[tuple[str, str]], mode: str) -> Answer:
    """The answer for `params`, with `iss` last in rfc6749 mode."""
    if workspace.error_mode == ErrorMode.RFC6749:
        params = [*params, ("iss", issuer)]
    return Answer(callback, params, mode)


def params_of(oauthlib_uri: str) -> list[tuple[str, str]]:
    """The parameters oauthlib put in the fragment of its answer (it is asked for fragment mode, so
    that the callback's own query stays apart)."""
    return parse_qsl(urlsplit(oauthlib_uri).fragment, keep_blank_values=True)


def processmaker_token_params(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An implicit answer in ProcessMaker's shape: "bearer", in ProcessMaker's order."""
    values = {**dict(params), "token_type": "bearer"}
    return [(key, values[key]) for key in FRAGMENT_ORDER if key in values]
