"""Second factors of a workspace's users: authenticator apps (TOTP, RFC 6238) and recovery codes.
Models of the `workspaces` app (workspaces.models re-exports them); what they do is
workspaces.second_factor's."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from plumbing.encryption import EncryptedTextField


class SecondFactor(models.Model):
    """An authenticator app a user enrolled: its secret (encrypted at rest) and the last time step it
    accepted, so a code works once across every node."""

    user = models.ForeignKey("workspaces.User", on_delete=models.CASCADE, related_name="second_factors")
    name = models.CharField(max_length=64, default="Authenticator app")
    secret = EncryptedTextField(help_text="Base32, 160 bits; stored encrypted (PM_ENCRYPTION_KEYS).")
    last_step = models.BigIntegerField(default=0, help_text="The last 30-second step a code was accepted for.")
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.name} of {self.user_id}"


class RecoveryCode(models.Model):
    """A single-use code for when the authenticator is lost: only its salted SHA-256 is kept (the codes
    carry 50 random bits, so a slow hash adds nothing but time)."""

    user = models.ForeignKey("workspaces.User", on_delete=models.CASCADE, related_name="recovery_codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    used = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"a recovery code of {self.user_id}"


class Passkey(models.Model):
    """A WebAuthn credential (a passkey or a security key) a user registered as a second factor: its
    id and public key (nothing secret), and the signature counter its authenticator keeps, if any."""

    user = models.ForeignKey("workspaces.User", on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=64, default="Passkey")
    credential_id = models.CharField(max_length=1400, unique=True, help_text="Base64url, as the browser gives it.")
    public_key = models.TextField(help_text="The COSE public key, base64url.")
    sign_count = models.BigIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    last_used = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.name} of {self.user_id}"
