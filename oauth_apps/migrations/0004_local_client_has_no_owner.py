"""A workspace's local web client belongs to the workspace, not to a user: deleting the user who
happened to own it took the workspace's web login down. Existing local clients lose their owner."""

from django.db import migrations


def drop_local_client_owners(apps, schema_editor):
    Application = apps.get_model("oauth_apps", "Application")
    Application.objects.filter(is_local=True).update(user=None)


class Migration(migrations.Migration):
    dependencies = [("oauth_apps", "0003_user_session_tokens")]

    operations = [migrations.RunPython(drop_local_client_owners, migrations.RunPython.noop)]
