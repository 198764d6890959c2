"""What a workspace says about a user, per scope (OpenID Connect Core 5.1, 5.4), from the ProcessMaker
profile. Empty fields are left out rather than sent empty. `email_verified` and
`phone_number_verified` are never sent: ProcessMaker verifies neither."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from workspaces.models import User


def _profile(user: User) -> dict[str, Any]:
    return {
        "name": f"{user.first_name} {user.last_name}".strip(),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "preferred_username": user.username,
        "locale": user.default_lang,
        "zoneinfo": user.time_zone,
        "updated_at": int(user.updated.timestamp()),
    }


def _address(user: User) -> dict[str, Any]:
    # ProcessMaker keeps region and place as codes (ISO 3166-2, UN/LOCODE): the region code is what
    # OpenID's `region` allows; a place code is no locality name, so it is not sent.
    parts = {"street_address": user.address, "postal_code": user.zip_code, "region": user.city,
             "country": user.country}  # fmt: skip
    present = {name: value for name, value in parts.items() if value}
    return {"address": present} if present else {}


BY_SCOPE: dict[str, Callable[[User], dict[str, Any]]] = {
    "profile": _profile,
    "email": lambda user: {"email": user.email},
    "phone": lambda user: {"phone_number": user.phone or user.cellular},
    "address": _address,
}
# Discovery's claims_supported: every claim some scope can give, and those every ID token carries.
SUPPORTED = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "c_hash", "amr", "sid",
    "name", "given_name", "family_name", "preferred_username", "locale", "zoneinfo", "updated_at",
    "email", "phone_number", "address",
]  # fmt: skip


def for_scopes(user: User, scopes: Iterable[str]) -> dict[str, Any]:
    """`sub` and the claims of each granted identity scope."""
    claims: dict[str, Any] = {"sub": user.uid}
    for scope in scopes:
        if scope in BY_SCOPE:
            claims.update({name: value for name, value in BY_SCOPE[scope](user).items() if value not in ("", None)})
    return claims
