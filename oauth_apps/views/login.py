"""Login and logout for a workspace's web pages.

They live on the OAuth floor because a login mints the session's access token and a logout
revokes it (`oauth_apps.websessions`); the password is checked by `oauth_apps.signin`, and a login
whose password is due for change stops half done (`oauth_apps.pending_login`) at the change-password
page (accounts.password_page).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

from django.contrib import auth, messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from oauth_apps import errors, pending_login, signin, websessions
from oauth_apps.models import Application
from oauth_apps.views import page_url
from workspaces import audit, passkeys, second_factor
from workspaces.backends import SignInRefused, SignInUnavailable
from workspaces.forms import LoginForm
from workspaces.http import WorkspaceRequest, client_address, credential_page
from workspaces.lockout import LoginRefused
from workspaces.models import Workspace
from workspaces.names import path_shape

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def safe_next_url(request: WorkspaceRequest, target: str) -> str | None:
    """`target` (ProcessMaker's `u`) as a URL on this site, or None.

    ProcessMaker's pages send `u` as a path, as a bare path without the leading slash
    (`sysworkflow/en/neoclassic/...`) or as an absolute URL on this host. Anything that
    would leave this host or scheme is refused: no open redirect.
    """
    target = target.strip()
    if not target:
        return None
    if not target.startswith(("/", "http://", "https://")):
        if SCHEME.match(target) or target.startswith("\\"):
            return None  # another scheme (javascript:, https:host ...) or a UNC-style path
        target = "/" + target
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return target


@credential_page
def login_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    workspace = request.workspace
    next_url = safe_next_url(request, request.GET.get("u", "")) or page_url("applications", workspace, lang, skin)
    form = LoginForm(request.POST or None, initial={"username": login_hint(next_url)})
    error = None
    if request.method == "POST":
        error = errors.LOGIN_FAILED
        if form.is_valid():
            try:
                user = signin.check_password(
                    workspace,
                    form.cleaned_data["username"],
                    form.cleaned_data["password"],
                    client_address(request),
                    via="web login",
                )
            except LoginRefused as refused:
                user, error = None, errors.login_refused(refused, page=True)
            except SignInUnavailable:
                user, error = None, errors.LOGIN_UNAVAILABLE
            except SignInRefused as refused:
                user, error = None, errors.DIRECTORY_REFUSALS.get(refused.reason, errors.LOGIN_FAILED)
            if user is not None:
                # The steps after the password, in order: the second factor (or enrolling one),
                # a password due for change, then wherever the user was going (consent included).
                steps, reason = pending_login.steps_after_password(user, form.cleaned_data["password"])
                if reason is not None:
                    audit.record(
                        audit.Event.PASSWORD_CHANGE_REQUIRED, workspace, user=user,
                        address=client_address(request), reason=reason.value,
                    )  # fmt: skip
                if steps:
                    return HttpResponseRedirect(pending_login.begin(request, user, next_url, steps, reason))
                pending_login.complete(request, user, workspace)
                return HttpResponseRedirect(next_url)
    context = {
        "form": form, "error": error, "workspace": workspace, "asking": asking_application(workspace, next_url),
        "passkey_login": passkey_login_urls(workspace, lang, skin, request.GET.get("u", "")),
    }  # fmt: skip
    return render(request, "oauth_apps/login.html", context, status=200)


def passkey_login_urls(workspace: Workspace, lang: str, skin: str, going: str) -> dict[str, str] | None:
    """Where the login page's "Sign in with a passkey" talks to, where the workspace offers it."""
    if not (workspace.passkey_login and passkeys.offered() and second_factor.offered(workspace)):
        return None
    query = f"?u={quote(going, safe='')}" if going else ""
    return {
        "options": page_url("passkey-discover-options", workspace, lang, skin),
        "verify": page_url("passkey-discover", workspace, lang, skin) + query,
    }


def authorize_parameter(next_url: str, name: str) -> str:
    """The parameter `name` of the authorize request that sent the user here ("" for another page)."""
    parts = urlsplit(next_url)
    shape = path_shape(parts.path)
    if shape is None or not shape.is_authorize:
        return ""
    return parse_qs(parts.query).get(name, [""])[0]


def asking_application(workspace: Workspace, next_url: str) -> Application | None:
    """The application whose authorize page sent the user here, to name it on the login page."""
    client_id = authorize_parameter(next_url, "client_id")
    return Application.objects.find(workspace, client_id) if client_id else None


def login_hint(next_url: str) -> str:
    """The username an OpenID Connect client suggested (`login_hint`) on the authorize request that
    sent the user here: filled in, never trusted (the password decides who signs in)."""
    return authorize_parameter(next_url, "login_hint")[:100]


@require_POST
@csrf_protect
def logout_view(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    websessions.end(request)
    auth.logout(request)
    messages.success(request, errors.LOGGED_OUT)
    return HttpResponseRedirect(page_url("login", request.workspace, lang, skin))
