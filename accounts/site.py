"""The Django admin's site: for site operators only, behind the same login limits as workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path

from accounts import admin_second_factor
from oauth_apps import errors
from workspaces.http import client_address
from workspaces.lockout import AccountLocked, Attempt, LoginRefused
from workspaces.models import User


class OperatorLoginForm(AdminAuthenticationForm):
    """The admin's login form, counting failures per username and per address (workspaces.lockout)."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        account = User.objects.find_operator(username)
        attempt = Attempt(None, username, client_address(self.request), via="admin login", account=account)
        try:
            attempt.begin()
        except LoginRefused as refused:
            code = "locked" if isinstance(refused, AccountLocked) else "throttled"
            raise ValidationError(errors.login_refused(refused, page=True), code=code) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            attempt.failed()
            raise
        attempt.succeeded(self.get_user())
        return cleaned


class OperatorAdminSite(AdminSite):
    login_form = OperatorLoginForm
    site_header = "pm-oauth administration"
    site_title = "pm-oauth administration"
    index_title = "Workspaces, users, applications and tokens"
    site_url = "/"
    # The token lists need the width: the app list is one click away on the home page.
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        """Staff without a workspace (a workspace user never reaches the admin, whatever its flags) who
        passed the second factor PM_ADMIN_SECOND_FACTOR asks of them."""
        user = request.user
        operator = super().has_permission(request) and getattr(user, "workspace_id", None) is None
        return operator and admin_second_factor.satisfied(request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """The password, then the second factor owed (admin_second_factor)."""
        if request.method == "GET" and request.session.get(admin_second_factor.STATE_KEY) in ("code", "enrol"):
            return HttpResponseRedirect(
                admin_second_factor.step_url(request, request.session[admin_second_factor.STATE_KEY])
            )
        response = super().login(request, extra_context)
        if request.method == "POST" and response.status_code == 302:
            return admin_second_factor.begin(request) or response
        return response

    def get_urls(self) -> list[Any]:
        own = [
            path("second-factor/", admin_second_factor.code_view, name="second-factor"),
            path("second-factor/enrol/", admin_second_factor.enrol_view, name="second-factor-enrol"),
            path("second-factor/security/", admin_second_factor.security_view, name="second-factor-security"),
        ]
        return own + super().get_urls()
