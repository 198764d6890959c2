"""The passkey ceremonies' JSON endpoints, under /sys{ws}/{lang}/{skin}/login/passkey/ (static/pm/passkeys.js
drives them): registering one from the your-security page (a fresh code first when the user has a
factor already), and using one at the login's second step. Each answers JSON; CSRF-checked."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from oauth_apps import errors, pending_login
from oauth_apps.views import page_url
from workspaces import passkeys, second_factor
from workspaces.http import WorkspaceRequest, client_address
from workspaces.models import RecoveryCode, User


def refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def ceremony(view):  # type: ignore[no-untyped-def]
    return never_cache(csrf_protect(require_POST(view)))


@ceremony
def register_options(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    if not request.user.is_authenticated or not passkeys.offered() or not second_factor.offered(request.workspace):
        return refused(errors.PASSKEYS_OFF, 403)
    return HttpResponse(passkeys.registration_options(request.session, request.user), content_type="application/json")  # type: ignore[arg-type]


@ceremony
def register(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not passkeys.offered() or not second_factor.offered(request.workspace):
        return refused(errors.PASSKEYS_OFF, 403)
    body = passkeys.parse(request.body)
    if body is None or not isinstance(body.get("credential"), dict):
        return refused(errors.SECURITY_BAD_REQUEST)
    had_one = second_factor.has_any(user)
    if had_one and not second_factor.check(user, str(body.get("current_code", ""))[:64], client_address(request)):
        return refused(errors.SECOND_FACTOR_CURRENT_WRONG)
    passkey = passkeys.register(request.session, user, body["credential"], str(body.get("name", ""))[:64])
    if passkey is None:
        return refused(errors.PASSKEY_REFUSED)
    codes = [] if had_one or RecoveryCode.objects.filter(user=user).exists() else second_factor.new_recovery_codes(user)
    return JsonResponse({"name": passkey.name, "recovery_codes": codes,
                         "next": page_url("security", request.workspace, lang, skin)})  # fmt: skip


@ceremony
def sign_in_options(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    pending = pending_login.current(request, request.workspace)
    if pending is None or pending.step != pending_login.SECOND_FACTOR or not passkeys.passkeys_of(pending.user):
        return refused(errors.CHANGE_TIMED_OUT, 403)
    return HttpResponse(passkeys.authentication_options(request.session, pending.user), content_type="application/json")


@ceremony
def sign_in(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    pending = pending_login.current(request, request.workspace)
    if pending is None or pending.step != pending_login.SECOND_FACTOR:
        return refused(errors.CHANGE_TIMED_OUT, 403)
    user, address = pending.user, client_address(request)
    if second_factor.is_locked(user):
        return refused(errors.SECOND_FACTOR_LOCKED, 403)
    body = passkeys.parse(request.body)
    if body is None or passkeys.authenticate(request.session, user, body) is None:
        second_factor.failed(user, address)
        return refused(errors.PASSKEY_REFUSED)
    second_factor.succeeded(user, address, recovery=False)
    return JsonResponse({"next": pending_login.done(request, pending, pending_login.SECOND_FACTOR, method="hwk")})
