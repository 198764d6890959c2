"""OpenID Connect Back-Channel Logout 1.0: when a web session ends, each client that received an ID
token in it and registered a back-channel logout URL is sent a signed logout token.

A session ends when its token is revoked (`oauth_apps.revocation`, whoever asks: logout, a password
change, a deactivation, an administrator's revoke, a second factor reset), which calls
`sessions_ended`. Each notice is a row (`LogoutDelivery`), written with the revocation; once that
commits, a thread sends them, so the request that ended the session never waits for a relying party.
`manage.py periodic` sends what is still due: 5 tries in all, about an hour apart at most (`BACKOFF`),
then the notice is dropped and logged. Sending goes through `plumbing.outbound` (timeouts, a size
cap, no private addresses unless the workspace allows them).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection, models, transaction
from django.utils import timezone
from jwcrypto import jwt

from oauth_apps import oidc
from oauth_apps.oidc import keys
from oauth_apps.oidc.records import IDToken
from plumbing import outbound
from workspaces.models import Workspace

log = logging.getLogger(__name__)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 120
# The wait before each further try, from the one that failed: 5 tries over about an hour.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(minutes=40))
TRIES = len(BACKOFF) + 1
LEASE = timedelta(minutes=2)  # a notice being sent is not picked up by another node meanwhile


class LogoutDelivery(models.Model):
    """A logout token still to be sent to one client, about one session (`sid`) of one user (`sub`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    application = models.ForeignKey("oauth_apps.Application", on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=32)
    sid = models.CharField(max_length=64)
    tries = models.PositiveSmallIntegerField(default=0)
    due = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "OAUTH_LOGOUT_DELIVERIES"
        indexes = [models.Index(fields=["due"], name="logout_delivery_due")]

    def __str__(self) -> str:
        return f"logout of session {self.sid} for client {self.application_id}"


def sessions_ended(sids: Iterable[str]) -> None:
    """Write a notice for each client told of these sessions (an ID token with the sid and a
    back-channel URL), and send them once the ending commits."""
    sids = [sid for sid in set(sids) if sid]
    if not sids:
        return
    told = (
        IDToken.objects.filter(sid__in=sids, application__isnull=False)
        .exclude(application__backchannel_logout_uri="")
        .values_list("application__workspace_id", "application_id", "user__uid", "sid")
        .distinct()
    )
    made = LogoutDelivery.objects.bulk_create(
        [LogoutDelivery(workspace_id=ws, application_id=app, sub=sub or "", sid=sid) for ws, app, sub, sid in told]
    )
    if made:
        ids = [delivery.pk for delivery in made] if made[0].pk is not None else None
        transaction.on_commit(lambda: send_soon(ids))


def send_soon(ids: list[int] | None) -> None:
    """Send these notices (None: every one due) on a thread of their own."""
    threading.Thread(target=_send_in_thread, args=(ids,), name="backchannel-logout", daemon=True).start()


def _send_in_thread(ids: list[int] | None) -> None:
    try:
        deliver_due(ids)
    except Exception:  # a thread's failure would otherwise go unseen; periodic tries again
        log.exception("back-channel logout: sending failed")
    finally:
        connection.close()  # this thread's own database connection


def deliver_due(ids: list[int] | None = None, now: datetime | None = None) -> dict[str, int]:
    """Send every notice due (of `ids`, if given), each claimed first so only one node sends it."""
    now = now or timezone.now()
    due = LogoutDelivery.objects.filter(due__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    counts = {"sent": 0, "failed": 0, "dropped": 0}
    for delivery in due.select_related("application", "workspace").order_by("due")[:500]:
        claimed = LogoutDelivery.objects.filter(pk=delivery.pk, due=delivery.due).update(due=now + LEASE)
        if claimed:
            counts[_deliver(delivery, now)] += 1
        close_old_connections()
    return counts


def logout_token(delivery: LogoutDelivery, now: datetime) -> str:
    """The signed logout token (Back-Channel Logout 2.4): no nonce, the `events` member, `sid` and `sub`."""
    client, workspace = delivery.application, delivery.workspace
    key = keys.signing_key(workspace, client.algorithm or keys.RS256)
    claims: dict[str, Any] = {
        "iss": oidc.issuer(workspace), "aud": client.client_id, "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + LOGOUT_TOKEN_SECONDS, "jti": str(uuid.uuid4()),
        "events": {EVENT: {}}, "sid": delivery.sid,
    }  # fmt: skip
    if delivery.sub:
        claims["sub"] = delivery.sub
    token = jwt.JWT(header={"alg": key.algorithm, "kid": key.kid, "typ": "logout+jwt"}, claims=claims)
    token.make_signed_token(key.jwk())
    return str(token.serialize())


def _deliver(delivery: LogoutDelivery, now: datetime) -> str:
    client = delivery.application
    url = client.backchannel_logout_uri
    try:
        if not url:
            raise outbound.OutboundRefused("the client no longer has a back-channel logout URL")
        answer = outbound.post_form(
            url, {"logout_token": logout_token(delivery, now)},
            allow_private=delivery.workspace.logout_to_private_addresses,
        )  # fmt: skip
        if answer.status in (200, 204):
            delivery.delete()
            return "sent"
        problem = f"HTTP {answer.status}"
    except (outbound.OutboundRefused, outbound.OutboundFailed) as error:
        problem = str(error)[:255]
    delivery.tries += 1
    if delivery.tries >= TRIES:
        log.warning(
            "back-channel logout dropped after %d tries: workspace %s, client %s: %s",
            delivery.tries, delivery.workspace.name, client.client_id, problem,
        )  # fmt: skip
        delivery.delete()
        return "dropped"
    LogoutDelivery.objects.filter(pk=delivery.pk).update(
        tries=delivery.tries, due=now + BACKOFF[delivery.tries - 1], last_error=problem
    )
    return "failed"
