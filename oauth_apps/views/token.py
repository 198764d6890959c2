"""POST /{ws}/oauth2/token, /revoke and /introspect (also under /api/1.0/{ws}/oauth2/): django-oauth-toolkit's
views and oauthlib's endpoints with ProcessMaker's contract."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.views import View
from oauth2_provider.views import RevokeTokenView as DOTRevokeTokenView
from oauth2_provider.views import TokenView as DOTTokenView
from oauth2_provider.views.mixins import OAuthLibMixin

from oauth_apps import errors, fast_grants
from oauth_apps.backends import repeated_parameters, token_request_params
from oauth_apps.context import oauth_request_for
from oauth_apps.responses import (
    client_challenge,
    no_store,
    token_error,
    token_error_from,
    token_error_from_oauthlib,
    token_success,
)
from oauth_apps.views import issuer
from workspaces import audit
from workspaces.http import WorkspaceRequest
from workspaces.models import ErrorMode, Workspace

# The grants answered without oauthlib's plumbing when they will succeed (`oauth_apps.fast_grants`).
DIRECT_GRANTS = {"client_credentials": fast_grants.client_credentials, "refresh_token": fast_grants.refresh_token}

# The server, validator and body-parsing classes come from OAUTH2_PROVIDER in the settings.


class MachineEndpoint(View):
    """An endpoint that clients call with their credentials, never a browser form: exempt from CSRF
    (and from LoginRequiredMiddleware), and the secrets its body carries are hidden from error
    reports (`sensitive_parameters`, what Django's sensitive_post_parameters would mark).

    django-oauth-toolkit gets the same with `method_decorator`, which builds the decorated method
    afresh on every request (functools.wraps and each decorator, each time): a tenth of a token
    request's Python. Here the markers are set once, on the function itself, which is all
    `csrf_exempt` and `login_not_required` do; `as_view()` copies them to the view."""

    sensitive_parameters: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.sensitive_post_parameters = self.sensitive_parameters  # type: ignore[attr-defined]
        # View's own dispatch, not the method_decorator-wrapped one of django-oauth-toolkit's classes.
        return View.dispatch(self, request, *args, **kwargs)

    dispatch.csrf_exempt = True  # type: ignore[attr-defined]
    dispatch.login_required = False  # type: ignore[attr-defined]

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """ProcessMaker's error (HTTP 200) in its mode; 405 with Allow in rfc6749 mode (RFC 9110 15.5.6)."""
        workspace: Workspace = request.workspace  # type: ignore[attr-defined]
        if workspace.error_mode != ErrorMode.RFC6749:
            return token_error_from(workspace, errors.invalid_request(errors.METHOD_NOT_POST))
        response = token_error(workspace, "invalid_request", errors.METHOD_NOT_POST, 405)
        response["Allow"] = "POST"
        return response


class TokenView(MachineEndpoint, DOTTokenView):
    """Checks what ProcessMaker checks before oauthlib sees the request (method, grant
    type), then lets oauthlib run the grant inside one transaction that is rolled back
    when the grant fails, so a failed request changes nothing; what a failure itself
    calls for (its audit events, revoking a replayed refresh token's or code's family)
    is written after the rollback."""

    # A CORS preflight never gets here (django-cors-headers answers it); any other OPTIONS
    # is just another method that is not POST.
    options = MachineEndpoint.http_method_not_allowed

    sensitive_parameters = ("password", "client_secret", "refresh_token", "code", "code_verifier")

    def post(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        workspace = request.workspace
        if workspace.error_mode == ErrorMode.RFC6749:  # RFC 6749 3.2: each parameter at most once
            repeated = repeated_parameters(request)
            if repeated:
                name = repeated[0][:40]
                return token_error_from(workspace, errors.invalid_request(errors.PARAMETER_REPEATED.format(name=name)))
        grant_type = token_request_params(request).get("grant_type")
        if not grant_type:
            return token_error_from(workspace, errors.invalid_request(errors.GRANT_TYPE_MISSING))
        if grant_type not in errors.SUPPORTED_GRANT_TYPES:
            return token_error_from(workspace, errors.unsupported_grant_type(grant_type[:100]))
        answer_directly = DIRECT_GRANTS.get(grant_type)
        if answer_directly is not None:
            answered = answer_directly(request)  # None: oauthlib's grant answers it
            if answered is not None:
                return answered

        with oauth_request_for(request) as context, audit.collect() as events:
            # A client_credentials token is one INSERT, atomic by itself and written last: no
            # transaction needed (BEGIN and COMMIT were half its round trips).
            single_write = grant_type == "client_credentials"
            with nullcontext() if single_write else transaction.atomic():
                _, _, body, status = self.create_token_response(request)
                if status != 200 and not single_write:
                    transaction.set_rollback(True)
            if status != 200 and not single_write:
                audit.write_again(events)  # what the failure recorded outlives its rollback
            for task in context.after_failure:
                task()
        device = grant_type == errors.DEVICE_CODE_GRANT
        if status != 200:  # device clients know only RFC 8628's statuses
            return token_error_from_oauthlib(workspace, body, status, rfc=device)
        return token_success(body, shaped=not device)


class RevokeTokenView(MachineEndpoint, DOTRevokeTokenView):
    """POST /{ws}/oauth2/revoke (RFC 7009): a client revokes one of its own tokens.

    Revoking an access token also revokes its refresh token and the other way round
    (django-oauth-toolkit's behaviour); a token of another client or workspace is
    answered 200 like an unknown one, as RFC 7009 2.2 asks. Errors have RFC 6749's statuses in both
    modes: ProcessMaker has no revocation endpoint, so no client expects its HTTP-200 errors here,
    and a client library reads a 200 as "revoked" (a wrong secret must not look like success).
    """

    sensitive_parameters = ("client_secret", "token")

    def post(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        workspace = request.workspace
        with oauth_request_for(request), transaction.atomic():
            _, _, body, status = self.create_revocation_response(request)
        if status != 200:
            return token_error_from_oauthlib(workspace, body, status, rfc=True)
        return no_store(JsonResponse({}))


class IntrospectView(MachineEndpoint, OAuthLibMixin):
    """POST /{ws}/oauth2/introspect (RFC 7662), oauthlib's introspection endpoint: a confidential
    client of the workspace (a resource server) asks whether a token is active and what it carries
    (`oauth_apps.introspection`). Errors are RFC 6749's, with their status codes, in either mode."""

    sensitive_parameters = ("client_secret", "token")

    def post(self, request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        core = self.get_oauthlib_core()
        uri, http_method, body, headers = core.request_parts(request)
        with oauth_request_for(request) as context:
            context.confidential_only, context.issuer = True, issuer(request, request.workspace)
            headers, body, status = core.server.create_introspect_response(uri, http_method, body, headers)
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
        if status == 401:
            response["WWW-Authenticate"] = client_challenge(request.workspace)
        return response
