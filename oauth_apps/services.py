"""State changes for OAuth clients and tokens; each one is a single transaction."""

from __future__ import annotations

from django.db import transaction

from oauth_apps.models import Application
from workspaces.models import User, Workspace

LOCAL_CLIENT_NAME = "PM Web Designer"


@transaction.atomic
def create_local_client(workspace: Workspace, owner: User) -> Application:
    """The workspace's own web client (ProcessMaker's x-pm-local-client).

    Its id is random and its secret is never shown: it only mints tokens for
    logged-in web sessions, server side.
    """
    return Application.objects.create(
        workspace=workspace,
        user=owner,
        name=LOCAL_CLIENT_NAME,
        website="",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        is_local=True,
    )
