"""The change-password page of a workspace's users, /sys{ws}/{lang}/{skin}/login/password.

Two ways in: a login stopped half done because the password is due for change (must change, expired,
no longer compliant: oauth_apps.pending_login), which the page completes and sends on to where the
user was going; or a logged-in user changing their password, who types the current one first (checked
under the login limits, so the page is no way round them).
"""

from __future__ import annotations

from django import forms
from django.contrib import auth, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from accounts import policy, services
from oauth_apps import errors, pending_login, signin, websessions
from oauth_apps.views import login_redirect, page_url
from workspaces import password_policy
from workspaces.backends import SignInRefused, SignInUnavailable
from workspaces.http import WorkspaceRequest, client_address, credential_page
from workspaces.lockout import LoginRefused
from workspaces.models import User
from workspaces.services import WorkspaceError

NEW_PASSWORD = {"autocomplete": "new-password"}


class ChangePasswordForm(forms.Form):
    current_password = forms.CharField(
        max_length=1024, strip=False, required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
    new_password1 = forms.CharField(
        label="New password", max_length=1024, strip=False, widget=forms.PasswordInput(attrs=NEW_PASSWORD)
    )
    new_password2 = forms.CharField(
        label="New password again", max_length=1024, strip=False, widget=forms.PasswordInput(attrs=NEW_PASSWORD)
    )

    def __init__(self, *args: object, ask_current: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.ask_current = ask_current
        if ask_current:
            self.fields["current_password"].required = True
        else:
            del self.fields["current_password"]

    def clean_new_password2(self) -> str:
        new = str(self.cleaned_data["new_password2"])
        if self.cleaned_data.get("new_password1") != new:
            raise forms.ValidationError(errors.PASSWORDS_DIFFER)
        return new


@credential_page
def password_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    workspace = request.workspace
    was_pending = pending_login.was_pending(request, workspace)
    pending = pending_login.current(request, workspace)
    if pending is None and not request.user.is_authenticated:
        if was_pending:
            messages.error(request, errors.CHANGE_TIMED_OUT)
        return login_redirect(request, workspace, lang, skin)
    if pending is not None and pending.step != pending_login.CHANGE_PASSWORD:
        return HttpResponseRedirect(pending_login.step_url(workspace, pending.step))  # an earlier step first
    user: User = pending.user if pending is not None else request.user  # type: ignore[assignment]
    if user.auth_source_id is not None:  # their password is their directory's: changed there, not here
        return render(request, "accounts/password.html", {"workspace": workspace, "directory": True})
    form = ChangePasswordForm(request.POST or None, ask_current=pending is None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            if pending is None:
                check_current(request, user, form.cleaned_data["current_password"])
            services.change_own_password(user, form.cleaned_data["new_password2"], forced=pending is not None)
        except (WorkspaceError, policy.NotAllowed, LoginRefused) as refused:
            error = errors.login_refused(refused, page=True) if isinstance(refused, LoginRefused) else str(refused)
        except SignInUnavailable:
            error = errors.LOGIN_UNAVAILABLE
        except SignInRefused:
            error = errors.CURRENT_PASSWORD_WRONG
        else:
            if pending is not None:
                return HttpResponseRedirect(pending_login.done(request, pending, pending_login.CHANGE_PASSWORD))
            auth.update_session_auth_hash(request, user)  # this session stays; the user's others end
            websessions.issue(request, user, workspace)  # the change ended every token, this session's too
            messages.success(request, errors.PASSWORD_CHANGED)
            return HttpResponseRedirect(page_url("applications", workspace, lang, skin))
    context = {
        "form": form,
        "error": error,
        "workspace": workspace,
        "user_name": user.username,
        "reason": errors.CHANGE_REASONS[pending.reason.value] if pending is not None and pending.reason else None,
        "rules": password_policy.describe(workspace),
    }
    return render(request, "accounts/password.html", context)


def check_current(request: WorkspaceRequest, user: User, password: str) -> None:
    """The current password, under the login limits; WorkspaceError if it is not right."""
    checked = signin.check_password(
        request.workspace, user.username, password, client_address(request), via="password change", audit_success=False
    )
    if checked is None or checked.pk != user.pk:
        raise WorkspaceError(errors.CURRENT_PASSWORD_WRONG)
