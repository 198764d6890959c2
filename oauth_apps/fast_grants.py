"""The client_credentials and refresh_token grants answered without oauthlib's plumbing, when they
are going to succeed.

A client_credentials token is one client check and one INSERT, a refresh one claim and two INSERTs,
yet oauthlib's request object, token endpoint and grant class, and django-oauth-toolkit's glue
around them, were a large share of their Python (docs/performance.md). These functions make no
decision of their own: they ask `oauth_apps.grant_rules`, which the validator asks on oauthlib's
path, in the order oauthlib's grant does (the client, its right to the grant, the scopes; for a
refresh, the claim by `services.claim_refresh_token` and the scope within the token's own), and
then issue what oauthlib would: tokens from the same generator, written by the same
`grant_rules.save_tokens`, in ProcessMaker's body.

Whatever a rule refuses (a credential missing, wrong or unknown, a grant not allowed, a scope, a
refresh token refused, a query string) gets None, and the request goes through oauthlib as before,
which meets the same refusal and answers it with ProcessMaker's error, its audit events and, for a
replayed refresh token, its family's revocation: errors have one source. Nothing the direct
attempt did outlives its None (nothing is written before the last check, and a refused claim is
rolled back). `ENABLED = False` sends every request through oauthlib; tests/test_token_paths_agree.py
sends the same generated requests both ways and compares the answers and the rows.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpResponse

from oauth_apps import grant_rules, services
from oauth_apps.backends import token_request_params
from oauth_apps.exceptions import CredentialRefused
from oauth_apps.identifiers import new_token
from oauth_apps.models import Application, RefreshToken
from oauth_apps.responses import processmaker_token, token_success
from workspaces import scopes
from workspaces.http import WorkspaceRequest

ENABLED = True
CLIENT_CREDENTIALS, REFRESH_TOKEN = "client_credentials", "refresh_token"


def client_credentials(request: WorkspaceRequest) -> HttpResponse | None:
    """The token response for a client_credentials request that will succeed, or None."""
    accepted = _confidential_request(request, CLIENT_CREDENTIALS)
    if accepted is None:
        return None
    params, client = accepted
    asked = scopes.normalise(params.get("scope")) or grant_rules.default_scopes(request.workspace)
    try:
        names = grant_rules.new_token_scopes(asked, CLIENT_CREDENTIALS)
    except grant_rules.Refusal:
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
    presented, asked = params.get("refresh_token"), scopes.normalise(params.get("scope")) or None
    if not presented:
        return None
    with transaction.atomic():
        try:
            refresh = services.claim_refresh_token(request.workspace, client, presented)
            names = grant_rules.refresh_scopes(asked, scopes.split(refresh.scope))
        except (CredentialRefused, grant_rules.Refusal):
            transaction.set_rollback(True)  # the claim is undone; oauthlib's grant answers
            return None
        if scopes.OPENID in names:
            transaction.set_rollback(True)  # a new ID token too: oauthlib's OpenID Connect grant writes it
            return None
        return _issue(request, REFRESH_TOKEN, client, refresh, names)


def _confidential_request(request: WorkspaceRequest, grant: str) -> tuple[dict[str, str], Application] | None:
    """The parameters of a `grant` request and the client it authenticates as, when that client may
    use the grant; None for anything else (oauthlib answers that)."""
    if not ENABLED or request.META.get("QUERY_STRING"):
        return None  # oauthlib refuses query parameters on a token request
    params = token_request_params(request)
    if params.get("grant_type") != grant:
        return None
    try:
        client = grant_rules.authenticated_client(
            request.workspace, request.META.get("HTTP_AUTHORIZATION"), params.get("client_id"),
            params.get("client_secret"), grant,
        )  # fmt: skip
    except grant_rules.Refusal:
        return None
    if grant_rules.grant_refusal(client, grant) is not None:
        return None
    return params, client


def _issue(
    request: WorkspaceRequest, grant: str, client: Application, refresh: RefreshToken | None, names: list[str]
) -> HttpResponse:
    """Issue what oauthlib's grant would (the same generator, `grant_rules.save_tokens`) and answer
    with ProcessMaker's body."""
    workspace = request.workspace
    access_token, scope = new_token(), " ".join(names)
    new_refresh = new_token() if refresh is not None else None
    grant_rules.save_tokens(
        workspace, grant, client=client, user=refresh.user if refresh else None, scope=scope,
        access_token=access_token, refresh_token=new_refresh, source_refresh=refresh,
    )  # fmt: skip
    token = {"access_token": access_token, "expires_in": workspace.access_token_lifetime, "token_type": "Bearer",
             "scope": scope}  # fmt: skip
    if new_refresh is not None:
        token["refresh_token"] = new_refresh
    return token_success(json.dumps(processmaker_token(token)))
