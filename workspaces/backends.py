"""Authentication backends: workspace users by (workspace, username), operators by username."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from workspaces.models import User, Workspace


class WorkspaceBackend(ModelBackend):
    """Authenticates a user of one workspace with ProcessMaker's rules.

    Wrong password, unknown user, inactive user, a past due date and an inactive role
    all give `None`, and an unknown user still costs one password hash so the answer
    takes about the same time either way.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        workspace: Workspace | None = None,
        **kwargs: Any,
    ) -> User | None:
        if workspace is None or username is None or password is None:
            return None
        try:
            user = User.objects.get_in_workspace(workspace, username)
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and user.can_log_in():
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(user.can_log_in())

    def get_user(self, user_id: int) -> User | None:
        try:
            user = User.objects.select_related("role", "workspace").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.can_log_in() else None


class OperatorBackend(ModelBackend):
    """The Django admin's backend, limited to site operators (users without a workspace)."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if "workspace" in kwargs:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)  # type: ignore[return-value]
