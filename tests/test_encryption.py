"""Secrets kept to be read back, encrypted at rest under PM_ENCRYPTION_KEYS (plumbing.encryption):
the first key encrypts, every key decrypts, `rotatekeys` moves every value to the first key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from plumbing import encryption
from pmsite.config import Site

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_value_round_trips_and_each_encryption_differs() -> None:
    with override_settings(PM_ENCRYPTION_KEYS=[OLD]):
        first, second = encryption.encrypt("search password"), encryption.encrypt("search password")
        assert first != second and "search password" not in first
        assert encryption.decrypt(first) == "search password"


def test_the_first_key_encrypts_and_every_key_decrypts() -> None:
    with override_settings(PM_ENCRYPTION_KEYS=[OLD]):
        token = encryption.encrypt("s3cret")
    with override_settings(PM_ENCRYPTION_KEYS=[NEW, OLD]):
        assert encryption.decrypt(token) == "s3cret"
        rotated = encryption.rotate(token)
    with override_settings(PM_ENCRYPTION_KEYS=[NEW]):
        assert encryption.decrypt(rotated) == "s3cret"
        with pytest.raises(encryption.EncryptionUnavailable, match="cannot be decrypted"):
            encryption.decrypt(token)


def test_without_keys_nothing_is_stored_and_the_message_says_what_to_do() -> None:
    with override_settings(PM_ENCRYPTION_KEYS=[]), pytest.raises(encryption.EncryptionUnavailable, match="make run"):
        encryption.encrypt("x")


@pytest.mark.parametrize(
    ("value", "message"),
    [("not-a-key", "key 1 is not a Fernet key"), (f"{OLD},short", "key 2 is not a Fernet key")],
    ids=["not a key", "the second is short"],
)
def test_a_malformed_key_stops_the_app_saying_which(value: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        Site({"PM_ENCRYPTION_KEYS": value}).check()
    assert Site({"PM_ENCRYPTION_KEYS": f"{NEW}, {OLD}"}).PM_ENCRYPTION_KEYS == [NEW, OLD]


def test_the_key_may_come_from_a_file(tmp_path: object) -> None:
    from pathlib import Path

    key_file = Path(str(tmp_path)) / "keys"
    key_file.write_text(f"{NEW}\n")
    assert Site({"PM_ENCRYPTION_KEYS_FILE": str(key_file)}).PM_ENCRYPTION_KEYS == [NEW]
