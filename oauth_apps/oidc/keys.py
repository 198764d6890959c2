"""Each workspace's ID-token signing keys: made on first use, rotated, published at its JWKS endpoint.

One key signs per algorithm at a time (RS256: RSA 2,048 bits; ES256: P-256). A rotation makes the
successor at once and publishes it, but it signs only a day later (`ANNOUNCED`), so relying parties
that cache the JWKS have it before they meet it. The key it replaces stays published, unused, for
max(the workspace's ID-token lifetime, 30 days) after that (`KEEP_PUBLISHED`): tokens it signed
still verify, and logout accepts expired ID tokens as hints. Private keys are stored encrypted
(`plumbing.encryption`, PM_ENCRYPTION_KEYS); the public half is kept beside them as a JWK.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from jwcrypto import jwk

from plumbing.encryption import EncryptedTextField
from workspaces.models import Workspace

RS256, ES256 = "RS256", "ES256"
ALGORITHMS = (RS256, ES256)
ANNOUNCED = timedelta(days=1)
KEEP_PUBLISHED = timedelta(days=30)


def _generate(algorithm: str) -> jwk.JWK:
    if algorithm == RS256:
        return jwk.JWK.generate(kty="RSA", size=2048)
    return jwk.JWK.generate(kty="EC", crv="P-256")


class SigningKey(models.Model):
    """One key of a workspace's: `signs_from` says when it starts signing (a day after a rotation
    made it); `published_until` is set when a successor takes over, NULL while it is the newest."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="signing_keys")
    kid = models.CharField("key ID", max_length=64, unique=True, help_text="RFC 7638 thumbprint of the public key.")
    algorithm = models.CharField(max_length=5, choices=[(name, name) for name in ALGORITHMS])
    private_key = EncryptedTextField(help_text="PEM; stored encrypted (PM_ENCRYPTION_KEYS).")
    public_jwk = models.TextField(help_text="The public half as published at the JWKS endpoint.")
    created = models.DateTimeField(auto_now_add=True)
    signs_from = models.DateTimeField()
    published_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "OAUTH_SIGNING_KEYS"
        indexes = [models.Index(fields=["workspace", "algorithm", "signs_from"], name="signing_key_current")]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid}"

    @classmethod
    def make(cls, workspace: Workspace, algorithm: str, signs_from: datetime) -> SigningKey:
        key = _generate(algorithm)
        public = {**key.export_public(as_dict=True), "kid": key.thumbprint(), "alg": algorithm, "use": "sig"}
        return cls.objects.create(
            workspace=workspace,
            kid=public["kid"],
            algorithm=algorithm,
            private_key=key.export_to_pem(private_key=True, password=None).decode(),
            public_jwk=json.dumps(public),
            signs_from=signs_from,
        )

    def jwk(self) -> jwk.JWK:
        """The private key, decrypted once per process (a key never changes once made)."""
        loaded = _loaded.get(self.kid)
        if loaded is None:
            loaded = _loaded[self.kid] = jwk.JWK.from_pem(self.private_key.encode())
        return loaded


_loaded: dict[str, jwk.JWK] = {}


def published(workspace: Workspace, now: datetime | None = None) -> models.QuerySet[SigningKey]:
    """The keys a relying party may meet: the signing ones, their announced successors, and the
    replaced ones still within their time."""
    now = now or timezone.now()
    return SigningKey.objects.filter(workspace=workspace).filter(
        Q(published_until__isnull=True) | Q(published_until__gt=now)
    )


def jwks(workspace: Workspace) -> dict[str, Any]:
    return {"keys": [json.loads(key.public_jwk) for key in published(workspace).order_by("signs_from")]}


def signing_key(workspace: Workspace, algorithm: str, now: datetime | None = None) -> SigningKey:
    """The key that signs for `algorithm` now: the newest that has begun to, made on first use."""
    now = now or timezone.now()
    current = (
        published(workspace, now)
        .filter(algorithm=algorithm, signs_from__lte=now)
        .order_by("-signs_from", "-pk")
        .first()
    )
    if current is None:
        # Two nodes meeting the first use together make a key each: both are published, the
        # later one signs, and tokens signed with either verify.
        current = SigningKey.make(workspace, algorithm, signs_from=now)
    return current


def verification_key(workspace: Workspace, kid: str) -> SigningKey | None:
    """A published key of the workspace's, by its `kid` (an ID token read back, a hint)."""
    return published(workspace).filter(kid=kid).first()


def keep_published(workspace: Workspace) -> timedelta:
    return max(timedelta(seconds=workspace.id_token_lifetime), KEEP_PUBLISHED)


@transaction.atomic
def rotate(workspace: Workspace, now: datetime | None = None, *, at_once: bool = False) -> list[SigningKey]:
    """A successor for each algorithm the workspace signs with: published now, signing a day from
    now (`at_once`: now, for a key believed compromised). Each key it replaces stays published for
    `keep_published` after the successor starts signing. Returns the successors."""
    now = now or timezone.now()
    starts = now if at_once else now + ANNOUNCED
    successors = []
    for algorithm in SigningKey.objects.filter(workspace=workspace).values_list("algorithm", flat=True).distinct():
        replaced = published(workspace, now).filter(algorithm=algorithm, published_until__isnull=True)
        replaced.update(published_until=starts + keep_published(workspace))
        successors.append(SigningKey.make(workspace, algorithm, signs_from=starts))
    return successors


def due_for_rotation(now: datetime | None = None) -> list[Workspace]:
    """Workspaces whose newest key for some algorithm began signing more than
    PM_SIGNING_KEY_ROTATION_DAYS ago (a rotation already announced makes a newer one)."""
    now = now or timezone.now()
    oldest = now - timedelta(days=settings.PM_SIGNING_KEY_ROTATION_DAYS)
    newest = SigningKey.objects.filter(published_until__isnull=True)
    due = newest.filter(signs_from__lt=oldest).values_list("workspace_id", flat=True).distinct()
    return list(Workspace.objects.filter(pk__in=due))


def forget_retired(now: datetime | None = None) -> int:
    """Delete the keys no longer published."""
    deleted, _ = SigningKey.objects.filter(published_until__lte=now or timezone.now()).delete()
    return deleted
