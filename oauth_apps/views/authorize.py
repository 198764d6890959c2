"""GET/POST /{ws}/oauth2/authorize: ProcessMaker's consent page for the code and implicit flows."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.views.mixins import OAuthLibMixin

from oauth_apps import errors, grants, scopes
from oauth_apps.context import oauth_request_for
from oauth_apps.models import Application
from oauth_apps.views import issuer, login_redirect
from workspaces.http import WorkspaceRequest, forbid_framing
from workspaces.models import ErrorMode, User, Workspace

FRAGMENT_ORDER = ("access_token", "expires_in", "token_type", "scope", "state")


def person(request: HttpRequest) -> User:
    """The logged-in user of the request's workspace (dispatch sends anyone else to the login page)."""
    return cast(User, request.user)


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def processmaker_fragment(uri: str) -> str:
    """oauthlib's implicit-grant redirect, with ProcessMaker's lower-case token type and key order."""
    parts = urlsplit(uri)
    values = dict(parse_qsl(parts.fragment, keep_blank_values=True))
    values["token_type"] = "bearer"
    ordered = [(key, values[key]) for key in FRAGMENT_ORDER if key in values]
    return urlunsplit(parts._replace(fragment=urlencode(ordered)))


@method_decorator([never_cache, forbid_framing, csrf_protect], name="dispatch")
class AuthorizeView(OAuthLibMixin, View):
    """Errors ProcessMaker shows on a page (no usable client or callback) are checked
    first and never redirect anywhere; then a login session is required; then oauthlib
    validates the rest, and its errors go back to the registered callback."""

    http_method_names = ["get", "post"]

    callback = ""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        workspace: Workspace = request.workspace  # type: ignore[attr-defined]
        problem = self.page_error(request, workspace)
        if problem:
            return render(request, "oauth_apps/authorize_error.html", {"message": problem}, status=400)
        if not request.user.is_authenticated:
            return login_redirect(request, workspace)
        with oauth_request_for(request):
            try:
                return super().dispatch(request, *args, **kwargs)
            except FatalClientError as error:
                message = error.oauthlib_error.description or errors.REDIRECT_URI_MISMATCH_PAGE
                if message == errors.REDIRECT_URI_MISMATCH:
                    message = errors.REDIRECT_URI_MISMATCH_PAGE
                return render(request, "oauth_apps/authorize_error.html", {"message": message}, status=400)
            except OAuthToolkitError as error:
                return self.error_redirect(request, error)

    def error_redirect(self, request: HttpRequest, error: OAuthToolkitError) -> HttpResponse:
        """An error for the client, sent back to its (already checked) callback with the state."""
        oauthlib_error = error.oauthlib_error
        # Errors raised by the validator carry no request, hence no redirect URI or state.
        oauthlib_error.redirect_uri = oauthlib_error.redirect_uri or self.callback
        oauthlib_error.state = oauthlib_error.state or request.GET.get("state")
        return self.answer(request, oauthlib_error.in_uri(oauthlib_error.redirect_uri))

    def answer(self, request: HttpRequest, uri: str) -> HttpResponse:
        """The redirect that ends an authorization request, with RFC 9207's `iss` in rfc6749 mode.

        Not in ProcessMaker mode: the seed's JavaScript reads the code as
        `location.search.substr(6)`, so the callback's query must stay exactly `code=...`.
        """
        workspace: Workspace = request.workspace  # type: ignore[attr-defined]
        if workspace.error_mode == ErrorMode.RFC6749:
            parts = urlsplit(uri)
            iss = urlencode({"iss": issuer(request, workspace)})
            if "access_token=" in parts.fragment:
                uri = urlunsplit(parts._replace(fragment=f"{parts.fragment}&{iss}"))
            else:
                uri = urlunsplit(parts._replace(query=f"{parts.query}&{iss}" if parts.query else iss))
        return HttpResponseRedirect(uri)

    def page_error(self, request: HttpRequest, workspace: Workspace) -> str | None:
        client_id = request.GET.get("client_id", "")
        if not client_id:
            return errors.AUTHORIZE_CLIENT_ID_MISSING
        if not request.GET.get("response_type"):
            return errors.AUTHORIZE_RESPONSE_TYPE_MISSING
        client = Application.objects.find(workspace, client_id)
        if client is None:
            return errors.AUTHORIZE_UNKNOWN_CLIENT.format(client_id=client_id[:100])
        callback = client.redirect_uris.strip()
        if not callback:
            return errors.REDIRECT_URI_NOT_STORED
        if "redirect_uri" in request.GET and request.GET["redirect_uri"] != callback:
            return errors.REDIRECT_URI_MISMATCH_PAGE
        self.callback = callback
        return None

    def get(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        requested, credentials = self.validate_authorization_request(request)
        client: Application = credentials["request"].client
        if request.GET.get("prompt") != "consent" and grants.remembered(person(request), client, requested):
            credentials.pop("request", None)
            return self.grant(request, client, requested, credentials)  # accepted before: not asked again
        context = {
            "user": request.user,
            "application": client,
            "scopes": scopes.describe(requested),
        }
        return render(request, "oauth_apps/consent.html", context)

    def post(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        requested, credentials = self.validate_authorization_request(request)
        client: Application = credentials.pop("request").client
        if "cancel" in request.POST:
            grants.forget(person(request), client)
            denied = {"error": "access_denied", "error_description": errors.ACCESS_DENIED}
            if credentials.get("state"):
                denied["state"] = credentials["state"]
            return self.answer(request, with_query(credentials["redirect_uri"], denied))
        return self.grant(request, client, requested, credentials, accepted=True)

    def grant(
        self,
        request: WorkspaceRequest,
        client: Application,
        requested: list[str],
        credentials: dict[str, Any],
        accepted: bool = False,
    ) -> HttpResponse:
        """The code or token for an accepted request (just now, or remembered)."""
        with transaction.atomic():
            uri, _, _, _ = self.create_authorization_response(request, " ".join(requested), credentials, allow=True)
            if accepted:
                grants.remember(person(request), client, scopes.normalise(requested))
        if credentials.get("response_type") == "token":
            uri = processmaker_fragment(uri)
        return self.answer(request, uri)
