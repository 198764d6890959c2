"""Secrets kept to be read back (a directory's search password; later second-factor secrets and
signing keys), encrypted at rest with Fernet (AES-128-CBC with HMAC-SHA256) under PM_ENCRYPTION_KEYS.

The first key encrypts and every key decrypts, so keys rotate without downtime: put a new key first,
run `manage.py rotatekeys` (which re-encrypts every `EncryptedTextField` under it), then drop the old
one. The keys are not derived from SECRET_KEY: rotating Django's key must not lose these secrets, and
a leak of one is not a leak of the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

NOT_SET = (
    "PM_ENCRYPTION_KEYS is not set, so secrets such as a directory's search password cannot be stored. "
    "Set it (or PM_ENCRYPTION_KEYS_FILE) to a Fernet key, or run `make run` once to create var/encryption_key."
)
UNREADABLE = (
    "A stored secret cannot be decrypted with any key in PM_ENCRYPTION_KEYS: the key it was encrypted with "
    "was removed before `manage.py rotatekeys` re-encrypted it. Put that key back (after the first)."
)


class EncryptionUnavailable(ImproperlyConfigured):
    """No key to encrypt with, or none that decrypts a stored value: an operator's configuration."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def cipher(keys: Sequence[str] | None = None) -> MultiFernet:
    keys = tuple(settings.PM_ENCRYPTION_KEYS if keys is None else keys)
    if not keys:
        raise EncryptionUnavailable(NOT_SET)
    return _fernet(keys)


def encrypt(text: str) -> str:
    return cipher().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise EncryptionUnavailable(UNREADABLE) from None


def rotate(token: str) -> str:
    """`token` encrypted under the first key (whichever key it was encrypted with)."""
    try:
        return cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise EncryptionUnavailable(UNREADABLE) from None


def is_available() -> bool:
    return bool(settings.PM_ENCRYPTION_KEYS)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text in Python, a Fernet token in the database; "" stays "" (no secret, nothing to hide). Not
    for lookups: every encryption differs, so equal secrets never compare equal in SQL."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) that holds an encrypted value, for `rotatekeys`."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
