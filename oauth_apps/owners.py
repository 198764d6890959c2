"""A client's owner and what its client_credentials tokens may do.

A client_credentials token acts for no user of its own (RFC 6749 4.4): on the REST API it acts as
the client's owner, with the owner's permissions. So whatever ends the owner's own access ends those
tokens too, and the grant is refused while the owner could not get a token for themselves:

- the owner cannot log in (inactive, on vacation, past the due date, a role without PM_LOGIN): the
  grant is refused, and the change that did it ended the tokens (`accounts.services`, through
  `revocation.revoke_tokens(owned_by=...)`);
- the owner loses PM_REST_API_APPLICATIONS: the tokens end. New ones may still be issued, acting
  with the owner's rights as they are then, as ProcessMaker issues them (imported clients are often
  owned by users who no longer hold it);
- an administrator reset the owner's password: whoever stole the old one may also have registered
  an application with it (one form post) and kept its secret. The owner's confidential clients are
  held (`hold_secrets`) and refuse the grant until the owner confirms each secret on the
  applications page (`confirm_secret`) or regenerates it. A user who changes their own password
  knows their own clients: nothing is held then.

`client_credentials_refusal` is the one statement of that rule; the token endpoint's oauthlib
path (the validator) and its direct path both ask it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from oauth_apps import errors
from oauth_apps.models import Application
from workspaces import audit
from workspaces.models import User


def client_credentials_refusal(client: Application) -> str | None:
    """Why `client` may not get a client_credentials token now, or None. `client.user` (the owner,
    with their role) is loaded with the client (`Application.objects.find`)."""
    owner: User | None = client.user
    if owner is None or not owner.can_log_in():
        return errors.OWNER_CANNOT_LOG_IN
    if client.secret_unconfirmed_since is not None:
        return errors.OWNER_MUST_CONFIRM_SECRET
    return None


@transaction.atomic
def hold_secrets(owner: User, *, by: User | None) -> int:
    """After an administrator reset `owner`'s password: hold the owner's confidential clients until
    the owner confirms each secret. How many were held."""
    held = list(
        Application.objects.filter(
            user=owner, is_local=False, client_type=Application.CLIENT_CONFIDENTIAL, secret_unconfirmed_since=None
        ).values_list("client_id", flat=True)
    )
    if held:
        Application.objects.filter(user=owner, client_id__in=held).update(secret_unconfirmed_since=timezone.now())
        audit.record(audit.Event.CLIENT_SECRETS_HELD, owner.workspace_id, by=by, user=owner, client_ids=held)
    return len(held)


@transaction.atomic
def confirm_secret(client: Application, *, by: User) -> bool:
    """The owner says the secret is still theirs alone: the grant works again. False if it was not held."""
    if not Application.objects.filter(pk=client.pk, secret_unconfirmed_since__isnull=False).update(
        secret_unconfirmed_since=None
    ):
        return False
    client.secret_unconfirmed_since = None
    audit.record(audit.Event.CLIENT_SECRET_CONFIRMED, client.workspace_id, by=by, client_id=client.client_id)
    return True
