from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces, users and roles"

    def ready(self) -> None:
        # Every process that can change a workspace (a server, `manage.py shell`, a command) must
        # announce it to the servers' workspace caches, not only the ones that load the middleware.
        from workspaces import (
            checks,  # noqa: F401, PLC0415 - registers the username check
            housekeeping,  # noqa: F401, PLC0415 - registers its periodic tasks
            middleware,  # noqa: F401, PLC0415 - connects the signals
            tablewatch,  # noqa: PLC0415 - the app registry is ready only now
        )

        # Likewise every write to the tables the per-process caches keep rows of (tablewatch).
        connection_created.connect(tablewatch.install, dispatch_uid="pm_tablewatch")
        for connection in connections.all(initialized_only=True):
            tablewatch.install(connection=connection)
