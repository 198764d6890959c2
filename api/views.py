"""The base of every REST API view."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.views import APIView

from oauth_apps import websessions
from oauth_apps.models import AccessToken


class ProcessMakerAPIView(APIView):
    """DRF's APIView with the settings' bearer authentication, permissions and error shape, and
    one rule of ProcessMaker's: an API call made with a web session's token keeps that session
    alive (`websessions.extend_from_api`). Subclasses set `pm_permissions`."""

    pm_permissions: tuple[str, ...] = ()

    def required_permissions(self, request: Request) -> tuple[str, ...]:
        """The permissions of which the user's role needs one (any one) for this request."""
        return self.pm_permissions

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if isinstance(request.auth, AccessToken):
            websessions.extend_from_api(request.auth, request.workspace)
