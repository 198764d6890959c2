from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces, users and roles"

    def ready(self) -> None:
        # Every process that can change a workspace (a server, `manage.py shell`, a command) must
        # announce it to the servers' workspace caches, not only the ones that load the middleware.
        from workspaces import middleware  # noqa: F401, PLC0415 - connects the signals
