"""Views of the OAuth floor: the token, authorize and revoke endpoints, login and the applications pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from workspaces.http import public_origin
from workspaces.models import Workspace
from workspaces.names import DEFAULT_LANG, DEFAULT_SKIN


def page_url(name: str, workspace: Workspace, lang: str = DEFAULT_LANG, skin: str = DEFAULT_SKIN, **kwargs: Any) -> str:
    """The URL of one of the workspace's pages under /sys{ws}/{lang}/{skin}/."""
    return reverse(name, kwargs={"ws": workspace.name, "lang": lang, "skin": skin, **kwargs})


def login_redirect(
    request: HttpRequest, workspace: Workspace, lang: str = DEFAULT_LANG, skin: str = DEFAULT_SKIN, back: str = ""
) -> HttpResponseRedirect:
    """To the login page, which brings the user back here (or to `back`) afterwards (ProcessMaker's `u`)."""
    back = quote(back or request.get_full_path(), safe="")
    return HttpResponseRedirect(f"{page_url('login', workspace, lang, skin)}?u={back}")


def issuer(request: HttpRequest, workspace: Workspace) -> str:
    """The workspace's issuer identifier (RFC 9207, RFC 8414): `{PM_PUBLIC_URL}/{ws}`."""
    return f"{public_origin(request)}/{workspace.name}"
