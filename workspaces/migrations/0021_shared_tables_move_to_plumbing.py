# The shared cache's fallback tables now belong to the `plumbing` app (plumbing/models.py). Only
# Django's record of the models moves; the tables, pm_shared_cache and pm_shared_counter, stay as
# they are (plumbing's 0001 takes them over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0020_workspace_ranges_and_lifecycle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SharedCacheEntry"),
                migrations.DeleteModel(name="SharedCounter"),
            ],
            database_operations=[],
        ),
    ]
