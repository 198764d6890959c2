from django.apps import AppConfig


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = "OAuth applications and tokens"
