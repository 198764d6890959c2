"""The user admin's "Reset second factors": an operator removes a user's authenticator apps and
recovery codes (a lost phone), audited, and the user's web sessions end. No page of the admin shows a
second factor's secret or a recovery code."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from oauth_apps import websessions
from workspaces import second_factor
from workspaces.http import signed_in_user
from workspaces.models import SecondFactor, User


class SecondFactorAdminMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    @admin.action(description="Reset second factors (authenticator apps and recovery codes) of the selected users")
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        operator = signed_in_user(request)
        users = [user for user in queryset if second_factor.has_any(user) or user.passkeys.exists()]
        for user in users:
            second_factor.reset(user, by=operator)
        websessions.end_all(users, why="second factors reset by an administrator")
        names = ", ".join(user.username for user in users) or "nobody (none of them had one)"
        self.message_user(request, f"Second factors reset for {names}.", messages.SUCCESS)

    @admin.display(description="second factors")
    def second_factor_count(self, user: User) -> int:
        return SecondFactor.objects.filter(user=user).count()
