"""GET/POST /{ws}/oauth2/logout: OpenID Connect RP-Initiated Logout 1.0 (the end-session endpoint).

A relying party sends the person here to sign out of the workspace. With an `id_token_hint` this
workspace signed (expired ones count) naming the person and the session signed in here, the session
ends at once; otherwise, while someone is signed in, a page asks first (a link anyone can send must
not sign people out). Afterwards the person goes to the `post_logout_redirect_uri`, exactly one the
client registered, with `state`; or sees that they are signed out. Problems are shown on a page:
nothing is sent to an address not proven to be the client's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import auth
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from oauth_apps import oidc, websessions
from oauth_apps.models import Application
from oauth_apps.oidc import tokens
from oauth_apps.views.openid import served
from workspaces.http import WorkspaceRequest, forbid_framing, signed_in_user

HINT_UNREADABLE = "The sign-out request's id_token_hint is not an ID token this workspace issued."
CLIENT_UNKNOWN = "The sign-out request names an application this workspace does not have."
CLIENT_MISMATCH = "The sign-out request's client_id is not the application its id_token_hint was issued to."
TARGET_WITHOUT_CLIENT = "A post_logout_redirect_uri needs an id_token_hint or a client_id saying whose it is."
TARGET_UNREGISTERED = "The post_logout_redirect_uri is not one the application registered."
PARAMETERS = ("id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales", "logout_hint")


class Refused(Exception):
    pass


class EndSession:
    """The request's parameters, checked: the hint's claims, the client, where to go afterwards."""

    def __init__(self, request: WorkspaceRequest, params: Any) -> None:
        workspace = request.workspace
        self.params = {name: str(params[name])[:4096] for name in PARAMETERS if params.get(name)}
        hint = self.params.get("id_token_hint")
        self.hinted = tokens.read(workspace, oidc.issuer(workspace), hint) if hint else None
        if hint and self.hinted is None:
            raise Refused(HINT_UNREADABLE)
        self.client = None
        if self.hinted is not None:
            audience = self.hinted.get("aud")
            self.client = Application.objects.find(workspace, audience) if isinstance(audience, str) else None
        if "client_id" in self.params:
            named = Application.objects.find(workspace, self.params["client_id"])
            if named is None:
                raise Refused(CLIENT_UNKNOWN)
            if self.client is not None and named.pk != self.client.pk:
                raise Refused(CLIENT_MISMATCH)
            self.client = named
        self.target = self.params.get("post_logout_redirect_uri", "")
        if self.target and self.client is None:
            raise Refused(TARGET_WITHOUT_CLIENT)
        if self.target and self.target not in self.client.post_logout_redirect_uris.split():  # type: ignore[union-attr]
            raise Refused(TARGET_UNREGISTERED)

    def proven(self, request: WorkspaceRequest) -> bool:
        """Whether the hint names the person and the session signed in here (no question asked)."""
        user = signed_in_user(request)
        hinted = self.hinted or {}
        sid = hinted.get("sid")
        return (
            user is not None
            and hinted.get("sub") == user.uid
            and isinstance(sid, str)
            and sid != ""  # a hint without one, and a session from before sids, prove nothing
            and sid == request.session.get(websessions.SID_KEY)
        )

    def afterwards(self, request: WorkspaceRequest) -> HttpResponse:
        if not self.target:
            return render(request, "oauth_apps/signed_out.html", {"client": self.client})
        state = self.params.get("state")
        separator = "&" if "?" in self.target else "?"
        return HttpResponseRedirect(self.target + (separator + urlencode({"state": state}) if state else ""))


def sign_out(request: WorkspaceRequest) -> None:
    websessions.end(request)  # the session's token goes, and with it the session's relying parties are told
    auth.logout(request)


@csrf_exempt  # a relying party may POST here from its own page; the confirmation is CSRF-checked
@never_cache
@forbid_framing
@require_http_methods(["GET", "POST"])
def end_session(request: WorkspaceRequest) -> HttpResponse:
    served(request)
    if request.method == "POST" and "confirm" in request.POST:
        return confirmed(request)
    try:
        ending = EndSession(request, request.GET if request.method == "GET" else request.POST)
    except Refused as refused:
        return render(request, "oauth_apps/end_session_error.html", {"message": str(refused)}, status=400)
    if signed_in_user(request) is None:
        return ending.afterwards(request)  # nobody to sign out
    if ending.proven(request):
        sign_out(request)
        return ending.afterwards(request)
    context = {"client": ending.client, "params": ending.params, "user": request.user}
    return render(request, "oauth_apps/end_session.html", context)


@csrf_protect
def confirmed(request: WorkspaceRequest) -> HttpResponse:
    """The person said yes on the confirmation page (its parameters checked again: they came back
    through the browser)."""
    try:
        ending = EndSession(request, request.POST)
    except Refused as refused:
        return render(request, "oauth_apps/end_session_error.html", {"message": str(refused)}, status=400)
    if signed_in_user(request) is not None:
        sign_out(request)
    return ending.afterwards(request)
