"""The token endpoint's rules, each stated once, for both of the paths a token request may take.

oauthlib's grant classes run a request through our validator (`oauth_apps.validator`), and
`oauth_apps.fast_grants` answers a client_credentials or refresh_token request that will succeed
without them. Both ask the functions here, and only these, to decide: how a client authenticates,
whether it may use a grant, which scopes a new token gets, which a refresh may keep, and what is
written when tokens are issued. A refusal is a `Refusal` (the OAuth error code and ProcessMaker's
description); the validator raises it as oauthlib's error, the fast path steps aside and lets
oauthlib's grant answer it (the audit events and a replay's family revocation are that path's), so
a rule added here holds on both paths at once. The claim of a refresh token is
`services.claim_refresh_token`, also asked by both. tests/test_token_paths_agree.py sends generated
requests, good, bad and hostile, through both paths and compares what they answer and write.
"""

from __future__ import annotations

import uuid

from oauthlib.oauth2.rfc6749 import errors as oauthlib_errors

from oauth_apps import clientauth, errors, oidc, owners, services
from oauth_apps.models import Application, Grant, RefreshToken
from plumbing.metrics import TOKENS_ISSUED
from workspaces import scopes
from workspaces.models import ErrorMode, User, Workspace


class Refusal(Exception):
    """Why a token request is refused: an OAuth error (RFC 6749 5.2) with ProcessMaker's
    description. `unknown_client_id` names a client id this workspace does not have (the validator
    checks whether another workspace does, and audits it)."""

    def __init__(
        self, error: type[oauthlib_errors.OAuth2Error], description: str, unknown_client_id: str | None = None
    ) -> None:
        super().__init__(description)
        self.error, self.description, self.unknown_client_id = error, description, unknown_client_id

    def as_oauth_error(self) -> oauthlib_errors.OAuth2Error:
        return self.error(description=self.description)


def invalid_client(unknown_client_id: str | None = None) -> Refusal:
    return Refusal(oauthlib_errors.InvalidClientError, errors.CLIENT_CREDENTIALS_INVALID, unknown_client_id)


def invalid_scope(description: str = errors.SCOPE_UNSUPPORTED) -> Refusal:
    return Refusal(oauthlib_errors.InvalidScopeError, description)


def authenticated_client(
    workspace: Workspace, authorization: object, client_id: object, client_secret: object, grant_type: object = None
) -> Application:
    """The client a request authenticates as (RFC 6749 2.3.1), or a `Refusal`.

    HTTP Basic or the body. With a Basic header only Basic counts (no falling back to the body when
    it fails), and a body that names other credentials than the header is refused: which of the two
    would the client mean? RFC 6749 mode refuses both at once (2.3: one method). A public client
    has no secret and so never authenticates, except for the device grant, where RFC 8628 lets it
    name itself by its id alone."""
    header = clientauth.basic_value(authorization)
    body_id = str(client_id) if client_id else ""
    body_secret = str(client_secret) if client_secret else ""
    if header is None and not body_id:
        raise Refusal(oauthlib_errors.InvalidClientError, errors.CLIENT_CREDENTIALS_MISSING)
    if header is not None:
        if body_secret and workspace.error_mode == ErrorMode.RFC6749:
            raise Refusal(oauthlib_errors.InvalidRequestError, errors.ONE_AUTHENTICATION_METHOD)
        basic = clientauth.basic_credentials(header)
        if basic is None or not clientauth.body_agrees(basic, body_id, body_secret):
            raise invalid_client()
        body_id, body_secret = basic
    client = Application.objects.find(workspace, body_id)  # this exact id, in this workspace
    if client is None or not client.is_usable():
        raise invalid_client(unknown_client_id=body_id if client is None else None)
    if client.is_public and grant_type == errors.DEVICE_CODE_GRANT:
        return client
    if not clientauth.secret_matches(body_secret, client.client_secret):
        raise invalid_client()
    return client


def grant_refusal(client: Application, grant_type: str) -> Refusal | None:
    """Why `client` may not use `grant_type`, or None. Public clients, which ProcessMaker does not
    have, get only what RFC 9700 allows them; a client_credentials token acts as the client's owner,
    so it is refused while the owner could not get one (`owners.client_credentials_refusal`)."""
    if client.is_public and grant_type not in errors.PUBLIC_CLIENT_GRANT_TYPES:
        return Refusal(oauthlib_errors.UnauthorizedClientError, errors.GRANT_TYPE_UNAUTHORIZED)
    if grant_type == "client_credentials":
        refusal = owners.client_credentials_refusal(client)
        if refusal is not None:
            return Refusal(oauthlib_errors.UnauthorizedClientError, refusal)
    if grant_type not in errors.SUPPORTED_GRANT_TYPES or not client.allows_grant_type(grant_type):
        return Refusal(oauthlib_errors.UnauthorizedClientError, errors.GRANT_TYPE_UNAUTHORIZED)
    return None


def default_scopes(workspace: Workspace) -> list[str]:
    """What a token request that names no scope gets: the workspace's default scope."""
    return scopes.normalise(workspace.default_scope)


def new_token_scopes(asked: object, grant_type: str | None = None) -> list[str]:
    """The scopes a new token may carry for the (already defaulted) scopes `asked`: all known, at
    least one; else a `Refusal`. OpenID Connect's are for a person signing in at the authorization
    endpoint (`grant_type` None there, or the code's exchange): the password, client credentials
    and device grants carry no sign-in an ID token could describe."""
    names = scopes.normalise(asked)  # type: ignore[arg-type]
    if not names or not scopes.all_known(names):
        raise invalid_scope()
    if scopes.identity(names) and not oidc.enabled():
        raise invalid_scope(errors.OPENID_CONNECT_OFF)
    if grant_type not in (None, "authorization_code") and scopes.identity(names):
        raise invalid_scope(errors.IDENTITY_SCOPE_NEEDS_SIGNIN)
    return names


def refresh_scopes(asked: object, original: list[str]) -> list[str]:
    """The scopes a refresh asking for `asked` (None: the same again) gets from a token granted
    `original` (RFC 6749 6: nothing beyond them); else a `Refusal`."""
    if asked is None:
        return original
    names = scopes.normalise(asked)  # type: ignore[arg-type]
    if not names or not scopes.refresh_allows(names, original):
        raise invalid_scope()
    return names


def save_tokens(
    workspace: Workspace,
    grant_type: str | None,
    *,
    client: Application,
    user: User | None,
    scope: str,
    access_token: str,
    refresh_token: str | None,
    source_refresh: RefreshToken | None = None,
    code: Grant | None = None,
) -> None:
    """Write what a grant issues: the access token (and refresh token) in ProcessMaker's tables, in
    the family they belong to (a refresh's, an authorization code's, or a new one), and count it."""
    family: uuid.UUID | None = None
    if grant_type == "client_credentials":
        user = None  # acts for no user of its own (RFC 6749 4.4)
    elif source_refresh is not None:
        family = source_refresh.token_family
    elif code is not None:
        family = code.token_family
    elif refresh_token:
        family = uuid.uuid4()
    TOKENS_ISSUED.labels(workspace.name, grant_type or "implicit").inc()
    services.issue_tokens(
        workspace, client=client, user=user, scope=scope, access_token=access_token, refresh_token=refresh_token,
        family=family, source_refresh=source_refresh,
    )  # fmt: skip
