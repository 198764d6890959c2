"""Second factors at the web login: authenticator apps (TOTP, RFC 6238: SHA-1, 160-bit secrets,
30-second steps, 6 digits, as the apps expect) and single-use recovery codes, with the workspace's
policy and the second step's own attempt limits.

A code is accepted for the current step and one either side, and only for a step later than the last
one its factor accepted: the step is written by one conditional UPDATE, so a code works once across
every node. Five failures in 15 minutes lock a user's second step for the rest of the window; each
failure also counts against the client address, with password failures (workspaces.lockout).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from plumbing.window_counters import check_and_count, count_each, forget_and_discount
from workspaces import audit, lockout, passkeys
from workspaces.models import Passkey, RecoveryCode, SecondFactor, User, Workspace

STEP, DIGITS, DRIFT = 30, 6, 1
ISSUER = "pm-oauth"
FAILURES_ALLOWED, LOCK_SECONDS = 5, 15 * 60
RECOVERY_CODES = 10


# --- Policy ---------------------------------------------------------------------------------------


def offered(workspace: Workspace | None) -> bool:
    """Whether second factors are used in `workspace` (None: the Django admin's operators)."""
    policy = workspace.second_factor if workspace is not None else settings.PM_ADMIN_SECOND_FACTOR
    return bool(policy != "off")


def required_of(user: User) -> bool:
    """Whether a second factor is required of `user`: by their workspace (of everyone, or of the roles
    it names), or for a site operator by PM_ADMIN_SECOND_FACTOR."""
    workspace = user.workspace
    if workspace is None:
        return bool(settings.PM_ADMIN_SECOND_FACTOR == "required")
    if workspace.second_factor != "required":
        return False
    roles = workspace.second_factor_roles or []
    return not roles or (user.role is not None and user.role.code in roles)


def factors_of(user: User) -> list[SecondFactor]:
    if not offered(user.workspace):
        return []
    return list(SecondFactor.objects.filter(user=user))


def has_any(user: User) -> bool:
    """Whether `user` has a second factor that the login asks for: an authenticator app, or a passkey
    where passkeys are offered (workspaces.passkeys)."""
    if not offered(user.workspace):
        return False
    return SecondFactor.objects.filter(user=user).exists() or bool(passkeys.passkeys_of(user))


# --- Authenticator apps ---------------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits in base32, unpadded, as authenticator apps take them typed."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI the enrolment QR code holds (label `pm-oauth:{workspace}:{username}`)."""
    label = quote(f"{ISSUER}:{user.workspace or 'admin'}:{user.username}", safe="")
    query = urlencode({"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": DIGITS, "period": STEP})
    return f"otpauth://totp/{label}?{query}"


def _totp(secret: str) -> TOTP:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return TOTP(key, DIGITS, SHA1(), STEP)  # noqa: S303 - HMAC-SHA-1, what RFC 6238 and the apps use


def code_at(secret: str, step: int) -> str:
    return _totp(secret).generate(step * STEP).decode()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The step (now, or one either side) whose code `code` is, or None."""
    current = int((now if now is not None else time.time()) // STEP)
    matched = None
    for step in range(current - DRIFT, current + DRIFT + 1):
        if constant_time_compare(code_at(secret, step), code):  # every step checked: no early exit
            matched = step
    return matched


def is_code(typed: str) -> bool:
    return len(typed) == DIGITS and typed.isascii() and typed.isdigit()


def use_code(user: User, code: str, now: float | None = None) -> SecondFactor | None:
    """The factor `code` is a fresh code of (its step now taken, so it works once), or None."""
    for factor in factors_of(user):
        step = matching_step(factor.secret, code, now)
        if step is None:
            continue
        taken = SecondFactor.objects.filter(pk=factor.pk, last_step__lt=step).update(
            last_step=step, last_used=timezone.now()
        )
        return factor if taken else None  # 0: this step (or a later one) was used already
    return None


def enrol(user: User, name: str, secret: str, code: str, now: float | None = None) -> SecondFactor | None:
    """A new factor for `secret`, once `code` proves the app holds it; None if the code is not right."""
    step = matching_step(secret, code, now)
    if step is None:
        return None
    factor = SecondFactor.objects.create(
        user=user, name=(name.strip() or "Authenticator app")[:64], secret=secret, last_step=step,
        last_used=timezone.now(),
    )  # fmt: skip
    audit.record(audit.Event.SECOND_FACTOR_ENROLLED, user.workspace_id, user=user, name=factor.name)
    return factor


def remove(factor: SecondFactor | Passkey) -> None:
    audit.record(audit.Event.SECOND_FACTOR_REMOVED, factor.user.workspace_id, user=factor.user, name=factor.name)
    factor.delete()


@transaction.atomic
def reset(user: User, *, by: User | None) -> int:
    """An administrator's reset: every factor and recovery code of `user` gone (audited)."""
    count, _ = SecondFactor.objects.filter(user=user).delete()
    passkeys_removed, _ = Passkey.objects.filter(user=user).delete()
    count += passkeys_removed
    RecoveryCode.objects.filter(user=user).delete()
    audit.record(audit.Event.SECOND_FACTORS_RESET, user.workspace_id, by=by, user=user, factors=count)
    return count


# --- Recovery codes --------------------------------------------------------------------------------


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{normalise(code)}".encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(character for character in code.lower() if character.isalnum())


@transaction.atomic
def new_recovery_codes(user: User) -> list[str]:
    """Ten new codes, shown once: the old set is gone."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(7)).decode().lower()[:10]
        codes.append(f"{raw[:5]}-{raw[5:]}")
    salts = [secrets.token_hex(16) for _ in codes]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, salt=salt, digest=_digest(salt, code)) for salt, code in zip(salts, codes, strict=True)
    )
    return codes


def use_recovery_code(user: User, typed: str) -> bool:
    """Whether `typed` is an unused recovery code of `user` (now used up)."""
    found = None
    for code in RecoveryCode.objects.filter(user=user, used__isnull=True):
        if constant_time_compare(_digest(code.salt, typed), code.digest):
            found = code
    if found is None or not RecoveryCode.objects.filter(pk=found.pk, used__isnull=True).update(used=timezone.now()):
        return False
    left = RecoveryCode.objects.filter(user=user, used__isnull=True).count()
    audit.record(audit.Event.RECOVERY_CODE_USED, user.workspace_id, user=user, left=left)
    return True


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used__isnull=True).count()


# --- The second step's limits ----------------------------------------------------------------------


def _keys(user: User) -> tuple[str, str]:
    return f"pm:2fa:{user.pk}:failed", f"pm:2fa:{user.pk}:locked"


def is_locked(user: User) -> bool:
    return bool(cache.get(_keys(user)[1]))


def begin(user: User, address: str) -> int | None:
    """Count an attempt at the step before its code is checked, so attempts sent in parallel cannot
    all be checked before the first failure is counted; the count, or None (and nothing counted)
    while the step is locked, the address throttled, or when the attempt is one too many."""
    failures_key, locked_key = _keys(user)
    flag, counts = check_and_count([locked_key], [(failures_key, FAILURES_ALLOWED)], LOCK_SECONDS)
    if flag is not None:
        return None
    if counts[0] > FAILURES_ALLOWED or lockout.address_throttled(user.workspace, address):
        forget_and_discount([], [failures_key])
        return None
    return counts[0]


def failed(user: User, address: str, failures: int | None = None) -> None:
    """A wrong code or passkey: counted for the user (five lock the step for 15 minutes) and the
    address. `failures`: the count `begin()` made for this attempt already."""
    failures_key, locked_key = _keys(user)
    if failures is None:
        (failures,) = count_each([failures_key], LOCK_SECONDS)
    audit.record(audit.Event.SECOND_FACTOR_FAILED, user.workspace_id, user=user, address=address)
    if failures >= FAILURES_ALLOWED and cache.add(locked_key, True, timeout=LOCK_SECONDS):
        audit.record(audit.Event.SECOND_FACTOR_LOCKED, user.workspace_id, user=user, address=address)
    lockout.count_address_failure(user.workspace, address, "second factor")


def succeeded(user: User, address: str, *, recovery: bool) -> None:
    forget_and_discount([_keys(user)[0]], [])
    if not recovery:
        audit.record(audit.Event.SECOND_FACTOR_USED, user.workspace_id, user=user, address=address)


def check(user: User, typed: str, address: str) -> bool:
    """The second step: a fresh authenticator code or an unused recovery code of `user`. False for a
    wrong one (counted), or while the step is locked or the address throttled (not checked)."""
    failures = begin(user, address)
    if failures is None:
        return False
    typed = typed.strip().replace(" ", "")
    recovery = not is_code(typed)
    ok = use_recovery_code(user, typed) if recovery else use_code(user, typed) is not None
    if ok:
        succeeded(user, address, recovery=recovery)
    else:
        failed(user, address, failures)
    return ok
