# The shared cache's fallback tables, taken over from the `workspaces` app (its 0012 and 0019 made
# them, its 0021 lets them go): Django's record of the models only, the tables are left as they are.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("workspaces", "0021_shared_tables_move_to_plumbing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SharedCacheEntry",
                    fields=[
                        ("cache_key", models.CharField(max_length=255, primary_key=True, serialize=False)),
                        ("value", models.TextField()),
                        ("expires", models.DateTimeField(db_index=True)),
                    ],
                    options={
                        "db_table": "pm_shared_cache",
                    },
                ),
                migrations.CreateModel(
                    name="SharedCounter",
                    fields=[
                        (
                            "key",
                            models.CharField(
                                db_column="counter_key", max_length=255, primary_key=True, serialize=False
                            ),
                        ),
                        ("count", models.PositiveIntegerField(default=0)),
                        (
                            "expires",
                            models.DateTimeField(
                                db_index=True, help_text="When the window ends: a count after it starts again."
                            ),
                        ),
                    ],
                    options={
                        "db_table": "pm_shared_counter",
                    },
                ),
            ],
        ),
    ]
