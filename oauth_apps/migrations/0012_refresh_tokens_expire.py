# Refresh tokens issued while they never expired get an expiry 14 days after this migration runs,
# the default lifetime from now on (workspaces 0016).

from datetime import timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone


def expire_in_fourteen_days(apps: Any, schema_editor: Any) -> None:
    apps.get_model("oauth_apps", "RefreshToken").objects.filter(expires__isnull=True).update(
        expires=timezone.now() + timedelta(days=14)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("oauth_apps", "0011_device_decided_at"),
        ("workspaces", "0016_refresh_tokens_live_14_days"),
    ]

    operations = [migrations.RunPython(expire_in_fourteen_days, migrations.RunPython.noop)]
