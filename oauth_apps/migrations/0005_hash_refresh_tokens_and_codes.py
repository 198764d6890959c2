"""Refresh tokens and authorization codes are kept only as SHA-256 hashes from now on: the refresh
token's own column is blanked (django-oauth-toolkit's token_checksum already holds its hash) and
each code is replaced by its hash. Clients keep working: they present the same values."""

import hashlib

from django.db import migrations


def hash_at_rest(apps, schema_editor):
    RefreshToken = apps.get_model("oauth_apps", "RefreshToken")
    RefreshToken.objects.exclude(token="").update(token="")
    Grant = apps.get_model("oauth_apps", "Grant")
    for grant in Grant.objects.all().only("pk", "code").iterator():
        Grant.objects.filter(pk=grant.pk).update(code=hashlib.sha256(grant.code.encode("utf-8")).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("oauth_apps", "0004_local_client_has_no_owner")]

    operations = [migrations.RunPython(hash_at_rest, migrations.RunPython.noop)]
