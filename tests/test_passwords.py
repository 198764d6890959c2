"""Argon2id for new passwords; ProcessMaker's legacy hashes verify once and are upgraded."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password

from tests.conftest import PASSWORD
from workspaces.hashers import PMArgon2PasswordHasher, wrap_legacy
from workspaces.models import User

pytestmark = pytest.mark.production_hashing  # the parameters and the cost are what these tests are about


def test_new_passwords_are_argon2id_at_owasp_parameters(operator_user: User) -> None:
    assert operator_user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(("prefix", "digest"), [("pm_sha256", hashlib.sha256), ("pm_md5", hashlib.md5)])
def test_legacy_processmaker_hash_verifies_and_is_upgraded(operator_user: User, prefix: str, digest: type) -> None:
    User.objects.filter(pk=operator_user.pk).update(password=f"{prefix}${digest(PASSWORD.encode()).hexdigest()}")
    user = authenticate(None, username="johndoe", password=PASSWORD, workspace=operator_user.workspace)
    assert user == operator_user
    assert User.objects.get(pk=operator_user.pk).password.startswith("argon2$argon2id$")


@pytest.mark.parametrize(("prefix", "digest"), [("pm_sha256", hashlib.sha256), ("pm_md5", hashlib.md5)])
def test_legacy_hash_refuses_a_wrong_password_and_is_kept(operator_user: User, prefix: str, digest: type) -> None:
    stored = f"{prefix}${digest(PASSWORD.encode()).hexdigest()}"
    User.objects.filter(pk=operator_user.pk).update(password=stored)
    assert authenticate(None, username="johndoe", password="wrong", workspace=operator_user.workspace) is None
    assert User.objects.get(pk=operator_user.pk).password == stored


@pytest.mark.parametrize(("prefix", "digest"), [("pm_sha256", hashlib.sha256), ("pm_md5", hashlib.md5)])
def test_a_wrapped_legacy_hash_verifies_the_old_password_and_is_upgraded(
    operator_user: User, prefix: str, digest: type
) -> None:
    """What import_processmaker stores: Argon2id of ProcessMaker's hex digest, no fast hash at rest."""
    hexdigest = digest(PASSWORD.encode()).hexdigest()
    wrapped = wrap_legacy(f"{prefix}${hexdigest}")
    assert wrapped.startswith(f"{prefix}_argon2$argon2id$v=19$m=19456,t=2,p=1$") and hexdigest not in wrapped
    assert wrap_legacy(f"{prefix}${hexdigest}") != wrapped  # salted
    User.objects.filter(pk=operator_user.pk).update(password=wrapped)
    assert authenticate(None, username="johndoe", password="wrong", workspace=operator_user.workspace) is None
    assert User.objects.get(pk=operator_user.pk).password == wrapped
    assert authenticate(None, username="JOHNDOE", password=PASSWORD, workspace=operator_user.workspace) == operator_user
    assert User.objects.get(pk=operator_user.pk).password.startswith("argon2$argon2id$")


@pytest.mark.parametrize("encoded", ["argon2$argon2id$v=19$x", "pm_md5$", "pbkdf2_sha256$1$a$b", ""])
def test_only_a_bare_processmaker_digest_can_be_wrapped(encoded: str) -> None:
    with pytest.raises(ValueError, match="Only pm_md5"):
        wrap_legacy(encoded)


def test_client_secret_hash_is_salted_and_verifies() -> None:
    first = make_password("s3cret", hasher="pm_client_secret")
    second = make_password("s3cret", hasher="pm_client_secret")
    assert first != second
    assert check_password("s3cret", first)
    assert not check_password("s3cret!", first)


@pytest.mark.parametrize("stored", ["pm_sha256", "pm_md5", "pm_sha256_argon2", "pm_md5_argon2", "unusable", "unknown"])
def test_every_failed_check_costs_one_argon2_verification(
    operator_user: User, monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    """No fast path for a stopwatch to find (bench/login_timing.py measures the medians)."""

    digests = {"pm_sha256": hashlib.sha256, "pm_md5": hashlib.md5}
    if stored.removesuffix("_argon2") in digests:
        bare = stored.removesuffix("_argon2")
        encoded = f"{bare}${digests[bare](PASSWORD.encode()).hexdigest()}"
        encoded = wrap_legacy(encoded) if stored.endswith("_argon2") else encoded
        User.objects.filter(pk=operator_user.pk).update(password=encoded)
    elif stored == "unusable":
        User.objects.filter(pk=operator_user.pk).update(password="!unusable")
    calls: list[str] = []
    real_verify = PMArgon2PasswordHasher.verify

    def counting_verify(self: PMArgon2PasswordHasher, password: str, encoded: str) -> bool:
        calls.append(encoded)
        return real_verify(self, password, encoded)

    monkeypatch.setattr(PMArgon2PasswordHasher, "verify", counting_verify)
    username = "nobody" if stored == "unknown" else "johndoe"
    assert authenticate(None, username=username, password="wrong", workspace=operator_user.workspace) is None
    assert len(calls) == 1
