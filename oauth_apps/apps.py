from django.apps import AppConfig


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = "OAuth applications and tokens"

    def ready(self) -> None:
        from oauth_apps import housekeeping  # noqa: F401, PLC0415 - registers its periodic tasks
