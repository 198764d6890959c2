"""The second factor's pages of a workspace's users, under /sys{ws}/{lang}/{skin}/login/:

- `second-factor`: the login's second step (an authenticator code or a recovery code);
- `enrol`: adding an authenticator app, by its QR code (drawn here) or its secret typed, confirmed
  with a code; a half-done login whose workspace requires a factor comes here right after the
  password, and the user's first factor brings ten recovery codes, shown once;
- `security`: a logged-in user's factors (names, last use), adding and removing one (a fresh code
  first), and a new set of recovery codes (a fresh code first).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.safestring import mark_safe

from oauth_apps import errors, pending_login
from oauth_apps.views import login_redirect, page_url
from workspaces import passkeys, second_factor
from workspaces.http import WorkspaceRequest, client_address, credential_page
from workspaces.models import Passkey, RecoveryCode, SecondFactor, User

ENROLLING_KEY = "_pm_enrolling"
ENROL_SECONDS = 600
CODE_FIELD = {"autocomplete": "one-time-code", "inputmode": "numeric"}


def expired_login(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    if pending_login.was_pending(request, request.workspace):
        messages.error(request, errors.CHANGE_TIMED_OUT)
    return login_redirect(request, request.workspace, lang, skin)


@credential_page
def second_factor_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    workspace = request.workspace
    pending = pending_login.current(request, workspace)
    if pending is None:
        return expired_login(request, lang, skin)
    if pending.step != pending_login.SECOND_FACTOR:
        return HttpResponseRedirect(pending_login.step_url(workspace, pending.step))
    error = None
    if request.method == "POST":
        typed = str(request.POST.get("code", ""))[:64]
        if second_factor.check(pending.user, typed, client_address(request)):
            return HttpResponseRedirect(pending_login.done(request, pending, pending_login.SECOND_FACTOR))
        locked = second_factor.is_locked(pending.user)
        error = errors.SECOND_FACTOR_LOCKED if locked else errors.SECOND_FACTOR_WRONG
    context = {
        "workspace": workspace, "error": error, "code_field": CODE_FIELD,
        "passkeys": passkeys.passkeys_of(pending.user),
        "passkey_urls": {"options": page_url("passkey-options", workspace, lang, skin),
                         "verify": page_url("passkey", workspace, lang, skin)},
    }  # fmt: skip
    return render(request, "accounts/second_factor.html", context)


def enrolling_secret(request: HttpRequest, user: User) -> str:
    """The secret being enrolled in this session for `user` (a new one after ENROL_SECONDS)."""
    state = request.session.get(ENROLLING_KEY)
    if isinstance(state, dict) and state.get("user") == user.pk and int(state.get("until", 0)) > time.time():
        return str(state["secret"])
    secret = second_factor.new_secret()
    request.session[ENROLLING_KEY] = {"user": user.pk, "secret": secret, "until": int(time.time()) + ENROL_SECONDS}
    return secret


@credential_page
def enrol_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    workspace = request.workspace
    pending = pending_login.current(request, workspace)
    if pending is not None and pending.step != pending_login.ENROL:
        return HttpResponseRedirect(pending_login.step_url(workspace, pending.step))
    if pending is None and not request.user.is_authenticated:
        return expired_login(request, lang, skin)
    user: User = pending.user if pending is not None else request.user  # type: ignore[assignment]
    if not second_factor.offered(workspace):
        messages.error(request, errors.SECOND_FACTOR_OFF)
        return HttpResponseRedirect(page_url("applications", workspace, lang, skin))

    def onward() -> str:
        if pending is not None:
            return pending_login.done(request, pending, pending_login.ENROL)
        return page_url("security", workspace, lang, skin)

    return enrolment(request, user, workspace, required=pending is not None, onward=onward)


def enrolment(
    request: HttpRequest, user: User, place: Any, *, required: bool, onward: Callable[[], str]
) -> HttpResponse:
    """The enrolment page of `user` (a workspace's, or the admin's with `place` naming it): the QR code
    and the key; on a right code, the new factor, and with the user's first one their recovery codes,
    shown once, before going `onward` (called once the factor is in)."""
    secret, error = enrolling_secret(request, user), None
    # Adding an app once the user has a factor takes a code of it (a passkey-only user: a recovery
    # code), so a session taken over cannot add its own.
    has_app = SecondFactor.objects.filter(user=user).exists()
    confirm_existing = has_app or second_factor.has_any(user)
    if request.method == "POST":
        code = str(request.POST.get("code", "")).strip()[:16]
        current = str(request.POST.get("current_code", ""))[:64]
        factor = None
        if confirm_existing and not second_factor.check(user, current, client_address(request)):
            error = errors.SECOND_FACTOR_CURRENT_WRONG
        else:
            factor = second_factor.enrol(user, str(request.POST.get("name", ""))[:64], secret, code)
        if factor is not None:
            request.session.pop(ENROLLING_KEY, None)
            # The first factor of all brings recovery codes; a later one keeps the set the user has.
            codes = [] if confirm_existing else second_factor.new_recovery_codes(user)
            going = onward()
            if not codes:
                messages.success(request, errors.SECOND_FACTOR_ADDED)
                return HttpResponseRedirect(going)
            shown = {"workspace": place, "codes": codes, "onward": going}
            return render(request, "accounts/recovery_codes.html", shown)
        error = error or errors.SECOND_FACTOR_WRONG
    uri = second_factor.provisioning_uri(user, secret)
    qr = mark_safe(segno.make(uri, error="m").svg_inline(scale=5, dark="#1d2733"))  # noqa: S308 - drawn here
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))  # easier to type
    context = {
        "workspace": place, "error": error, "qr": qr, "secret": grouped, "required": required, "code_field": CODE_FIELD,
        "confirm_existing": confirm_existing, "has_app": has_app,
    }  # fmt: skip
    return render(request, "accounts/enrol.html", context)


@credential_page
def security_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    workspace = request.workspace
    if not request.user.is_authenticated:
        return login_redirect(request, workspace, lang, skin)
    names = ("security", "enrol", "password", "passkey-register", "passkey-register-options")
    urls = {name.replace("-", "_"): page_url(name, workspace, lang, skin) for name in names}
    return security_page(request, request.user, workspace, urls)  # type: ignore[arg-type]


def security_page(request: HttpRequest, user: User, place: Any, urls: dict[str, str]) -> HttpResponse:
    """A user's second factors (a workspace's user, or an operator in the admin with `place` naming
    it): the list, removing one and a new set of recovery codes, each after a fresh code. `urls`:
    this page's ("security"), the enrolment page's ("enrol") and, for a workspace, "password"."""
    error = None
    if request.method == "POST":
        action, address = request.POST.get("action"), client_address(request)
        chosen = str(request.POST.get("factor", ""))
        valid = chosen.isdecimal() and len(chosen) < 19  # a primary key, not anything a body may hold
        kinds: dict[str, type[SecondFactor] | type[Passkey]] = {"remove": SecondFactor, "remove_passkey": Passkey}
        model = kinds.get(str(action))
        factor = model.objects.filter(user=user, pk=int(chosen)).first() if valid and model else None
        if action not in ("remove", "remove_passkey", "codes") or (action != "codes" and factor is None):
            error = errors.SECURITY_BAD_REQUEST
        elif not second_factor.check(user, str(request.POST.get("code", ""))[:64], address):
            locked = second_factor.is_locked(user)
            error = errors.SECOND_FACTOR_LOCKED if locked else errors.SECOND_FACTOR_WRONG
        elif factor is not None:
            second_factor.remove(factor)
            if not second_factor.has_any(user):
                RecoveryCode.objects.filter(user=user).delete()
            messages.success(request, errors.SECOND_FACTOR_REMOVED.format(name=factor.name))
            return HttpResponseRedirect(urls["security"])
        else:
            codes = second_factor.new_recovery_codes(user)
            shown = {"workspace": place, "codes": codes, "onward": urls["security"]}
            return render(request, "accounts/recovery_codes.html", shown)
    context = {
        "workspace": place, "error": error, "offered": second_factor.offered(user.workspace),
        "required": second_factor.required_of(user), "factors": SecondFactor.objects.filter(user=user),
        "codes_left": second_factor.recovery_codes_left(user), "code_field": CODE_FIELD, "urls": urls,
        # Passkeys: a workspace's users, where PM_PUBLIC_URL names the relying party.
        "passkeys_offered": passkeys.offered() and "passkey_register" in urls, "passkeys": passkeys.passkeys_of(user),
        "passkey_urls": {name: urls.get(f"passkey_{name}") for name in ("register", "register_options")},
    }  # fmt: skip
    return render(request, "accounts/security.html", context)
