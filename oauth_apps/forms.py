"""Validation of what users register for an application."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

MAX_URL_LENGTH = 1024


def validate_website_url(value: str) -> str:
    """The application's home page: an absolute URL with a scheme."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"The web site URL is at most {MAX_URL_LENGTH} characters.")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(f"The web site must be an absolute http(s) URL, not {value[:100]!r}.") from None
    return value


def validate_callback_url(value: str) -> str:
    """A redirect URI (RFC 6749 3.1.2): an absolute http(s) URL without a fragment."""
    value = value.strip()
    if len(value) > MAX_URL_LENGTH:
        raise ValidationError(f"The callback URL is at most {MAX_URL_LENGTH} characters.")
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(f"The callback URL must be an absolute http(s) URL, not {value[:100]!r}.") from None
    if urlsplit(value).fragment or "#" in value:
        raise ValidationError("The callback URL must not contain a fragment (#...).")
    return value
