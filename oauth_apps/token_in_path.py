"""ProcessMaker's two routes where the access token in the URL is the only credential:
`POST .../oauth2/{token}/expire` and `DELETE .../oauth2/{token}`.

A 160-bit token is its own proof of possession, and ProcessMaker's logout code calls these without
any header, so no more is asked. A token of another workspace is left alone and answered like an
unknown one (ProcessMaker answers 200 for both); every call that names a real token is audited.
Tokens in URL paths end up in access logs: RFC 7009's /revoke is the better way, and the README
says so.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from oauth_apps.bearer import find_own_access_token
from oauth_apps.models import AccessToken
from oauth_apps.revocation import revoke_tokens
from workspaces import audit
from workspaces.models import Workspace

log = logging.getLogger(__name__)
EXPIRED_AGO = timedelta(minutes=1)  # ProcessMaker's expireToken sets EXPIRES a minute in the past


def held_token(workspace: Workspace, token: str, address: str) -> AccessToken | None:
    """The workspace's access token `token`; another workspace's is recorded and treated as unknown."""
    presented = find_own_access_token(workspace, token, address=address, via="access token in a URL")
    return None if presented is None else presented.access


@transaction.atomic
def expire_access_token(workspace: Workspace, token: str, address: str) -> bool:
    """Make the token refused from the next request on; False if there is no such token here."""
    found = held_token(workspace, token, address)
    if found is None:
        return False
    AccessToken.objects.filter(pk=found.pk).update(expires=timezone.now() - EXPIRED_AGO)
    audit.record(audit.Event.TOKEN_EXPIRED, workspace, user=found.user, client_id=found.client_id, address=address)
    return True


@transaction.atomic
def delete_access_token(workspace: Workspace, token: str, address: str) -> bool:
    """Delete the token, with its web-session link and its refresh token (the one revocation path);
    False if there is no such token here."""
    found = held_token(workspace, token, address)
    if found is None:
        return False
    revoke_tokens(access_tokens=[found.pk], why=f"deleted through its URL from {address}")
    return True
