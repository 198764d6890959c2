"""The Django admin's site: for site operators only, behind the same login limits as workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from workspaces.http import client_address
from workspaces.lockout import AccountLocked, AddressThrottled, Attempt, minutes
from workspaces.models import User

OPERATOR_LOCKED = "Too many failed logins for this username. It is locked for up to {minutes} minutes; try again then."
OPERATOR_THROTTLED = "Too many failed logins from your address. Try again in up to {minutes} minutes."


class OperatorLoginForm(AdminAuthenticationForm):
    """The admin's login form, counting failures per username and per address (workspaces.lockout)."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        account = User.objects.find_operator(username)
        attempt = Attempt(None, username, client_address(self.request), via="admin login", account=account)
        try:
            attempt.begin()
        except AccountLocked:
            locked = minutes(attempt.limits.duration)
            raise ValidationError(OPERATOR_LOCKED.format(minutes=locked), code="locked") from None
        except AddressThrottled:
            throttled = minutes(attempt.limits.window)
            raise ValidationError(OPERATOR_THROTTLED.format(minutes=throttled), code="throttled") from None
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
        """Staff without a workspace: a workspace user never reaches the admin, whatever its flags."""
        user = request.user
        return super().has_permission(request) and getattr(user, "workspace_id", None) is None
