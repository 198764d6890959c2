"""An authorization request's OpenID Connect sign-in parameters (Core 3.1.2.1): `prompt` and `max_age`.

Read only when `openid` is asked for and OpenID Connect is served: a ProcessMaker client's request is
handled exactly as before, whatever it sends. `id_token_hint` is the validator's (`provider`);
`login_hint` fills in the login page's username; `ui_locales` and `display` are accepted and have no
effect (the pages are in English); `claims` is not supported and ignored (Discovery says so).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.http import HttpRequest
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError, LoginRequired

from oauth_apps import consents, oidc
from oauth_apps.models import Application
from oauth_apps.oidc.tokens import SignIn
from workspaces import scopes
from workspaces.models import User

MAX_AGE_INVALID = "max_age must be a whole number of seconds"
MAX_NONCE = 255  # the authorization code's nonce column
NONCE_TOO_LONG = f"nonce is at most {MAX_NONCE} characters"
ID_TOKEN_NEEDS_OPENID = "response_type id_token needs the openid scope (and OpenID Connect served here)"


class SignInRequest:
    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.openid = scopes.OPENID in scopes.split(request.GET.get("scope")) and oidc.enabled()
        self.prompt = set(request.GET.get("prompt", "").split()) if self.openid else set()
        self.silent = "none" in self.prompt
        self.max_age_given = request.GET.get("max_age") if self.openid else None

    def max_age(self) -> int | None:
        if self.max_age_given is None:
            return None
        if not self.max_age_given.isascii() or not self.max_age_given.isdigit():
            raise InvalidRequestError(description=MAX_AGE_INVALID)
        # Any number of digits is well formed, but int() refuses over 4,300 and no sign-in is older
        # than 12 digits of seconds (31,000 years).
        return int(self.max_age_given) if len(self.max_age_given) <= 12 else 10**12

    def too_old(self) -> bool:
        """Whether the session's sign-in is older than `max_age` allows (a bad value is no reason to
        sign in again: `check_age` refuses it)."""
        try:
            max_age = self.max_age()
        except InvalidRequestError:
            return False
        if max_age is None or not self.request.user.is_authenticated:
            return False
        return time.time() - SignIn.of_session(self.request).auth_time.timestamp() > max_age

    def needs_login_page(self) -> bool:
        """Whether the login page comes first: nobody is signed in, or the client asks for a fresh
        sign-in (`prompt=login`, a `max_age` passed). Never for `prompt=none`, which answers instead."""
        if self.silent:
            return False
        return not self.request.user.is_authenticated or "login" in self.prompt or self.too_old()

    def check(self) -> None:
        """`max_age` and `nonce` well formed; for `prompt=none`, a sign-in young enough (else
        login_required)."""
        self.max_age()
        if "id_token" in self.request.GET.get("response_type", "").split() and not self.openid:
            raise InvalidRequestError(description=ID_TOKEN_NEEDS_OPENID)
        if self.openid and len(self.request.GET.get("nonce", "")) > MAX_NONCE:
            raise InvalidRequestError(description=NONCE_TOO_LONG)
        if self.silent and self.too_old():
            raise LoginRequired(description="The sign-in is older than max_age allows")

    def after_login(self) -> str:
        """Where the login page sends the user back: this request, without what asked for the new
        sign-in (it would ask again, for ever)."""
        if "login" not in self.prompt and self.max_age_given is None:
            return self.request.get_full_path()
        params = [(name, value) for name, value in self.request.GET.items() if name != "max_age"]
        if "login" in self.prompt:
            rest = " ".join(sorted(self.prompt - {"login"}))
            params = [(name, rest if name == "prompt" else value) for name, value in params]
            params = [(name, value) for name, value in params if name != "prompt" or value]
        return f"{self.request.path}?{urlencode(params)}" if params else self.request.path


def consent_not_asked(request: HttpRequest, user: User, client: Application, requested: list[str]) -> bool:
    """Whether the consent page is skipped: not asked for (`prompt=consent`), and either a
    first-party client or a consent on record covering the scopes."""
    if "consent" in request.GET.get("prompt", "").split():
        return False
    return client.skip_authorization or consents.remembered(user, client, requested)
