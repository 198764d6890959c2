"""The user admin's "Reset second factors": an operator removes a user's authenticator apps, passkeys
and recovery codes (a lost phone), audited, and the user's web sessions end. No page of the admin shows a
second factor's secret or a recovery code."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from oauth_apps import websessions
from workspaces import second_factor
from workspaces.http import signed_in_user
from workspaces.models import SecondFactor, User


class SecondFactorAdminMixin(admin.ModelAdmin):  # type: ignore[type-arg]
    @admin.action(
        description="Reset second factors (authenticator apps, passkeys and recovery codes) of the selected users"
    )
    def reset_second_factors(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        operator = signed_in_user(request)
        # Whatever they hold, asked for at the login or not (a workspace may have turned its second
        # factor off since, or PM_PUBLIC_URL gone): all of it goes.
        held = Q(second_factors__isnull=False) | Q(passkeys__isnull=False) | Q(recovery_codes__isnull=False)
        users = list(queryset.filter(held).distinct())
        for user in users:
            second_factor.reset(user, by=operator)
        websessions.end_all(users, why="second factors reset by an administrator")
        names = ", ".join(user.username for user in users) or "nobody (none of them had one)"
        self.message_user(request, f"Second factors reset for {names}.", messages.SUCCESS)

    @admin.display(description="second factors")
    def second_factor_count(self, user: User) -> int:
        return SecondFactor.objects.filter(user=user).count()
