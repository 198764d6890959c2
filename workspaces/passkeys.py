"""Passkeys and security keys (WebAuthn Level 2, through py_webauthn) as a second factor.

The relying party is PM_PUBLIC_URL's host, so passkeys are offered only when it is set (an IP address
cannot be a relying-party id; the demo and the tests use `localhost`). Changing that host later
orphans every passkey. Attestation is `none`; user verification is preferred. A ceremony's challenge
lives in the session for 5 minutes and is used once. An authenticator that keeps a signature counter
must show a larger one each time: a counter that goes backwards (a cloned key) is refused and audited.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

import webauthn
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from workspaces import audit
from workspaces.models import Passkey, User

CHALLENGE_KEY = "_pm_webauthn"
CHALLENGE_SECONDS = 300
RP_NAME = "pm-oauth"


def rp_id() -> str:
    return urlsplit(settings.PM_PUBLIC_URL).hostname or ""


def offered() -> bool:
    """Passkeys need a relying-party id: PM_PUBLIC_URL's host."""
    return bool(rp_id())


def passkeys_of(user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user)) if offered() else []


def descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id)) for p in passkeys_of(user)]


def _remember(session: Any, purpose: str, challenge: bytes, user: User | None) -> None:
    session[CHALLENGE_KEY] = {
        "purpose": purpose, "challenge": bytes_to_base64url(challenge), "user": user.pk if user else None,
        "until": int(time.time()) + CHALLENGE_SECONDS,
    }  # fmt: skip


def _take(session: Any, purpose: str, user: User | None) -> bytes | None:
    """The challenge of this session's ceremony for `purpose` and `user` (None: a sign-in by passkey
    alone, whose user the passkey names), once; None if there is none."""
    state = session.pop(CHALLENGE_KEY, None)
    expected = user.pk if user else None
    if not isinstance(state, dict) or state.get("purpose") != purpose or state.get("user") != expected:
        return None
    if int(state.get("until", 0)) < time.time():
        return None
    return base64url_to_bytes(str(state["challenge"]))


def handle_of(user: User) -> str:
    """The user's WebAuthn user handle (random, made once: it says nothing of who they are)."""
    if not user.passkey_handle:
        user.passkey_handle = bytes_to_base64url(secrets.token_bytes(32))
        User.objects.filter(pk=user.pk, passkey_handle="").update(passkey_handle=user.passkey_handle)
        user.passkey_handle = User.objects.filter(pk=user.pk).values_list("passkey_handle", flat=True).get()
    return user.passkey_handle


def registration_options(session: Any, user: User) -> str:
    """The options for navigator.credentials.create(), as JSON; the challenge kept in `session`."""
    label = f"{user.username}@{user.workspace}" if user.workspace else user.username
    passwordless = bool(user.workspace and user.workspace.passkey_login)
    options = webauthn.generate_registration_options(
        rp_id=rp_id(), rp_name=RP_NAME, user_name=label, user_display_name=user.full_name,
        user_id=base64url_to_bytes(handle_of(user)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            # Discoverable where the workspace signs in by passkey alone: the browser must find it unnamed.
            resident_key=ResidentKeyRequirement.REQUIRED if passwordless else ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=descriptors(user),
    )  # fmt: skip
    _remember(session, "register", options.challenge, user)
    return webauthn.options_to_json(options)


MAX_CREDENTIAL_ID = 1023


def register(session: Any, user: User, credential: dict[str, Any], name: str) -> Passkey | None:
    """The passkey the browser's answer registers, or None (no ceremony, or an answer that does not verify)."""
    challenge = _take(session, "register", user)
    if challenge is None:
        return None
    try:
        verified = webauthn.verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=settings.PM_PUBLIC_URL,
        )  # fmt: skip
    except (WebAuthnException, ValueError, KeyError, TypeError):  # any answer that does not verify
        return None
    # An authenticator chooses its credential ids: one longer than WebAuthn allows (1,023 bytes) or
    # already registered, to anyone, fails the ceremony (WebAuthn Level 2, 7.1 steps 21 and 22),
    # racing registrations included.
    if len(verified.credential_id) > MAX_CREDENTIAL_ID:
        return None
    try:
        with transaction.atomic():
            passkey = Passkey.objects.create(
                user=user, name=(name.strip() or "Passkey")[:64],
                credential_id=bytes_to_base64url(verified.credential_id),
                public_key=bytes_to_base64url(verified.credential_public_key), sign_count=verified.sign_count,
            )  # fmt: skip
    except IntegrityError:
        return None
    audit.record(audit.Event.SECOND_FACTOR_ENROLLED, user.workspace_id, user=user, name=passkey.name, kind="passkey")
    return passkey


def authentication_options(session: Any, user: User) -> str:
    """The options for navigator.credentials.get() with `user`'s passkeys, as JSON."""
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.PREFERRED,
        allow_credentials=descriptors(user),
    )  # fmt: skip
    _remember(session, "authenticate", options.challenge, user)
    return webauthn.options_to_json(options)


def authenticate(session: Any, user: User, credential: dict[str, Any]) -> Passkey | None:
    """The passkey of `user` that signed this session's challenge, or None. A counter that went
    backwards is refused and audited."""
    challenge = _take(session, "authenticate", user)
    passkey = Passkey.objects.filter(user=user, credential_id=str(credential.get("id", ""))[:1400]).first()
    if challenge is None or passkey is None:
        return None
    return passkey if _signed(passkey, challenge, credential, user_verified=False) else None


def _signed(passkey: Passkey, challenge: bytes, credential: dict[str, Any], *, user_verified: bool) -> bool:
    """Whether `credential` is `passkey`'s signature of `challenge` (with the user verified, if asked),
    its counter now taken. A counter that went backwards (a cloned key) is refused and audited; of two
    answers racing with the same counter, one wins (a conditional UPDATE)."""
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id(),
            expected_origin=settings.PM_PUBLIC_URL, credential_public_key=base64url_to_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count, require_user_verification=user_verified,
        )  # fmt: skip
    except InvalidAuthenticationResponse as error:
        if "count" in str(error).lower():
            user = passkey.user
            audit.record(audit.Event.PASSKEY_COUNTER_BACKWARDS, user.workspace_id, user=user, name=passkey.name)
        return False
    except (WebAuthnException, ValueError, KeyError, TypeError):  # any answer that does not verify
        return False
    return bool(
        Passkey.objects.filter(pk=passkey.pk, sign_count=passkey.sign_count).update(
            sign_count=verified.new_sign_count, last_used=timezone.now()
        )
    )


def parse(body: bytes) -> dict[str, Any] | None:
    """A ceremony's JSON body (the browser's credential), or None."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def discovery_options(session: Any) -> str:
    """The options for a sign-in by passkey alone: no user named, user verification required."""
    options = webauthn.generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.REQUIRED
    )
    _remember(session, "discover", options.challenge, None)
    return webauthn.options_to_json(options)


def discover(session: Any, workspace_id: int, credential: dict[str, Any]) -> User | None:
    """The user of `workspace_id` whose passkey signed this session's challenge with the user verified
    (the passkey and the user handle it answers with must both be theirs), or None."""
    challenge = _take(session, "discover", None)
    response = credential.get("response")
    handle = str(response.get("userHandle", "")) if isinstance(response, dict) else ""
    passkey = (
        Passkey.objects.select_related("user", "user__role", "user__workspace")
        .filter(credential_id=str(credential.get("id", ""))[:1400], user__workspace_id=workspace_id)
        .first()
    )
    if challenge is None or passkey is None or not handle or handle != passkey.user.passkey_handle:
        return None
    return passkey.user if _signed(passkey, challenge, credential, user_verified=True) else None
