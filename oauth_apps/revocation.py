"""Token revocation: the one place that ends tokens, whoever asks.

The REST API (password, status and role changes, user deletion), the Django admin, the
applications pages (secret regeneration, deletion), logout, the RFC 7009 endpoint and replay
detection all call `revoke_tokens`.

What revoking means, for every caller alike (and a web session whose token goes has ended: the
relying parties it signed in are told, `oauth_apps.oidc.backchannel`):
- an access token is deleted, never only flagged: ProcessMaker's own SQL for "the current token
  of a user" (`... ORDER BY EXPIRES DESC`) reads OAUTH_ACCESS_TOKENS without looking at any
  flag, so a row left behind would be handed out as live;
- a refresh token is kept, marked `revoked` with the time (and `updated`), so presenting it
  again is recognised as reuse rather than as an unknown token (RFC 9700 4.14.2).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from oauth_apps.models import AccessToken, Application, RefreshToken, UserSessionToken
from oauth_apps.oidc import backchannel
from workspaces import audit
from workspaces.models import Role, User


@transaction.atomic
def revoke_tokens(
    *,
    user: User | None = None,
    role: Role | None = None,
    client: Application | None = None,
    family: uuid.UUID | None = None,
    owned_by: User | None = None,
    owned_by_role: Role | None = None,
    access_tokens: Iterable[int] = (),
    refresh_tokens: Iterable[int] = (),
    by: User | None = None,
    why: str = "",
) -> int:
    """Revoke every token the selectors name (any combination); returns how many were live.

    - `user`: every token acting for the user, of any client; `role`: for any user of the role;
    - `client`: every token of the client, for any user;
    - `family`: every token descended from one original grant (a code or a password login);
    - `owned_by` / `owned_by_role`: the client_credentials tokens of the clients the user (any user
      of the role) owns, which act as their owner (`oauth_apps.owners`);
    - `access_tokens` / `refresh_tokens`: these rows (by primary key) and the other half of each
      pair, as RFC 7009 2.1 allows and django-oauth-toolkit does (a web session's token is one).

    `by` and `why` go to the audit log (one event per call that revoked anything).
    """
    access_pks, refresh_pks = list(access_tokens), list(refresh_tokens)
    access = Q(pk__in=access_pks) | Q(pk__in=RefreshToken.objects.filter(pk__in=refresh_pks).values("access_token"))
    refresh = Q(pk__in=refresh_pks) | Q(access_token__in=access_pks)
    # django-oauth-toolkit's token_family column is swept here rather than by its
    # RefreshToken.revoke_family(): that returns nothing to count or audit, and misses our access
    # tokens whose refresh token was purged (they carry the family themselves).
    for selected, lookup in ((user, "user"), (role, "user__role"), (client, "application"), (family, "token_family")):
        if selected is not None:
            access |= Q(**{lookup: selected})
            refresh |= Q(**{lookup: selected})
    # client_credentials gives no refresh token: only access tokens act as an owner.
    if owned_by is not None:
        access |= Q(user__isnull=True, application__user=owned_by)
    if owned_by_role is not None:
        access |= Q(user__isnull=True, application__user__role=owned_by_role)
    now = timezone.now()
    live_refresh = RefreshToken.objects.filter(refresh, revoked__isnull=True)
    workspace = next(iter(live_refresh.values_list("workspace_id", flat=True)[:1]), None)
    refreshed = live_refresh.update(revoked=now, updated=now)
    doomed = AccessToken.objects.filter(access)
    workspace = workspace or next(iter(doomed.values_list("workspace_id", flat=True)[:1]), None)
    # A web session's token going ends the session: its relying parties are told (back-channel logout).
    ended_sessions = list(UserSessionToken.objects.filter(access_token__in=doomed).values_list("sid", flat=True))
    _, deleted = doomed.delete()
    backchannel.sessions_ended(ended_sessions)
    count = refreshed + deleted.get(AccessToken._meta.label, 0)
    if count:
        audit.record(
            audit.Event.TOKENS_REVOKED, workspace, by=by, user=user or owned_by,
            client_id=client.client_id if client else "",
            count=count, why=why or "revoked",
        )  # fmt: skip
    return count
