"""rotatekeys [--json]: re-encrypt every stored secret under the first key of PM_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.db import transaction

from plumbing.encryption import EncryptionUnavailable, encrypted_fields, is_available
from workspaces.management.jsoncommand import JsonCommand


class Command(JsonCommand):
    help = (
        "Re-encrypt every secret kept to be read back (directory search passwords, ...) under the first key of "
        "PM_ENCRYPTION_KEYS. To rotate: put the new key first in PM_ENCRYPTION_KEYS (keeping the old after it), "
        "run this, then remove the old key."
    )

    def run(self, **options: Any) -> tuple[dict[str, Any], list[str]]:
        if not is_available():
            raise CommandError("PM_ENCRYPTION_KEYS is not set: there is no key to encrypt with.")
        counts: dict[str, int] = {}
        try:
            for model, name in encrypted_fields():
                label = f"{model._meta.label}.{name}"
                rows = model._default_manager.exclude(**{name: ""}).values_list("pk", name)
                done = 0
                for pk, plain in rows.iterator():
                    with transaction.atomic():  # one row at a time: an interrupted run loses nothing
                        model._default_manager.filter(pk=pk).update(**{name: plain})
                    done += 1
                counts[label] = done
                if options["verbosity"] > 1:
                    self.stderr.write(f"{label}: {done:,} re-encrypted")
        except EncryptionUnavailable as error:
            raise CommandError(str(error)) from None
        total = sum(counts.values())
        lines = [f"Re-encrypted {total:,} secret(s) under the first key."]
        lines += [f"  {label}: {count:,}" for label, count in counts.items()]
        return {"reencrypted": counts, "total": total}, lines
