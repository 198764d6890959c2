"""Password and client-secret hashers.

- `PMArgon2PasswordHasher`: Argon2id at OWASP's floor (m=19 MiB, t=2, p=1) for every
  new password; it keeps Django's "argon2" prefix, so hashes made with other
  parameters still verify and are re-hashed on the next login.
- `PMSha256PasswordHasher` / `PMMd5PasswordHasher`: ProcessMaker's unsalted hex
  digests, `pm_sha256$<hex>` / `pm_md5$<hex>`. They verify once and are
  upgraded to Argon2id by `check_password` because they are not the first hasher.
- `PMSha256Argon2PasswordHasher` / `PMMd5Argon2PasswordHasher`: the same digests wrapped in
  Argon2id (`wrap_legacy`), as `import_processmaker` stores them: Argon2id(hexdigest(password)),
  so a leaked table holds no fast unsalted hash of a user who has not logged in since the
  import. Also upgraded to plain Argon2id at the next login.
- `ClientSecretHasher`: salted SHA-256 for OAuth client secrets. A client secret is
  128 random bits, so there is nothing for a slow KDF to protect against brute force,
  and PBKDF2 would cost about half a second on every token request.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher, BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare


class PMArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1


class _UnsaltedHexDigestHasher(BasePasswordHasher):
    """ProcessMaker's legacy `hash(password)` hex digests, behind a prefix of our own."""

    digest_name = ""

    def salt(self) -> str:
        return ""

    def _digest(self, password: str) -> str:
        return hashlib.new(self.digest_name, password.encode()).hexdigest()

    def encode(self, password: str, salt: str) -> str:
        if salt != "":
            raise ValueError("ProcessMaker's legacy hashes are unsalted.")
        return f"{self.algorithm}${self._digest(password)}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, digest = encoded.split("$", 1)
        if algorithm != self.algorithm:
            raise ValueError(f"Not a {self.algorithm} hash.")
        return {"algorithm": algorithm, "hash": digest, "salt": None}

    def verify(self, password: str, encoded: str) -> bool:
        digest = self.decode(encoded)["hash"]
        return constant_time_compare(self._digest(password), digest.lower())

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        return {"algorithm": self.algorithm, "hash": mask_hash(self.decode(encoded)["hash"])}

    def must_update(self, encoded: str) -> bool:
        return True

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass


class PMSha256PasswordHasher(_UnsaltedHexDigestHasher):
    algorithm = "pm_sha256"
    digest_name = "sha256"


class PMMd5PasswordHasher(_UnsaltedHexDigestHasher):
    algorithm = "pm_md5"
    digest_name = "md5"


class _WrappedDigestHasher(PMArgon2PasswordHasher):
    """`<algorithm>$argon2id$...`: Argon2id of ProcessMaker's hex digest of the password."""

    digest: type[_UnsaltedHexDigestHasher]

    def encode(self, password: str, salt: str) -> str:
        return self.wrap(self.digest()._digest(password), salt)

    def wrap(self, digest: str, salt: str | None = None) -> str:
        """Wrap a stored hex digest (no password needed: what the import does)."""
        return super().encode(digest.lower(), salt or self.salt())

    def verify(self, password: str, encoded: str) -> bool:
        return super().verify(self.digest()._digest(password), encoded)

    def must_update(self, encoded: str) -> bool:
        return True


class PMSha256Argon2PasswordHasher(_WrappedDigestHasher):
    algorithm = "pm_sha256_argon2"
    digest = PMSha256PasswordHasher


class PMMd5Argon2PasswordHasher(_WrappedDigestHasher):
    algorithm = "pm_md5_argon2"
    digest = PMMd5PasswordHasher


WRAPPERS: dict[str, type[_WrappedDigestHasher]] = {
    PMSha256PasswordHasher.algorithm: PMSha256Argon2PasswordHasher,
    PMMd5PasswordHasher.algorithm: PMMd5Argon2PasswordHasher,
}
COSTS_ONE_ARGON2 = ("argon2$", *(f"{wrapper.algorithm}$" for wrapper in WRAPPERS.values()))


def wrap_legacy(encoded: str) -> str:
    """`pm_md5$<hex>` or `pm_sha256$<hex>` wrapped in Argon2id; ValueError for anything else."""
    algorithm, _, digest = encoded.partition("$")
    if algorithm not in WRAPPERS or not digest:
        raise ValueError("Only pm_md5$ and pm_sha256$ hashes can be wrapped.")
    return WRAPPERS[algorithm]().wrap(digest)


class ClientSecretHasher(BasePasswordHasher):
    """`pm_client_secret$<salt>$<sha256(salt + secret) hex>`, compared in constant time."""

    algorithm = "pm_client_secret"

    def salt(self) -> str:
        return secrets.token_hex(16)

    def encode(self, password: str, salt: str) -> str:
        if not salt or "$" in salt:
            raise ValueError("A client-secret hash needs a salt without '$'.")
        digest = hashlib.sha256(f"{salt}{password}".encode()).hexdigest()
        return f"{self.algorithm}${salt}${digest}"

    def decode(self, encoded: str) -> dict[str, Any]:
        algorithm, salt, digest = encoded.split("$", 2)
        if algorithm != self.algorithm:
            raise ValueError("Not a client-secret hash.")
        return {"algorithm": algorithm, "salt": salt, "hash": digest}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        return constant_time_compare(self.encode(password, decoded["salt"]), encoded)

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {"algorithm": self.algorithm, "salt": mask_hash(decoded["salt"]), "hash": mask_hash(decoded["hash"])}

    def must_update(self, encoded: str) -> bool:
        return False

    def harden_runtime(self, password: str, encoded: str) -> None:
        pass
