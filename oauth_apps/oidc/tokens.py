"""ID tokens: signed with the workspace's key for the client's algorithm, and read back as hints.

Every ID token carries `iss`, `sub` (the user's USR_UID), `aud`, `exp`, `iat`, `auth_time`, `amr`,
`sid` and a `jti`; oauthlib adds `nonce`, `at_hash` and `c_hash` where they apply. The profile's
claims are UserInfo's (OpenID Connect Core 5.4: an access token is always issued beside it here).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from jwcrypto import jws, jwt
from jwcrypto.common import JWException

from oauth_apps import pending_login, websessions
from oauth_apps.oidc import keys
from oauth_apps.oidc.records import IDToken, SignInRecord
from workspaces.models import User, Workspace


@dataclass(frozen=True)
class SignIn:
    """A sign-in, as an ID token describes it."""

    auth_time: datetime
    amr: tuple[str, ...]
    sid: str

    @classmethod
    def of_session(cls, request: HttpRequest) -> SignIn:
        session = request.session
        started = session.get(websessions.SESSION_STARTED_KEY)
        sid = websessions.session_sid(request)
        return cls(
            auth_time=datetime.fromtimestamp(started, tz=UTC) if started else timezone.now(),
            amr=tuple(session.get(pending_login.AMR_KEY) or ("pwd",)),
            sid=sid,
        )

    @classmethod
    def of_record(cls, record: SignInRecord) -> SignIn | None:
        if record.auth_time is None:
            return None
        return cls(auth_time=record.auth_time, amr=tuple(record.amr.split()), sid=record.sid)

    def fields(self) -> dict[str, Any]:
        """The values a `SignInRecord` keeps."""
        return {"auth_time": self.auth_time, "amr": " ".join(self.amr), "sid": self.sid}


def sign(
    workspace: Workspace,
    issuer: str,
    client: Any,
    user: User,
    sign_in: SignIn,
    claims: dict[str, Any],
    *,
    family: uuid.UUID | None,
    scope: str,
) -> str:
    """The signed ID token with `claims` (oauthlib's: aud, iat, nonce, at_hash, c_hash) and ours;
    the IDToken row records it."""
    now = timezone.now()
    expires = now + timedelta(seconds=workspace.id_token_lifetime)
    record = IDToken.objects.create(
        user=user, application=client, expires=expires, scope=scope, token_family=family, **sign_in.fields()
    )
    claims = {
        **claims,
        "iss": issuer,
        "sub": user.uid,
        "aud": client.client_id,
        "exp": int(expires.timestamp()),
        "iat": int(now.timestamp()),
        "auth_time": int(sign_in.auth_time.timestamp()),
        "amr": list(sign_in.amr),
        "sid": sign_in.sid,
        "jti": str(record.jti),
    }
    key = keys.signing_key(workspace, client.algorithm or keys.RS256)
    token = jwt.JWT(header={"alg": key.algorithm, "kid": key.kid, "typ": "JWT"}, claims=claims)
    token.make_signed_token(key.jwk())
    return str(token.serialize())


def read(workspace: Workspace, issuer: str, token: str) -> dict[str, Any] | None:
    """The claims of an ID token this workspace signed, expired or not (a hint may be an old one), or
    None for anything else: another workspace's, a forged or a malformed one."""
    try:
        signed = jws.JWS()
        signed.deserialize(token)
        header = signed.jose_header
        key = keys.verification_key(workspace, str(header.get("kid", ""))) if isinstance(header, dict) else None
        if key is None or header.get("alg") != key.algorithm:
            return None
        signed.verify(key.jwk(), alg=key.algorithm)
        claims = json.loads(signed.payload)
    except (JWException, ValueError, TypeError):
        return None
    if not isinstance(claims, dict) or claims.get("iss") != issuer:
        return None
    return claims


def latest_sign_in(family: uuid.UUID | None) -> SignIn | None:
    """The sign-in the newest ID token of a token family described (a refresh repeats it)."""
    if family is None:
        return None
    record = IDToken.objects.filter(token_family=family).order_by("-created", "-pk").first()
    return SignIn.of_record(record) if record is not None else None
