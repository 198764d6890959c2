"""The client_credentials grant answered without oauthlib's plumbing, when it is going to succeed.

A client_credentials token is one client check and one INSERT, yet oauthlib's request object,
token endpoint and grant class, and django-oauth-toolkit's glue around them, were a fifth of its
Python. `client_credentials()` answers a token request only once every check oauthlib's grant and
our validator make for it has passed, made by the same functions: the client found in the
workspace (`Application.objects.find`), its secret (`_check_secret`), Basic credentials read and
matched against the body's (`clientauth`), a confidential client allowed the grant, the scopes
normalised, defaulted and known (`scopes`). It then issues what oauthlib would: a token from the
same generator, the workspace's lifetime, the row `save_bearer_token` writes, ProcessMaker's body.

Anything else (a credential missing, wrong or unknown, a public client, an unknown scope, a query
string) gets None, and the request goes through oauthlib as before, which finds the same fault and
answers it with ProcessMaker's error and its audit events: errors have one source. Nothing is
written before the last check has passed. `ENABLED = False` sends every request through oauthlib
(the grant tests run both ways: tests/conftest.py).
"""

from __future__ import annotations

import json

from django.http import HttpResponse

from oauth_apps import clientauth, scopes, services
from oauth_apps.backends import token_request_params
from oauth_apps.identifiers import new_token
from oauth_apps.models import Application
from oauth_apps.responses import processmaker_token, token_success
from oauth_apps.validator import ProcessMakerValidator
from workspaces.http import WorkspaceRequest
from workspaces.metrics import TOKENS_ISSUED

ENABLED = True
GRANT = "client_credentials"
_validator = ProcessMakerValidator()  # stateless: for its secret check


def client_credentials(request: WorkspaceRequest) -> HttpResponse | None:
    """The token response for a client_credentials request that will succeed, or None."""
    if not ENABLED or request.META.get("QUERY_STRING"):
        return None  # oauthlib refuses query parameters on a token request
    params = token_request_params(request)
    if params.get("grant_type") != GRANT:
        return None
    client = authenticated_client(request, params)
    if client is None or client.is_public or not client.allows_grant_type(GRANT):
        return None
    workspace = request.workspace
    names = scopes.normalise(params.get("scope")) or scopes.normalise(workspace.default_scope)
    if not names or not scopes.all_known(names):
        return None
    access_token, scope = new_token(), " ".join(names)
    TOKENS_ISSUED.labels(workspace.name, GRANT).inc()
    services.issue_tokens(
        workspace, client=client, user=None, scope=scope, access_token=access_token, refresh_token=None, family=None
    )
    token = {"access_token": access_token, "expires_in": workspace.access_token_lifetime, "token_type": "Bearer",
             "scope": scope}  # fmt: skip
    return token_success(json.dumps(processmaker_token(token)))


def authenticated_client(request: WorkspaceRequest, params: dict[str, str]) -> Application | None:
    """The client the request authenticates as, as `ProcessMakerValidator.authenticate_client` has
    it (Basic credentials alone when the header is there, and a body that agrees with them), or
    None for anything it would refuse."""
    header = clientauth.basic_value(request.META.get("HTTP_AUTHORIZATION"))
    body_id, body_secret = params.get("client_id"), params.get("client_secret")
    if header is not None:
        basic = clientauth.basic_credentials(header)
        if basic is None:
            return None
        if not clientauth.body_agrees(basic, body_id, body_secret):
            return None
        client_id, secret = basic
    elif body_id:
        client_id, secret = body_id, body_secret or ""
    else:
        return None
    client = Application.objects.find(request.workspace, client_id)  # this exact id, in this workspace
    if client is None or not _validator._check_secret(secret, client.client_secret):
        return None
    return client
