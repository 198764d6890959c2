"""The passkey ceremonies' JSON endpoints, under /sys{ws}/{lang}/{skin}/login/passkey/ (static/pm/passkeys.js
drives them): registering one from the your-security page (a fresh code first when the user has a
factor already), and using one at the login's second step. Each answers JSON; CSRF-checked."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from oauth_apps import errors, pending_login, signin
from oauth_apps.views import page_url
from oauth_apps.views.login import safe_next_url
from workspaces import audit, lockout, passkeys, second_factor
from workspaces.backends import SignInUnavailable
from workspaces.http import WorkspaceRequest, client_address
from workspaces.models import RecoveryCode, User
from workspaces.password_policy import change_reason


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


def passkey_login_open(request: WorkspaceRequest) -> bool:
    return passkeys.offered() and second_factor.offered(request.workspace) and request.workspace.passkey_login


@ceremony
def discover_options(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    if not passkey_login_open(request):
        return refused(errors.PASSKEYS_OFF, 403)
    return HttpResponse(passkeys.discovery_options(request.session), content_type="application/json")


@ceremony
def discover(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    """A sign-in by passkey alone: the passkey (user verified) names the user; the login limits count a
    refusal against the address; a directory user's directory is asked whether the account is still
    there and enabled; a password due for change is still asked for before going on."""
    workspace, address = request.workspace, client_address(request)
    if not passkey_login_open(request):
        return refused(errors.PASSKEYS_OFF, 403)
    if lockout.address_throttled(workspace, address):
        return refused(errors.LOGIN_THROTTLED.format(minutes=lockout.minutes(workspace.lockout_window)), 403)
    body = passkeys.parse(request.body)
    user = passkeys.discover(request.session, workspace.pk, body) if body is not None else None
    if user is None or not user.can_log_in():
        lockout.count_address_failure(workspace, address, "passkey sign-in")
        return refused(errors.PASSKEY_REFUSED)
    try:
        user = signin.check_without_password(user, address, via="passkey sign-in")
    except SignInUnavailable:
        return refused(errors.LOGIN_UNAVAILABLE, 503)
    if user is None:  # gone from its directory, or disabled or expired there: deactivated here
        return refused(errors.PASSKEY_ACCOUNT_GONE, 403)
    audit.record(audit.Event.LOGIN_SUCCEEDED, workspace, user=user, address=address, via="passkey")
    next_url = safe_next_url(request, str(request.GET.get("u", ""))) or page_url("applications", workspace, lang, skin)
    reason = change_reason(user, None)
    if reason is not None:
        return JsonResponse(
            {"next": pending_login.begin(request, user, next_url, [pending_login.CHANGE_PASSWORD], reason)}
        )
    pending_login.complete(request, user, workspace, amr=["hwk", "user"])
    return JsonResponse({"next": next_url})
