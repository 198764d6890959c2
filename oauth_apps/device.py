"""The device authorization grant (RFC 8628), for CLI tools and kiosks.

A device asks `/{ws}/oauth2/device_authorization` for a device code and a user code; its user types
the user code on `/sys{ws}/{lang}/{skin}/oauth2/device` (logged in), sees the application and the
scopes, and approves or denies; meanwhile the device polls the token endpoint with the device code.
oauthlib drives both endpoints; the rules that decide the state live here:

- only clients whose owner turned the flow on may start it (`Application.allow_device_flow`);
- the device code is stored as its SHA-256 and bound to the workspace and the client: another
  client's or another workspace's is unknown;
- polling faster than the interval answers `slow_down` and adds 5 s to it (RFC 8628 3.5);
- an approved code gives tokens once (a second poll finds it used: `expired_token`);
- user codes are 8 letters from RFC 8628 6.1's 20-consonant alphabet (about 2^34), and a user who
  types 10 wrong ones within 15 minutes is stopped for a while (`workspaces.lockout` style counter).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial

from django.db.models import F
from django.utils import timezone
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors as oauth_errors
from oauthlib.oauth2.rfc8628 import errors as device_errors

from oauth_apps import errors
from oauth_apps.context import current
from oauth_apps.identifiers import checksum
from oauth_apps.models import Application, DeviceGrant
from plumbing.window_counters import count_in_window, current_count
from workspaces import scopes
from workspaces.models import User, Workspace

USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"
USER_CODE_LENGTH = 8
INTERVAL = 5  # seconds a device waits between polls
SLOW_DOWN_STEP = 5
WRONG_CODES_ALLOWED = 10
WRONG_CODES_WINDOW = 900


def new_user_code(request: object = None) -> str:
    """`XXXX-XXXX` (the dash is for reading; it is not part of the code)."""
    code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(USER_CODE_LENGTH))
    return f"{code[:4]}-{code[4:]}"


def normalise_user_code(text: str) -> str:
    """What a person typed, as stored: upper case, without dashes, spaces or other marks."""
    return "".join(ch for ch in text.upper() if ch in USER_CODE_ALPHABET)[: USER_CODE_LENGTH * 2]


def shown(user_code: str) -> str:
    """A code as the device shows it: `XXXX-XXXX`."""
    code = normalise_user_code(user_code)
    return f"{code[:4]}-{code[4:]}" if len(code) > 4 else code


def start(workspace: Workspace, client: Application, *, device_code: str, user_code: str, scope: str) -> DeviceGrant:
    now = timezone.now()
    grant = DeviceGrant.objects.create(
        workspace=workspace, client_id=client.client_id, device_code=checksum(device_code),
        user_code=normalise_user_code(user_code), scope=scope, interval=INTERVAL,
        expires=now + timedelta(seconds=workspace.device_code_lifetime),
    )  # fmt: skip
    # `last_checked` is the last poll; a device may poll once as soon as it has its codes.
    DeviceGrant.objects.filter(pk=grant.pk).update(last_checked=now - timedelta(seconds=INTERVAL))
    return grant


# --- The verification page -------------------------------------------------------------------


def too_many_wrong_codes(user: User) -> bool:
    return current_count(wrong_codes_key(user)) >= WRONG_CODES_ALLOWED


def wrong_codes_key(user: User) -> str:
    return f"pm-device-wrong-codes:{user.pk}"


def pending(workspace: Workspace, user: User, user_code: str) -> tuple[DeviceGrant, Application] | None:
    """The live, undecided request with this user code, and its client; a miss counts against the user."""
    grant = (
        DeviceGrant.objects.filter(
            workspace=workspace, user_code=normalise_user_code(user_code),
            status=DeviceGrant.AUTHORIZATION_PENDING, expires__gt=timezone.now(),
        )
        .order_by("-pk")
        .first()
    )  # fmt: skip
    client = Application.objects.find(workspace, grant.client_id) if grant is not None else None
    if grant is None or client is None or not client.allow_device_flow:
        count_in_window(wrong_codes_key(user), WRONG_CODES_WINDOW)
        return None
    return grant, client


def decide(grant: DeviceGrant, user: User, *, approve: bool) -> bool:
    """Record the user's answer, once; False if the request was decided or expired meanwhile."""
    status = DeviceGrant.AUTHORIZED if approve else DeviceGrant.DENIED
    return bool(
        DeviceGrant.objects.filter(
            pk=grant.pk, status=DeviceGrant.AUTHORIZATION_PENDING, expires__gt=timezone.now()
        ).update(status=status, user=user, decided_at=timezone.now())
    )


# --- Polling (the token endpoint) --------------------------------------------------------------


def poll(workspace: Workspace, client: Application, device_code: str) -> tuple[DeviceGrant, User]:
    """The approved grant and its user, claimed once; an OAuth error for every other state. A poll
    that must be remembered whatever happens next (its time, a longer interval) is written by
    `note_poll`, which the caller runs after the request's transaction."""
    grant = DeviceGrant.objects.filter(
        workspace=workspace, client_id=client.client_id, device_code=checksum(device_code)
    ).first()
    if grant is None:
        raise oauth_errors.InvalidGrantError(description=errors.DEVICE_CODE_INVALID)
    now = timezone.now()
    if grant.status == DeviceGrant.EXPIRED or now >= grant.expires:
        raise device_errors.ExpiredTokenError()
    if grant.status == DeviceGrant.DENIED:
        raise device_errors.AccessDenied()
    if grant.status == DeviceGrant.AUTHORIZATION_PENDING:
        if grant.last_checked and now < grant.last_checked + timedelta(seconds=grant.interval):
            raise device_errors.SlowDownError()
        raise device_errors.AuthorizationPendingError()
    claimed = DeviceGrant.objects.filter(pk=grant.pk, status=DeviceGrant.AUTHORIZED).update(status=DeviceGrant.EXPIRED)
    user = User.objects.select_related("role").filter(pk=grant.user_id).first()
    if not claimed or user is None or not user.can_log_in():
        raise oauth_errors.InvalidGrantError(description=errors.DEVICE_CODE_INVALID)
    # (Approvals from before decided_at was kept have none: they expire within minutes anyway.)
    if grant.decided_at is not None and not user.approved_since_credentials_changed(grant.decided_at):
        raise oauth_errors.InvalidGrantError(description=errors.DEVICE_CODE_INVALID)
    return grant, user


def claim_on_poll(request: Request) -> None:
    """oauthlib pre-token check of the device-code grant (after the client's): the device's answer."""
    context = current()
    client: Application = request.client
    code = str(request.device_code or "")
    try:
        grant, user = poll(context.workspace, client, code)
    except (device_errors.AuthorizationPendingError, device_errors.SlowDownError) as waiting:
        slowed = isinstance(waiting, device_errors.SlowDownError)
        context.after_failure.append(partial(note_poll, context.workspace, client, code, slowed=slowed))
        raise
    request.user = user
    request.scopes = scopes.split(grant.scope)


def note_poll(workspace: Workspace, client: Application, device_code: str, *, slowed: bool) -> None:
    """Remember a refused poll's time; a poll that came too soon also lengthens the interval."""
    rows = DeviceGrant.objects.filter(
        workspace=workspace, client_id=client.client_id, device_code=checksum(device_code)
    )
    changes = {"last_checked": timezone.now()}
    if slowed:
        changes["interval"] = F("interval") + SLOW_DOWN_STEP  # type: ignore[assignment]
    rows.filter(status=DeviceGrant.AUTHORIZATION_PENDING).update(**changes)
