"""Bearer-token authentication for the REST API (RFC 6750), bound to the request's workspace.

One indexed query (the token with its user, role, client and web session joined in), or its
result as this process keeps it while nothing it came from has changed on any node
(`oauth_apps.bearer`): a revoked token is refused on the very next request on every worker.
django-oauth-toolkit's own DRF class builds an oauthlib server per request; this does not need one.
"""

from __future__ import annotations

import logging
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from oauth_apps.bearer import bearer_token, find_own_access_token
from oauth_apps.models import AccessToken
from workspaces.http import client_address
from workspaces.models import ErrorMode, User

log = logging.getLogger(__name__)


class InvalidToken(exceptions.AuthenticationFailed):
    """RFC 6750 3.1 invalid_token: unknown, expired, revoked or another workspace's token."""

    default_detail = "Unauthorized"
    rfc6750_error = "invalid_token"


class ExpiredToken(InvalidToken):
    """An access token past its expiry: RFC 6750's invalid_token, and the header says why (the body
    stays ProcessMaker's "Unauthorized")."""

    rfc6750_description = "The access token expired"


class TokenSentTwice(exceptions.ParseError):
    """RFC 6750 2: a client uses one way to send the token per request (rfc6749 mode)."""

    default_detail = "The access token was sent both in the Authorization header and in the query string"


class InvalidAuthorizationHeader(exceptions.AuthenticationFailed):
    """RFC 6750 3.1 invalid_request: an Authorization header that is not `Bearer <token>`."""

    default_detail = "Unauthorized"
    rfc6750_error = "invalid_request"


class WorkspaceBearerAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, AccessToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        if "access_token" in request.query_params and request.workspace.error_mode == ErrorMode.RFC6749:
            raise TokenSentTwice()
        token = bearer_token(header)
        if token is None:
            raise InvalidAuthorizationHeader()
        presented = find_own_access_token(
            request.workspace, token, address=client_address(request), via="access token"
        )  # fmt: skip
        if presented is None:
            raise InvalidToken()
        access, user = presented
        if not access.is_live():
            raise ExpiredToken()
        # A client-credentials token acts for no user: permissions are its client owner's.
        if user is None or not user.can_log_in():
            raise InvalidToken()
        return user, access

    def authenticate_header(self, request: Request) -> str:
        return f'Bearer realm="{request.workspace.name}"'


def acting_user(request: Request) -> User:
    """The user an authenticated API request acts for (a client-credentials token: its client's owner)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user
