"""The validator's OpenID Connect side: what oauthlib's OpenID Connect grants ask of it.

oauthlib runs the protocol (which grant answers, `prompt=none`'s errors, where `nonce`, `at_hash`
and `c_hash` go); this says who is signed in, whether consent is on record, what the code was
given for, and signs the ID token with the workspace's key (django-oauth-toolkit's signing has one
global key and reads codes unhashed, so those methods are replaced, not extended).
"""

from __future__ import annotations

from typing import Any

from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from oauth_apps import consents
from oauth_apps.context import current
from oauth_apps.identifiers import checksum
from oauth_apps.models import Grant
from oauth_apps.oidc import issuer, tokens
from workspaces import scopes

HINT_UNREADABLE = "id_token_hint is not an ID token this workspace issued"
# OpenID Connect's response types beyond `code` (Core 3.2, 3.3): an ID token, and maybe an access
# token, in the redirect. Offered where the implicit grant is, to confidential clients only, where
# `openid` is asked for, with a nonce always (oauthlib's check).
FRONT_CHANNEL = ("id_token", "id_token token", "code id_token")


class OpenIDConnectValidator:
    """Mixed into the ProcessMaker validator, ahead of django-oauth-toolkit's."""

    # --- The authorize endpoint ---------------------------------------------------------

    def validate_silent_login(self, request: Request) -> bool:
        return current().signed_in is not None

    def validate_silent_authorization(self, request: Request) -> bool:
        """`prompt=none` needs consent on record, or a client an administrator made first-party."""
        user = current().signed_in
        client = request.client
        return user is not None and (client.skip_authorization or consents.remembered(user, client, request.scopes))

    def validate_user_match(self, id_token_hint: str | None, scopes_: Any, claims: Any, request: Request) -> bool:
        """An `id_token_hint` must be one of ours, about the user signed in (expired ones count)."""
        if not id_token_hint:
            return True
        context = current()
        hinted = tokens.read(context.workspace, issuer(context.workspace), id_token_hint)
        if hinted is None:
            raise InvalidRequestError(request=request, description=HINT_UNREADABLE)
        return context.signed_in is not None and hinted.get("sub") == context.signed_in.uid

    def save_sign_in(self, request: Request) -> dict[str, Any]:
        """What an authorization code keeps of the sign-in it was given in, and an OpenID Connect
        request's nonce (`oidc.prompt` checked its length)."""
        sign_in = current().sign_in
        fields = sign_in.fields() if sign_in is not None else {}
        openid = scopes.OPENID in (request.scopes or [])
        return {**fields, "nonce": (request.nonce or "") if openid else ""}

    # --- The token endpoint ---------------------------------------------------------------

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> list[str]:
        """Which grant answers a code exchange: the code's scopes, read before it is claimed."""
        found = Grant.objects.filter(workspace=current().workspace, code=checksum(code or ""))
        return scopes.split(found.values_list("scope", flat=True).first())

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> str | None:
        grant: Grant = request.pm_grant
        return grant.nonce or None

    def refresh_id_token(self, request: Request) -> bool:
        """A refresh of a token granted `openid` gets a new ID token describing the same sign-in."""
        if scopes.OPENID not in (request.scopes or []):
            return False
        request.pm_sign_in = tokens.latest_sign_in(request.refresh_token_instance.token_family)
        return request.pm_sign_in is not None

    def get_id_token(self, token: dict[str, Any], token_handler: Any, request: Request) -> None:
        return None  # made by finalize_id_token from oauthlib's claims

    def finalize_id_token(
        self, id_token: dict[str, Any], token: dict[str, Any], token_handler: Any, request: Request
    ) -> str:
        if request.grant_type == "refresh_token":
            sign_in, family = request.pm_sign_in, request.refresh_token_instance.token_family
        elif request.grant_type == "authorization_code":
            grant: Grant = request.pm_grant
            sign_in, family = tokens.SignIn.of_record(grant), grant.token_family
        else:  # the authorize endpoint (response types with id_token): the session's sign-in
            sign_in, family = current().sign_in, None
        workspace = current().workspace
        return tokens.sign(
            workspace, issuer(workspace), request.client, request.user, sign_in, id_token,
            family=family, scope=" ".join(request.scopes),
        )  # fmt: skip
