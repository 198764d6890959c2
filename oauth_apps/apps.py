from django.apps import AppConfig


class OAuthAppsConfig(AppConfig):
    name = "oauth_apps"
    verbose_name = "OAuth applications and tokens"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from oauth_apps import sessions
        from workspaces.middleware import session_extended

        user_logged_in.connect(sessions.on_login, dispatch_uid="pm_session_token_login")
        user_logged_out.connect(sessions.on_logout, dispatch_uid="pm_session_token_logout")
        session_extended.connect(sessions.on_session_extended, dispatch_uid="pm_session_token_extend")
