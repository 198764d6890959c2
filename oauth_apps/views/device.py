"""The device flow's two ends (RFC 8628; rules in `oauth_apps.device`):

- POST /{ws}/oauth2/device_authorization: oauthlib's device authorization endpoint, for clients
  whose owner turned the flow on; errors always with RFC 6749 statuses (ProcessMaker has no such
  endpoint, so no client expects its HTTP-200 errors here);
- /sys{ws}/{lang}/{skin}/oauth2/device: where the logged-in user types the code, then approves or
  denies (POST, then redirect).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError, OAuth2Error
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint

from oauth_apps import clientauth, device, errors
from oauth_apps.context import oauth_request_for
from oauth_apps.models import Application
from oauth_apps.responses import no_store, token_error
from oauth_apps.validator import ProcessMakerValidator
from oauth_apps.views import page_url
from oauth_apps.views.authorized import requires_login
from workspaces import scopes
from workspaces.http import WorkspaceRequest, public_origin
from workspaces.models import User


class WorkspaceDeviceEndpoint(DeviceAuthorizationEndpoint):
    """oauthlib's checks of the client, then ours: the flow turned on, known scopes."""

    validated: tuple[Application, str] | None = None

    def validate_device_authorization_request(self, request: Request) -> None:
        super().validate_device_authorization_request(request)
        client: Application = request.client
        if not client.allows_grant_type(errors.DEVICE_CODE_GRANT):
            raise errors.unauthorized_client(errors.DEVICE_FLOW_OFF)
        names = scopes.normalise(request.scope) or scopes.normalise(client.workspace.default_scope)
        if not names or not scopes.all_known(names):
            raise errors.invalid_scope()
        if scopes.identity(names):
            raise errors.invalid_scope(errors.IDENTITY_SCOPE_NEEDS_SIGNIN)
        self.validated = (client, " ".join(names))


@method_decorator(csrf_exempt, name="dispatch")
class DeviceAuthorizationView(OAuthLibMixin, View):
    http_method_names = ["post"]

    @method_decorator(sensitive_post_parameters("client_secret"))
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        workspace = request.workspace  # type: ignore[attr-defined]
        verification = public_origin(request) + page_url("device", workspace)
        endpoint = WorkspaceDeviceEndpoint(
            ProcessMakerValidator(), verification_uri=verification, expires_in=workspace.device_code_lifetime,
            interval=device.INTERVAL, verification_uri_complete=lambda code: f"{verification}?user_code={code}",
            user_code_generator=device.new_user_code,
        )  # fmt: skip
        uri, method, body, headers = self.get_oauthlib_core().request_parts(request)
        # oauthlib compares the media type exactly; a charset parameter is still a form, and so is an
        # empty body (`curl -u id:secret -X POST ...` sends no Content-Type).
        content_type = str(headers.get("Content-Type", "")).split(";")[0].strip()
        headers["Content-Type"] = content_type or ("" if body else "application/x-www-form-urlencoded")
        # RFC 8628 3.1: the client authenticates as at the token endpoint, HTTP Basic included; oauthlib
        # looks for client_id in the body alone, so Basic's is put there (the validator then checks
        # that the header and the body agree).
        basic = clientauth.basic_value(request.META.get("HTTP_AUTHORIZATION"))
        if basic is not None and not any(name == "client_id" for name, _ in body):
            credentials = clientauth.basic_credentials(basic)
            if credentials is None:
                error = errors.invalid_client(errors.CLIENT_CREDENTIALS_INVALID)
                return token_error(workspace, error.error, error.description, error.status_code, rfc=True)
            body = [*body, ("client_id", credentials[0])]
        with oauth_request_for(request):
            try:
                _, data, _ = endpoint.create_device_authorization_response(uri, method, body, headers)
            except InvalidClientIdError:  # oauthlib calls an unknown client an invalid_request
                error = errors.invalid_client(errors.CLIENT_CREDENTIALS_INVALID)
                return token_error(workspace, error.error, error.description, error.status_code, rfc=True)
            except OAuth2Error as error:
                return token_error(workspace, error.error, error.description, error.status_code, rfc=True)
        assert endpoint.validated is not None  # set by the validation that just passed
        client, scope = endpoint.validated
        device.start(workspace, client, device_code=data["device_code"], user_code=data["user_code"], scope=scope)
        return no_store(JsonResponse(data))


@require_http_methods(["GET", "POST"])
@requires_login
def verify(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    """Type the code (or arrive with it in the link), see who asks, approve or deny."""
    user = cast(User, request.user)
    base = page_url("device", request.workspace, lang, skin)
    code = (request.POST if request.method == "POST" else request.GET).get("user_code", "")[:32]
    if not code:
        return render(request, "oauth_apps/device/code.html", {"code": ""})
    if device.too_many_wrong_codes(user):
        messages.error(request, errors.DEVICE_TOO_MANY_WRONG)
        return render(request, "oauth_apps/device/code.html", {"code": code}, status=429)
    found = device.pending(request.workspace, user, code)
    if found is None:
        messages.error(request, errors.DEVICE_WRONG_CODE)
        return render(request, "oauth_apps/device/code.html", {"code": code}, status=400)
    grant, client = found
    answer = request.POST.get("answer") if request.method == "POST" else None
    if answer not in ("approve", "deny"):
        context = {
            "code": device.shown(code),
            "application": client,
            "scopes": scopes.describe(scopes.split(grant.scope)),
        }
        return render(request, "oauth_apps/device/confirm.html", context)
    if not device.decide(grant, user, approve=answer == "approve"):
        messages.error(request, errors.DEVICE_DECIDED)
    elif answer == "approve":
        messages.success(request, errors.DEVICE_APPROVED.format(name=client.name))
    else:
        messages.info(request, errors.DEVICE_DENIED.format(name=client.name))
    return HttpResponseRedirect(base)
