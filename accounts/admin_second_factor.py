"""The Django admin's second factor for site operators (PM_ADMIN_SECOND_FACTOR), in the admin's own
session: after the password, an operator with an authenticator app types a code, and where one is
required an operator without one enrols first. Until then the admin grants nothing
(OperatorAdminSite.has_permission). The pages and the limits are the workspaces' (workspaces.second_factor)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from accounts.security_pages import CODE_FIELD, enrolment, security_page
from oauth_apps import errors
from workspaces import second_factor
from workspaces.http import client_address, credential_page
from workspaces.models import User

STATE_KEY = "_pm_admin_second_factor"  # "code" or "enrol" while pending, "done" once passed
PLACE = {"name": "the site's administration"}


def operator(request: HttpRequest) -> User | None:
    user = request.user
    if user.is_authenticated and user.is_staff and getattr(user, "workspace_id", None) is None:
        return user  # type: ignore[return-value]
    return None


def step_needed(user: User) -> str:
    """ "code", "enrol" or "" (none): what the admin asks of `user` after the password."""
    if second_factor.has_any(user):
        return "code"
    return "enrol" if second_factor.required_of(user) else ""


def satisfied(request: HttpRequest) -> bool:
    user = operator(request)
    return user is not None and (request.session.get(STATE_KEY) == "done" or not step_needed(user))


def begin(request: HttpRequest) -> HttpResponse | None:
    """Right after the admin's password: the redirect to the step the operator owes, or None."""
    user = operator(request)
    step = step_needed(user) if user is not None else ""
    if not step or request.session.get(STATE_KEY) == "done":
        return None
    request.session[STATE_KEY] = step
    return HttpResponseRedirect(step_url(request, step))


def step_url(request: HttpRequest, step: str) -> str:
    name = "admin:second-factor" if step == "code" else "admin:second-factor-enrol"
    onward = onward_url(request)
    return f"{reverse(name)}?{urlencode({'next': onward})}" if onward != reverse("admin:index") else reverse(name)


def onward_url(request: HttpRequest) -> str:
    target = str(request.GET.get("next", ""))
    if target.startswith("/admin/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("admin:index")


def passed(request: HttpRequest) -> HttpResponse:
    request.session[STATE_KEY] = "done"
    request.session["_pm_amr"] = ["pwd", "otp", "mfa"]
    return HttpResponseRedirect(onward_url(request))


@credential_page
def code_view(request: HttpRequest, **_: Any) -> HttpResponse:
    user = operator(request)
    if user is None or request.session.get(STATE_KEY) != "code":
        return HttpResponseRedirect(reverse("admin:login"))
    error = None
    if request.method == "POST":
        if second_factor.check(user, str(request.POST.get("code", ""))[:64], client_address(request)):
            return passed(request)
        error = errors.SECOND_FACTOR_LOCKED if second_factor.is_locked(user) else errors.SECOND_FACTOR_WRONG
    return render(
        request, "accounts/second_factor.html", {"workspace": PLACE, "error": error, "code_field": CODE_FIELD}
    )


@credential_page
def enrol_view(request: HttpRequest, **_: Any) -> HttpResponse:
    """Enrolment: owed after the password where one is required, or chosen by a signed-in operator."""
    user = operator(request)
    state = request.session.get(STATE_KEY)
    if user is None or not second_factor.offered(None) or state == "code" or (state is None and step_needed(user)):
        return HttpResponseRedirect(reverse("admin:login"))
    return enrolment(request, user, PLACE, required=state == "enrol", onward=lambda: passed(request)["Location"])


@credential_page
def security_view(request: HttpRequest, **_: Any) -> HttpResponse:
    """A signed-in operator's own second factors: removing one, new recovery codes (a fresh code first)."""
    user = operator(request)
    if user is None or not satisfied(request):
        return HttpResponseRedirect(reverse("admin:login"))
    urls = {"security": reverse("admin:second-factor-security"), "enrol": reverse("admin:second-factor-enrol")}
    return security_page(request, user, PLACE, urls)
