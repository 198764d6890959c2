from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces, users and roles"

    def ready(self) -> None:
        # Every process that can change a workspace (a server, `manage.py shell`, a command) must
        # announce it to the servers' workspace caches, not only the ones that load the middleware.
        from workspaces import (  # noqa: PLC0415 - the app registry is ready only now
            checks,  # noqa: F401 - registers the username and settings checks
            housekeeping,  # noqa: F401 - registers its periodic tasks
            middleware,  # noqa: F401 - connects the signals
        )
