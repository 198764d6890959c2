"""What a user has granted: remembered consent, the applications holding their tokens, and revoking one.

The consent page asks a user whether an application may act for them; their acceptance is kept
(`Consent`). Within the workspace's `consent_days` (0 by default: always ask, as ProcessMaker) the
same or a narrower set of scopes is granted without asking again. A user sees every application
holding a token or a consent of theirs (their Authorized applications page, the REST API for
PM_USERS, the Django admin), figured from the token rows themselves (no write per API call to track
use), and revoking one ends its tokens for that user and forgets the consent. The client_credentials
tokens of an application the user owns act as them (`oauth_apps.owners`): they are listed, and
revoked, with the user's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from oauth_apps.models import AccessToken, Application, Consent, RefreshToken, live_access, usable_refresh
from oauth_apps.revocation import revoke_tokens
from workspaces import audit, scopes
from workspaces.models import User


def remembered(user: User, client: Application, requested: list[str]) -> bool:
    """True when the user accepted this client for these scopes (or wider) within the workspace's days."""
    days = client.workspace.consent_days
    if days <= 0:
        return False
    consent = Consent.objects.filter(user=user, application=client).first()
    if consent is None or consent.granted + timedelta(days=days) <= timezone.now():
        return False
    return bool(requested) and scopes.within(scopes.normalise(requested), scopes.split(consent.scope))


def remember(user: User, client: Application, granted: list[str]) -> None:
    """Record an acceptance; a narrower request keeps the wider set already accepted."""
    now = timezone.now()
    consent, created = Consent.objects.get_or_create(
        user=user, application=client,
        defaults={"workspace_id": client.workspace_id, "scope": " ".join(granted), "granted": now},
    )  # fmt: skip
    if not created:
        kept = scopes.split(consent.scope)
        consent.scope = " ".join(kept + [name for name in granted if name not in kept])
        consent.granted = now
        consent.save(update_fields=["scope", "granted"])


def forget(user: User, client: Application) -> None:
    Consent.objects.filter(user=user, application=client).delete()


@dataclass
class AuthorizedApplication:
    application: Application
    scopes: list[str] = field(default_factory=list)
    first_authorized: datetime | None = None
    last_issued: datetime | None = None
    live_tokens: int = 0
    remembered_until: datetime | None = None
    owner_tokens: int = 0  # of live_tokens, the client_credentials tokens acting as the owner
    # What a person counts: one per sign-in still in use (a login gives an access token and a refresh
    # token, which is one), and one per client_credentials token acting as the owner.
    live_sessions: int = 0

    @property
    def scope_words(self) -> list[str]:
        """The scopes as the consent page says them."""
        return scopes.describe(scopes.normalise(self.scopes))


def authorized_applications(user: User) -> list[AuthorizedApplication]:
    """Every application (but the workspace's own web client) holding a token or consent of the user's."""
    now = timezone.now()
    found: dict[int, AuthorizedApplication] = {}
    mine = Q(user=user) & ~Q(application__is_local=True)
    as_owner = Q(user__isnull=True, application__user=user)
    access = (
        AccessToken.objects.filter(mine | as_owner)
        .values("application")
        .annotate(
            first=Min("created"), last=Max("created"), live=Count("id", filter=live_access(now=now)),
            owner=Count("id", filter=live_access(now=now) & Q(user__isnull=True)),
            # live, with a usable refresh token of the same pair: that sign-in is counted with the refresh
            paired=Count("id", filter=live_access(now=now) & Q(refresh_token__isnull=False)
                         & usable_refresh("refresh_token__", now)),
        )
    )  # fmt: skip
    refresh = (
        RefreshToken.objects.filter(mine, revoked__isnull=True)
        .values("application")
        .annotate(first=Min("created"), last=Max("created"), live=Count("id", filter=usable_refresh(now=now)))
    )  # fmt: skip
    for row in [*access, *refresh]:
        entry = found.setdefault(row["application"], AuthorizedApplication(application=None))  # type: ignore[arg-type]
        entry.first_authorized = earliest(entry.first_authorized, row["first"])
        entry.last_issued = latest(entry.last_issued, row["last"])
        entry.live_tokens += row["live"]
        entry.owner_tokens += row.get("owner", 0)
        entry.live_sessions += row["live"] - row.get("paired", 0)
    consents = {consent.application_id: consent for consent in Consent.objects.filter(user=user)}
    for application_id in consents:
        found.setdefault(application_id, AuthorizedApplication(application=None))  # type: ignore[arg-type]
    token_scopes: dict[int, list[str]] = {}
    live = AccessToken.objects.filter(mine | as_owner).filter(live_access(now=now))
    for application_id, scope in live.values_list("application", "scope"):
        token_scopes.setdefault(application_id, []).extend(scopes.split(scope))
    applications = Application.objects.in_bulk(found)
    days = user.workspace.consent_days if user.workspace else 0
    for application_id, entry in found.items():
        entry.application = applications[application_id]
        consent = consents.get(application_id)
        names = scopes.split(consent.scope) if consent else token_scopes.get(application_id, [])
        entry.scopes = list(dict.fromkeys(names))
        if consent is not None:
            entry.first_authorized = earliest(entry.first_authorized, consent.created)
            if days > 0 and consent.granted + timedelta(days=days) > now:
                entry.remembered_until = consent.granted + timedelta(days=days)
    return sorted(found.values(), key=lambda entry: (entry.application.name.casefold(), entry.application.pk))


def earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(value for value in (a, b) if value is not None) if a or b else None


def latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(value for value in (a, b) if value is not None) if a or b else None


@transaction.atomic
def revoke_application(user: User, client: Application, *, by: User | None = None) -> int:
    """End every token `client` holds for `user` (and its client_credentials tokens, which act as
    `user` when they own it) and forget the consent; how many tokens were live."""
    mine = {"user": user, "application": client}
    access = AccessToken.objects.filter(Q(**mine) | Q(user__isnull=True, application=client, application__user=user))
    count = revoke_tokens(
        access_tokens=access.values_list("pk", flat=True),
        refresh_tokens=RefreshToken.objects.filter(**mine).values_list("pk", flat=True),
        by=by, why=f"application {client.client_id} revoked for {user.username}",
    )  # fmt: skip
    had_consent = Consent.objects.filter(**mine).delete()[0] > 0
    if not count and had_consent:
        audit.record(audit.Event.TOKENS_REVOKED, user.workspace_id, by=by, user=user, client_id=client.client_id,
                     count=0, why="consent forgotten")  # fmt: skip
    return count
