"""ProcessMaker's rules as django-oauth-toolkit validator callbacks.

oauthlib drives the protocol; this class answers its questions for the workspace the
request was routed to (`oauth_apps.context`) and raises oauthlib errors that carry
ProcessMaker's own error strings (`oauth_apps.errors`), in ProcessMaker's order.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import (
    code_challenge_method_plain,
    code_challenge_method_s256,
)

from oauth_apps import clientauth, errors, grant_rules, introspection, services, signin
from oauth_apps.context import OAuthRequestContext, current
from oauth_apps.exceptions import CredentialExpired, CredentialRefused, CredentialReplayed
from oauth_apps.identifiers import MAX_CLIENT_ID_LENGTH
from oauth_apps.models import AccessToken, Application, Grant, RefreshToken
from oauth_apps.oidc.provider import FRONT_CHANNEL, OpenIDConnectValidator
from oauth_apps.revocation import revoke_tokens
from workspaces import audit, lockout, password_policy, scopes, second_factor
from workspaces.backends import SignInRefused, SignInUnavailable
from workspaces.models import ErrorMode

log = logging.getLogger(__name__)
PKCE_METHODS = {"S256": code_challenge_method_s256, "plain": code_challenge_method_plain}

# The parameters each grant needs, checked after the client as ProcessMaker does.
REQUIRED_PARAMETERS = {
    "password": (("username", "password"), errors.PASSWORD_PARAMETERS_MISSING),
    "authorization_code": (("code",), errors.CODE_MISSING),
    "refresh_token": (("refresh_token",), errors.REFRESH_TOKEN_MISSING),
    errors.DEVICE_CODE_GRANT: (("device_code",), errors.DEVICE_CODE_MISSING),
}


class ProcessMakerValidator(OpenIDConnectValidator, OAuth2Validator):
    # --- Clients ---------------------------------------------------------------

    def _load_application(self, client_id: Any, request: Request) -> Application | None:
        """The client with this id in the current workspace, never the local web client, if the model
        calls it usable (django-oauth-toolkit's check, which this override keeps)."""
        client = request.client
        if isinstance(client, Application) and client.client_id == client_id and client.is_usable(request):
            return client
        client = Application.objects.find(current().workspace, client_id)
        if client is None:
            audit_foreign_client(client_id)
        request.client = client if client is not None and client.is_usable(request) else None
        return request.client

    def _extract_basic_auth(self, request: Request) -> str | None:
        """The Basic credentials, whatever the case of the scheme (RFC 7235 2.1)."""
        return clientauth.basic_value(request.headers.get("HTTP_AUTHORIZATION"))

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        """HTTP Basic or the body, by `grant_rules.authenticated_client` (the fast path's rule too)."""
        if getattr(request, "pm_client_authenticated", False):
            return True
        try:
            request.client = grant_rules.authenticated_client(
                current().workspace, request.headers.get("HTTP_AUTHORIZATION"), request.client_id,
                getattr(request, "client_secret", None), request.grant_type,
            )  # fmt: skip
        except grant_rules.Refusal as refusal:
            if refusal.unknown_client_id:
                audit_foreign_client(refusal.unknown_client_id)
            raise refusal.as_oauth_error() from None
        request.pm_client_authenticated = True
        return True

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        if current().confidential_only:  # a public client cannot authenticate, so it is refused
            return True
        return bool(super().client_authentication_required(request, *args, **kwargs))

    def authenticate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        if getattr(request, "pm_client_authenticated", False):
            return True
        if not client_id:
            raise errors.invalid_client(errors.CLIENT_CREDENTIALS_MISSING)
        if not super().authenticate_client_id(client_id, request, *args, **kwargs):
            raise errors.invalid_client(errors.CLIENT_CREDENTIALS_INVALID)
        request.pm_client_authenticated = True
        return True

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # The password grant is part of ProcessMaker's contract, so django-oauth-toolkit's
        # RFC 9700 gate (which logs a warning on every use) is not consulted.
        refusal = grant_rules.grant_refusal(client, grant_type)
        if refusal is not None:
            raise refusal.as_oauth_error()
        return True

    def authenticate_client_once(self, request: Request) -> None:
        """Client checks first, as ProcessMaker makes them (oauthlib checks some parameters before)."""
        if request.grant_type == "client_credentials" or self.client_authentication_required(request):
            self.authenticate_client(request)
        else:
            self.authenticate_client_id(request.client_id, request)

    # --- Resource owners and scopes ----------------------------------------------

    def validate_user(
        self, username: str, password: str, client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        context = current()
        workspace = context.workspace
        try:
            user = signin.check_password(
                workspace,
                username,
                password,
                context.address,
                via="password grant",
                audit_success=False,
                defer=context.after_failure.append,
            )
        except lockout.LoginRefused as refused:
            raise errors.invalid_grant(errors.login_refused(refused, page=False)) from None
        except SignInUnavailable:
            raise errors.sign_in_unavailable(workspace.error_mode) from None
        except SignInRefused:
            raise errors.invalid_grant(errors.USER_CREDENTIALS_INVALID) from None  # the reason: web login only
        if user is None:
            raise errors.invalid_grant(errors.USER_CREDENTIALS_INVALID)
        # ProcessMaker serves a user whose password is due for change (only its web login asks);
        # a workspace may refuse them here instead.
        if workspace.password_grant_refuses_change and password_policy.change_reason(user, password):
            raise errors.invalid_grant(errors.PASSWORD_MUST_CHANGE)
        if workspace.password_grant_refuses_second_factor and second_factor.has_any(user):
            raise errors.invalid_grant(errors.SECOND_FACTOR_GRANT)  # a password alone is not enough for them
        request.user = user
        return True

    def get_default_scopes(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return grant_rules.default_scopes(current().workspace)

    def validate_scopes(
        self, client_id: str, requested: list[str], client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        try:
            request.scopes = grant_rules.new_token_scopes(requested, request.grant_type)
        except grant_rules.Refusal as refusal:
            raise refusal.as_oauth_error() from None
        return True

    # --- Refresh tokens -------------------------------------------------------------

    def rotate_refresh_token(self, request: Request) -> bool:
        return True

    def validate_refresh_token(
        self, refresh_token: str, client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        context = current()
        try:
            refresh = services.claim_refresh_token(context.workspace, client, refresh_token)
        except CredentialRefused as refused:
            raise rejected(
                context, client, refused, errors.REFRESH_TOKEN_INVALID, errors.REFRESH_TOKEN_EXPIRED
            ) from None
        request.refresh_token_instance = refresh
        request.user = refresh.user
        return True

    def get_original_scopes(self, refresh_token: str, request: Request, *args: Any, **kwargs: Any) -> list[str]:
        return scopes.split(request.refresh_token_instance.scope)

    def is_within_original_scope(
        self, request_scopes: list[str], refresh_token: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        original = self.get_original_scopes(refresh_token, request)
        try:
            request.scopes = grant_rules.refresh_scopes(request_scopes, original)
        except grant_rules.Refusal as refusal:
            raise refusal.as_oauth_error() from None
        return True

    # --- Authorization requests ---------------------------------------------------

    def validate_client_id(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> bool:
        return self._load_application(client_id, request) is not None

    def get_default_redirect_uri(self, client_id: str, request: Request, *args: Any, **kwargs: Any) -> str | None:
        client = self._load_application(client_id, request)
        return client.redirect_uris.strip() or None if client else None

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # ProcessMaker registers one callback and compares it exactly (RFC 9700 2.1: exact matching).
        return redirect_uri == self.get_default_redirect_uri(client_id, request)

    def validate_response_type(
        self, client_id: str, response_type: str, client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # The implicit grant is part of ProcessMaker's contract: no RFC 9700 gate warning here;
        # but not for public clients (RFC 9700 2.1.2), nor are the OpenID Connect response types
        # that put a token in the front channel (`oidc.provider.FRONT_CHANNEL`).
        allowed = ("code",) if client.is_public else ("code", "token", *FRONT_CHANNEL)
        return response_type in allowed and client.allows_grant_type(response_type)

    def save_authorization_code(
        self, client_id: str, code: dict[str, Any], request: Request, *args: Any, **kwargs: Any
    ) -> None:
        services.save_authorization_code(
            current().workspace,
            client=request.client,
            user=request.user,
            code=code["code"],
            redirect_uri=request.redirect_uri,
            # Whether the client named a redirect_uri; then the code exchange must repeat it
            # (RFC 6749 4.1.3). Read from the request itself: oauthlib fills in the default.
            redirect_uri_sent="redirect_uri" in dict(parse_qsl(urlsplit(request.uri).query)),
            scope=" ".join(request.scopes or []),
            code_challenge=request.code_challenge or "",
            code_challenge_method=request.code_challenge_method or "" if request.code_challenge else "",
            **self.save_sign_in(request),
        )

    # --- Authorization codes -----------------------------------------------------

    def validate_code(
        self, client_id: str, code: str, client: Application, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        context = current()
        try:
            grant = services.claim_authorization_code(context.workspace, client, code)
        except CredentialRefused as refused:
            raise rejected(context, client, refused, errors.CODE_INVALID, errors.CODE_EXPIRED) from None
        if request.code_verifier and not grant.code_challenge:
            # oauthlib ignores a verifier when the code was issued without a challenge;
            # a client that sends one expects PKCE, so something is wrong (RFC 7636 4.5).
            raise errors.invalid_grant(errors.CODE_INVALID)
        verify = PKCE_METHODS.get(grant.code_challenge_method)
        if request.code_verifier and verify is not None and not verify(request.code_verifier, grant.code_challenge):
            # oauthlib would refuse it too, with an empty description (RFC 7636 4.6).
            raise errors.invalid_grant(errors.PKCE_MISMATCH)
        request.pm_grant = grant
        request.user = grant.user
        request.scopes = scopes.split(grant.scope)
        return True

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        grant: Grant = request.pm_grant
        return grant.code_challenge or None

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        grant: Grant = request.pm_grant
        return grant.code_challenge_method or None

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        client = request.client
        return isinstance(client, Application) and client.is_public

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Application,
        request: Request,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        grant: Grant = request.pm_grant
        # RFC 6749 4.1.3: required, and identical, when the authorize request named one (oauthlib
        # fills in the registered callback when the client leaves it out: that is not sending it).
        omitted = getattr(request, "using_default_redirect_uri", False)
        if grant.redirect_uri_sent and (omitted or redirect_uri != grant.redirect_uri):
            if current().workspace.error_mode == ErrorMode.RFC6749:  # RFC 6749 5.2: a grant problem
                raise errors.invalid_grant(errors.REDIRECT_URI_MISMATCH)
            raise errors.RedirectURIMismatchError(description=errors.REDIRECT_URI_MISMATCH)
        return True

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        # The code was marked used when it was claimed in validate_code; it is kept, not
        # deleted, so a replay can be recognised (RFC 9700 4.2.4).
        return None

    # --- Revoking (RFC 7009) -----------------------------------------------------------

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        """One of the authenticated client's own tokens, of either kind (the hint only says where
        to look first, RFC 7009 2.1), through the one revocation path; anything else is ignored."""
        client = request.client
        if not isinstance(client, Application):
            return
        mine = {"workspace": client.workspace_id, "application": client}
        revoke_tokens(
            access_tokens=AccessToken.objects.presented(token).filter(**mine).values_list("pk", flat=True),
            refresh_tokens=RefreshToken.objects.presented(token).filter(**mine).values_list("pk", flat=True),
        )

    # --- Introspection (RFC 7662) ------------------------------------------------------

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Request, *args: Any, **kwargs: Any
    ) -> dict[str, Any] | None:
        context = current()
        return introspection.introspect(context.workspace, token, token_type_hint, context.issuer)

    # --- Issuing ----------------------------------------------------------------------

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> None:
        grant = request.grant_type
        grant_rules.save_tokens(
            current().workspace, grant, client=request.client, user=request.user, scope=token.get("scope", ""),
            access_token=token["access_token"], refresh_token=token.get("refresh_token"),
            source_refresh=request.refresh_token_instance if grant == "refresh_token" else None,
            code=request.pm_grant if grant == "authorization_code" else None,
        )  # fmt: skip


def audit_foreign_client(client_id: object) -> None:
    """A client id this workspace does not have: if another workspace has it, that is logged and
    audited (a credential tried on the wrong tenant)."""
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID_LENGTH:
        return
    context = current()
    foreign = Application.objects.filter(client_id=client_id).exclude(workspace=context.workspace).first()
    if foreign is not None:
        audit.record_cross_workspace(
            context.workspace, client_id=client_id, owner_workspace=foreign.workspace_id, credential="client",
            address=context.address,
        )  # fmt: skip


def rejected(
    context: OAuthRequestContext, client: Application, refused: CredentialRefused, invalid: str, expired: str
) -> OAuth2Error:
    """ProcessMaker's invalid_grant for a refused code or refresh token. A replayed one has leaked:
    its whole token family is revoked once the failed request has been rolled back (inside the
    request, the revocation would be rolled back with it)."""
    if isinstance(refused, CredentialReplayed):
        log.warning(
            "%s was presented again by client %s in workspace %s; revoking every token of its family",
            refused.what, client.client_id, context.workspace.name,
        )  # fmt: skip
        event = (
            audit.Event.REFRESH_TOKEN_REUSED if invalid == errors.REFRESH_TOKEN_INVALID else audit.Event.CODE_REPLAYED
        )
        audit.record(event, context.workspace, client_id=client.client_id, address=context.address)
        if refused.family:
            context.after_failure.append(partial(revoke_tokens, family=refused.family, why="replay"))
    return errors.invalid_grant(expired if isinstance(refused, CredentialExpired) else invalid)


def public_clients_use_s256(request: Request) -> dict[str, Any]:
    """After oauthlib's authorization checks: a public client's PKCE must be S256, never plain."""
    client = request.client
    if isinstance(client, Application) and client.is_public and request.code_challenge_method != "S256":
        raise errors.invalid_request(errors.PKCE_S256_REQUIRED)
    return {}


def pm_pre_token_checks(validator: ProcessMakerValidator, request: Request) -> None:
    """Runs first in every grant: client, then required parameters, then scope spelling."""
    validator.authenticate_client_once(request)
    if request.grant_type == errors.DEVICE_CODE_GRANT and not request.client.allows_grant_type(request.grant_type):
        raise errors.unauthorized_client(errors.DEVICE_FLOW_OFF)
    names, description = REQUIRED_PARAMETERS.get(request.grant_type, ((), ""))
    if any(not getattr(request, name, None) for name in names):
        raise errors.invalid_request(description)
    normalised = scopes.normalise(request.scope)
    request.scope = " ".join(normalised) or None
    request.scopes = normalised
