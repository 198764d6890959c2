"""Processes (ProcessMaker's projects): the resource the view_process / edit_process scopes are about."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from workspaces.models import Workspace, generate_uid


def fold_name(name: str) -> str:
    return name.strip().casefold()


class Process(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        INACTIVE = "INACTIVE", "Inactive"

    uid = models.CharField("PRJ_UID", max_length=32, unique=True, default=generate_uid, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="processes")
    name = models.CharField(max_length=255)
    name_folded = models.CharField(max_length=255, editable=False)
    description = models.TextField(blank=True, max_length=10000)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "PROCESS"
        verbose_name_plural = "processes"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_folded"], name="process_name_unique_per_workspace")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_folded = fold_name(self.name)
        super().save(*args, **kwargs)
