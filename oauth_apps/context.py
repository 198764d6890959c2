"""The workspace an OAuth request is being handled for, as oauthlib's callbacks see it.

oauthlib builds its own request object from the URI, body and headers, so the
Django request (and the workspace the routing middleware resolved) does not reach
the validator. The token and authorize views set this context around the oauthlib
call; the validator reads it. It also collects what must happen after the request's
transaction has been rolled back, such as revoking a replayed token's family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest

from workspaces.http import client_address
from workspaces.models import User, Workspace

if TYPE_CHECKING:
    from oauth_apps.oidc.tokens import SignIn


@dataclass
class OAuthRequestContext:
    workspace: Workspace
    address: str = "unknown"  # the client's IP address (login limits count per address)
    # Work that must outlive a failed request, run after its transaction is rolled back:
    # revoking a replayed token's family.
    after_failure: list[Callable[[], object]] = field(default_factory=list)
    # Introspection: only confidential clients may ask (RFC 7662 2.1), and claims name the issuer.
    confidential_only: bool = False
    issuer: str = ""
    # The authorize endpoint: the user signed in on the web, and how (OpenID Connect's prompt=none,
    # id_token_hint, and the sign-in an authorization code keeps for its ID token).
    signed_in: User | None = None
    sign_in: SignIn | None = None


_current: ContextVar[OAuthRequestContext | None] = ContextVar("pm_oauth_request", default=None)


def current() -> OAuthRequestContext:
    context = _current.get()
    if context is None:
        raise RuntimeError("No OAuth request context: call oauthlib through oauth_apps views only.")
    return context


@contextmanager
def oauth_request_for(request: HttpRequest) -> Iterator[OAuthRequestContext]:
    """The context of a request the routing middleware resolved to a workspace."""
    context = OAuthRequestContext(workspace=request.workspace, address=client_address(request))  # type: ignore[attr-defined]
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
