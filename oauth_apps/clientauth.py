"""Reading client credentials (RFC 6749 2.3.1): the pieces `grant_rules.authenticated_client` is made of."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import check_password, identify_hasher
from django.utils.crypto import constant_time_compare


def basic_value(authorization: object) -> str | None:
    """The credentials of a Basic Authorization header, whatever the case of the scheme (RFC 7235
    2.1), or None when the header is missing, empty or of another scheme."""
    scheme, _, value = str(authorization or "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "basic" else None


def basic_credentials(header_value: str) -> tuple[str, str] | None:
    """(client_id, client_secret) from the value of a Basic Authorization header, or None when it
    does not decode: base64 of "id:secret", each form-urlencoded."""
    try:
        decoded = base64.b64decode(header_value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (unquote_plus(client_id), unquote_plus(secret)) if colon else None


def body_agrees(basic: tuple[str, str], body_id: object, body_secret: object) -> bool:
    """Whether credentials also sent in the body (real clients sometimes repeat them) are the same."""
    client_id, secret = basic
    if body_id and body_id != client_id:
        return False
    return not body_secret or constant_time_compare(str(body_secret), secret)


def secret_matches(provided: str, stored: str) -> bool:
    """Whether `provided` is the client's secret, `stored` hashed (as every secret saved here is) or,
    for a row written by other means, in clear, compared in constant time. A public client has no
    secret: nothing matches it, not even "" (so it can never authenticate as a confidential one)."""
    if not stored or not provided:
        return False
    try:
        identify_hasher(stored)
    except ValueError:  # not a hash
        return constant_time_compare(provided, stored)
    return check_password(provided, stored)
