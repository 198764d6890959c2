"""GET/POST /{ws}/oauth2/authorize: ProcessMaker's consent page for the code and implicit flows."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from oauth2_provider.exceptions import FatalClientError, OAuthToolkitError
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2.rfc6749.errors import OAuth2Error

from oauth_apps import callbacks, consents, errors
from oauth_apps.context import oauth_request_for
from oauth_apps.models import Application
from oauth_apps.oidc.prompt import SignInRequest, consent_not_asked
from oauth_apps.oidc.tokens import SignIn
from oauth_apps.views import issuer, login_redirect
from workspaces import scopes
from workspaces.http import WorkspaceRequest, forbid_framing
from workspaces.models import ErrorMode, User, Workspace


def person(request: HttpRequest) -> User:
    """The logged-in user of the request's workspace (dispatch sends anyone else to the login page)."""
    return cast(User, request.user)


@method_decorator([never_cache, forbid_framing, csrf_protect], name="dispatch")
class AuthorizeView(OAuthLibMixin, View):
    """Errors ProcessMaker shows on a page (no usable client or callback) are checked first and
    never lead anywhere; then a login session is required; then oauthlib validates the rest, and
    its errors are shown on a page whose button takes them back to the registered callback. Once
    the user has decided, the answer goes to the callback at once, in the response mode asked for
    (oauth_apps.callbacks)."""

    http_method_names = ["get", "post"]

    callback = ""
    mode = callbacks.QUERY
    silent = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        workspace: Workspace = request.workspace  # type: ignore[attr-defined]
        problem = self.page_error(request, workspace)
        if problem:
            return render(request, "oauth_apps/authorize_error.html", {"message": problem}, status=400)
        sign_in = SignInRequest(request)
        if sign_in.needs_login_page():
            return login_redirect(request, workspace, back=sign_in.after_login())
        response_type = request.GET.get("response_type", "")
        with oauth_request_for(request) as context:
            if request.user.is_authenticated:
                context.signed_in, context.sign_in = person(request), SignIn.of_session(request)
            self.silent = sign_in.silent
            try:
                sign_in.check()
                self.mode = callbacks.requested_mode(response_type, request.GET.get("response_mode"))
                return super().dispatch(request, *args, **kwargs)
            except errors.ResponseModeRefused as refused:
                # The error goes where the client looks for it (it carries no token); an unknown mode
                # gets the response type's default.
                asked = request.GET.get("response_mode", "")
                self.mode = asked if asked in callbacks.MODES else callbacks.default_mode(response_type)
                return self.error_page(request, refused)
            except FatalClientError as error:
                message = error.oauthlib_error.description or errors.REDIRECT_URI_MISMATCH_PAGE
                if message == errors.REDIRECT_URI_MISMATCH:
                    message = errors.REDIRECT_URI_MISMATCH_PAGE
                return render(request, "oauth_apps/authorize_error.html", {"message": message}, status=400)
            except OAuthToolkitError as error:
                return self.error_page(request, error.oauthlib_error)
            except OAuth2Error as error:  # raised before oauthlib's checks (max_age)
                return self.error_page(request, error)

    def answer(self, request: HttpRequest, params: list[tuple[str, str]]) -> callbacks.Answer:
        workspace: Workspace = request.workspace  # type: ignore[attr-defined]
        return callbacks.answer(workspace, issuer(request, workspace), self.callback, params, self.mode)

    def error_page(self, request: HttpRequest, error: OAuth2Error) -> HttpResponse:
        """An error found before the user decided: our page, whose button takes the error back to the
        client (RFC 9700 4.17: never an automatic redirect to a callback nobody has approved, which
        anyone allowed to register applications could point at a page of their own)."""
        error.state = error.state or request.GET.get("state")
        if self.silent:
            # OpenID Connect's prompt=none: never a page; the error goes to the registered callback.
            return self.answer(request, error.twotuples).respond(request)
        context = {"message": error.description or error.error, "answer": self.answer(request, error.twotuples)}
        return render(request, "oauth_apps/authorize_error.html", context, status=400)

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
        # Registered before the rule, or imported: refused here too, not only at registration.
        if workspace.error_mode == ErrorMode.RFC6749 and callbacks.in_clear(callback):
            return errors.CALLBACK_NEEDS_HTTPS
        if "redirect_uri" in request.GET and request.GET["redirect_uri"] != callback:
            return errors.REDIRECT_URI_MISMATCH_PAGE
        self.callback = callback
        return None

    def get(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        requested, credentials = self.validate_authorization_request(request)
        client: Application = credentials["request"].client
        if self.silent or consent_not_asked(request, person(request), client, requested):
            # Accepted before, or a first-party client (prompt=none got here only so: oauthlib checked).
            credentials.pop("request", None)
            return self.grant(request, client, requested, credentials)
        destination = urlsplit(self.callback)
        context = {
            "user": request.user,
            "application": client,
            "scopes": scopes.describe(requested),
            "callback": self.callback,
            "callback_origin": f"{destination.scheme}://{destination.netloc}",
        }
        return render(request, "oauth_apps/consent.html", context)

    def post(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        requested, credentials = self.validate_authorization_request(request)
        client: Application = credentials.pop("request").client
        if "cancel" in request.POST:
            consents.forget(person(request), client)
            denied = [("error", "access_denied"), ("error_description", errors.ACCESS_DENIED)]
            if credentials.get("state"):
                denied.append(("state", credentials["state"]))
            return self.answer(request, denied).respond(request)
        return self.grant(request, client, requested, credentials, accepted=True)

    def grant(
        self,
        request: WorkspaceRequest,
        client: Application,
        requested: list[str],
        credentials: dict[str, Any],
        accepted: bool = False,
    ) -> HttpResponse:
        """The code or token for an accepted request (just now, or remembered), in the mode asked for."""
        # oauthlib writes the parameters into the fragment, apart from the callback's own query.
        credentials = {**credentials, "response_mode": callbacks.FRAGMENT}
        with transaction.atomic():
            uri, _, _, _ = self.create_authorization_response(request, " ".join(requested), credentials, allow=True)
            if accepted:
                consents.remember(person(request), client, scopes.normalise(requested))
        params = callbacks.params_of(uri)
        if credentials.get("response_type") == "token":
            params = callbacks.processmaker_token_params(params)
        return self.answer(request, params).respond(request)
