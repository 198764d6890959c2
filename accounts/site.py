"""The Django admin's site: for site operators only, behind the same login limits as workspaces."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

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
        """Staff without a workspace: a workspace user never reaches the admin, whatever its flags."""
        user = request.user
        return super().has_permission(request) and getattr(user, "workspace_id", None) is None
