from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created


class PlumbingConfig(AppConfig):
    name = "plumbing"
    verbose_name = "Plumbing"

    def ready(self) -> None:
        # Every process that can write the tables the per-process caches keep rows of (a server, a
        # command, `manage.py shell`) renews their versions: table_versions sees each connection's writes.
        from plumbing import table_versions  # noqa: PLC0415 - the app registry is ready only now

        connection_created.connect(table_versions.install, dispatch_uid="pm_tablewatch")
        for connection in connections.all(initialized_only=True):
            table_versions.install(connection=connection)
