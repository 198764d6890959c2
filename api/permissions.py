"""REST API authorisation: the role's ProcessMaker permission and the token's scope, together.

A view (an `api.views.ProcessMakerAPIView`) names the permissions that may use it
(`pm_permissions = ("PM_USERS", "PM_FACTORY")`, any one suffices, or `required_permissions()` per
method) and gets all of this; reads need a scope of `view_process`, `edit_process` or `*`, writes
`edit_process` or `*`.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from api import errors
from api.authentication import acting_user
from oauth_apps.models import AccessToken
from workspaces import scopes


class InsufficientScope(PermissionDenied):
    """403 for a token whose scope does not cover the request (RFC 6750 3.1 insufficient_scope);
    `scope` is the one the request needs, for the WWW-Authenticate challenge (api.handlers)."""

    def __init__(self, message: str, scope: str) -> None:
        super().__init__(message)
        self.scope = scope


class ProcessMakerPermission(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        access = request.auth
        if not isinstance(access, AccessToken):
            return False
        granted = scopes.split(access.scope)
        if request.method in SAFE_METHODS:
            if not scopes.allows_read(granted):
                raise InsufficientScope(errors.READ_SCOPE_MISSING, scopes.VIEW)
        elif not scopes.allows_write(granted):
            raise InsufficientScope(errors.WRITE_SCOPE_MISSING, scopes.EDIT)
        required: tuple[str, ...] = view.required_permissions(request)
        if required and not any(acting_user(request).has_pm_permission(code) for code in required):
            self.message = errors.PERMISSION_MISSING.format(permissions=" or ".join(required))
            return False
        return True
