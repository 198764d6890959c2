"""The client_credentials and refresh_token grants answered without oauthlib's plumbing, when they
are going to succeed.

A client_credentials token is one client check and one INSERT, a refresh one claim and two INSERTs,
yet oauthlib's request object, token endpoint and grant class, and django-oauth-toolkit's glue
around them, were a large share of their Python (docs/performance.md). These functions answer a token request only
once every check oauthlib's grant and our validator make for it has passed, made by the same
functions: the client found in the workspace (`Application.objects.find`) and usable, its secret
(`clientauth.secret_matches`), Basic credentials read and matched against the body's (`clientauth`), a
confidential client allowed the grant (and, for client_credentials, an owner who may have such
tokens: `owners.client_credentials_refusal`), the scopes normalised, defaulted and known (`scopes`), the
refresh token claimed (`services.claim_refresh_token`: found for this client in this workspace,
unused, unexpired, its user still allowed to log in, marked used by one conditional UPDATE) and the
scope asked for within its own. They then issue what oauthlib would: tokens from the same
generator, the workspace's lifetime, the rows `save_bearer_token` writes, ProcessMaker's body.

Anything else (a credential missing, wrong or unknown, a public client, an unknown or wider scope, a
refresh token refused, a query string) gets None, and the request goes through oauthlib as before,
which finds the same fault and answers it with ProcessMaker's error, its audit events and, for a
replayed refresh token, its family's revocation: errors have one source. Nothing the direct attempt
did outlives its None (nothing is written before the last check, and a refused claim is rolled
back). `ENABLED = False` sends every request through oauthlib (the tests that send these grants
run both ways: `both_token_paths` in tests/conftest.py).
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpResponse

from oauth_apps import clientauth, owners, services
from oauth_apps.backends import token_request_params
from oauth_apps.exceptions import CredentialRefused
from oauth_apps.identifiers import new_token
from oauth_apps.models import Application, RefreshToken
from oauth_apps.responses import processmaker_token, token_success
from plumbing.metrics import TOKENS_ISSUED
from workspaces import scopes
from workspaces.http import WorkspaceRequest
from workspaces.models import ErrorMode

ENABLED = True
CLIENT_CREDENTIALS, REFRESH_TOKEN = "client_credentials", "refresh_token"


def client_credentials(request: WorkspaceRequest) -> HttpResponse | None:
    """The token response for a client_credentials request that will succeed, or None."""
    accepted = _confidential_request(request, CLIENT_CREDENTIALS)
    if accepted is None:
        return None
    params, client = accepted
    workspace = request.workspace
    names = scopes.normalise(params.get("scope")) or scopes.normalise(workspace.default_scope)
    if not names or not scopes.all_known(names):
        return None
    return _issue(request, CLIENT_CREDENTIALS, client, None, names)


def refresh_token(request: WorkspaceRequest) -> HttpResponse | None:
    """The token response for a refresh_token request that will succeed, or None.

    The presented token is claimed by `services.claim_refresh_token`, as oauthlib's grant does
    through the validator, inside a transaction: when the claim is refused, or the scope asked for
    is beyond the token's own, it is rolled back and oauthlib's grant answers (a replay's family
    revocation and audit events are its to write). The claim itself is one conditional UPDATE, so
    of two requests with one token exactly one gets past it, whichever path each takes."""
    accepted = _confidential_request(request, REFRESH_TOKEN)
    if accepted is None:
        return None
    params, client = accepted
    presented, asked = params.get("refresh_token"), scopes.normalise(params.get("scope"))
    if not presented:
        return None
    with transaction.atomic():
        try:
            refresh = services.claim_refresh_token(request.workspace, client, presented)
        except CredentialRefused:
            refresh = None  # nothing was written: the claim is refused before it changes anything
        if refresh is not None:
            original = scopes.split(refresh.scope)
            if not asked or scopes.refresh_allows(asked, original):
                return _issue(request, REFRESH_TOKEN, client, refresh, asked or original)
        transaction.set_rollback(True)
    return None


def _confidential_request(request: WorkspaceRequest, grant: str) -> tuple[dict[str, str], Application] | None:
    """The parameters of a `grant` request and the confidential client it authenticates as, when
    that client may use the grant; None for anything else (oauthlib answers that)."""
    if not ENABLED or request.META.get("QUERY_STRING"):
        return None  # oauthlib refuses query parameters on a token request
    params = token_request_params(request)
    if params.get("grant_type") != grant:
        return None
    client = authenticated_client(request, params)
    if client is None or client.is_public or not client.allows_grant_type(grant):
        return None
    if grant == CLIENT_CREDENTIALS and owners.client_credentials_refusal(client) is not None:
        return None
    return params, client


def _issue(
    request: WorkspaceRequest, grant: str, client: Application, refresh: RefreshToken | None, names: list[str]
) -> HttpResponse:
    """Write the tokens oauthlib's grant would (the same generator, the workspace's lifetime, the
    rows `save_bearer_token` writes) and answer with ProcessMaker's body."""
    workspace = request.workspace
    access_token, scope = new_token(), " ".join(names)
    new_refresh = new_token() if refresh is not None else None
    TOKENS_ISSUED.labels(workspace.name, grant).inc()
    services.issue_tokens(
        workspace,
        client=client,
        user=refresh.user if refresh else None,
        scope=scope,
        access_token=access_token,
        refresh_token=new_refresh,
        family=refresh.token_family if refresh else None,
        source_refresh=refresh,
    )
    token = {"access_token": access_token, "expires_in": workspace.access_token_lifetime, "token_type": "Bearer",
             "scope": scope}  # fmt: skip
    if new_refresh is not None:
        token["refresh_token"] = new_refresh
    return token_success(json.dumps(processmaker_token(token)))


def authenticated_client(request: WorkspaceRequest, params: dict[str, str]) -> Application | None:
    """The client the request authenticates as, as `ProcessMakerValidator.authenticate_client` has
    it (Basic credentials alone when the header is there, and a body that agrees with them), or
    None for anything it would refuse."""
    header = clientauth.basic_value(request.META.get("HTTP_AUTHORIZATION"))
    body_id, body_secret = params.get("client_id"), params.get("client_secret")
    if header is not None:
        basic = clientauth.basic_credentials(header)
        if basic is None or (body_secret and request.workspace.error_mode == ErrorMode.RFC6749):
            return None
        if not clientauth.body_agrees(basic, body_id, body_secret):
            return None
        client_id, secret = basic
    elif body_id:
        client_id, secret = body_id, body_secret or ""
    else:
        return None
    client = Application.objects.find(request.workspace, client_id)  # this exact id, in this workspace
    if client is None or not client.is_usable() or not clientauth.secret_matches(secret, client.client_secret):
        return None
    return client
