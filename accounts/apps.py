from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Workspaces and users"

    def ready(self) -> None:
        from accounts import directory_sync  # noqa: F401, PLC0415 - registers its periodic task
