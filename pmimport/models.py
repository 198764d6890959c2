"""What `import_processmaker` brought over, so that running it again is safe.

One row per ProcessMaker row imported (a role, user, client or token), keyed by its ProcessMaker
identity, with a salted digest of each field as it was imported. A later run compares the source
with these digests, not with our rows, so it brings over exactly what changed in ProcessMaker since
(field by field: what was changed here in other fields is kept) and never brings back what was
deleted or revoked here since.
"""

from __future__ import annotations

from django.db import models

from workspaces.models import Workspace


class ImportedRow(models.Model):
    class Kind(models.TextChoices):
        ROLE = "role", "role (RBAC_ROLES.ROL_UID)"
        USER = "user", "user (USR_UID)"
        CLIENT = "client", "client (OAUTH_CLIENTS.CLIENT_ID)"
        ACCESS_TOKEN = "access_token", "access token (its SHA-256)"
        REFRESH_TOKEN = "refresh_token", "refresh token (its SHA-256)"
        AUTH_SOURCE = "auth_source", "authentication source (AUTH_SOURCE_UID)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    key = models.CharField(max_length=100)
    salt = models.CharField(max_length=32, blank=True)
    fields = models.JSONField(default=dict, help_text="Salted SHA-256 of each field's value as imported.")
    imported = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "kind", "key"], name="imported_row_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:16]} in {self.workspace_id}"
