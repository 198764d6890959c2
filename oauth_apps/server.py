"""The oauthlib server, set up the ProcessMaker way: oauthlib's OpenID Connect server, whose
dispatchers hand a request to its OpenID Connect grant only when `openid` is among the scopes (a
ProcessMaker client's requests meet the plain OAuth 2.0 grants, as before)."""

from __future__ import annotations

from functools import partial
from typing import Any

from oauthlib.common import Request
from oauthlib.openid import Server

from oauth_apps import device
from oauth_apps.context import current
from oauth_apps.identifiers import new_token
from oauth_apps.responses import processmaker_token
from oauth_apps.validator import ProcessMakerValidator, pm_pre_token_checks, public_clients_use_s256


def processmaker_code(grant: dict[str, Any], token_handler: Any, request: Request) -> dict[str, Any]:
    """An oauthlib code modifier, run first: ProcessMaker's codes are 40 lowercase hex (oauthlib makes
    30 characters), in place before another modifier reads the code (an ID token's `c_hash`)."""
    grant["code"] = new_token()
    return grant


def access_token_lifetime(request: Request) -> int:
    """expires_in for a new access token: the workspace's setting."""
    return current().workspace.access_token_lifetime


class ProcessMakerServer(Server):
    def __init__(self, request_validator: ProcessMakerValidator, **kwargs: Any) -> None:
        kwargs["token_expires_in"] = access_token_lifetime
        super().__init__(request_validator, **kwargs)
        check = partial(pm_pre_token_checks, request_validator)
        # The OpenID Connect code grant wraps an authorization code grant of its own: the same rules.
        code_grants = (self.auth_grant, self.openid_connect_auth)
        token_grants = (*code_grants, self.password_grant, self.credentials_grant, self.refresh_grant)
        for grant in token_grants:
            grant.custom_validators.pre_token.append(check)
        # A list of its own: oauthlib hands the device grant the settings' pre_token list itself
        # (django-oauth-toolkit's hook, which looks the code up unhashed and in no workspace), shared
        # by every server the views build.
        self.device_code_grant.custom_validators.pre_token = [check, device.claim_on_poll]
        for grant in (*code_grants, self.openid_connect_hybrid):
            grant.custom_validators.post_auth.append(public_clients_use_s256)
            # Ahead of the modifiers the grants registered themselves (a private list: the seam is
            # tested in tests/test_library_seams.py).
            grant._code_modifiers.insert(0, processmaker_code)
        # The grants of RFC 6749's token endpoint write ProcessMaker's body themselves (the device
        # grant applies no modifiers: `token_success` shapes its body; the implicit grant's token goes
        # in a redirect's fragment, as oauthlib shapes it).
        # The OpenID Connect grants add the ID token first (their own modifier, registered when made).
        for grant in token_grants:
            grant.register_token_modifier(processmaker_token)

    def validate_introspect_request(self, request: Request) -> None:
        """oauthlib's checks, the caller's credentials first: whoever cannot authenticate learns
        nothing, not even that their request lacked a token (oauthlib checks the token first). Its
        private checks, in one place: tests/test_introspection.py fails if they change."""
        self._raise_on_bad_method(request)
        self._raise_on_bad_post_request(request)
        self._raise_on_invalid_client(request)
        self._raise_on_missing_token(request)
        self._raise_on_unsupported_token(request)
