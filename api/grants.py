"""/api/1.0/{ws}/user/{usr_uid}/tokens: what a user has granted applications, and revoking one.

Anyone may read and revoke their own; another user's need PM_USERS (and, to revoke, a role that
holds everything theirs does: accounts.policy).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from api import errors
from api.authentication import acting_user
from api.schema import DELETED, ERROR
from api.users import MANAGE_USERS, find_user
from api.views import ProcessMakerAPIView
from oauth_apps.consents import AuthorizedApplication, authorized_applications

GRANT = inline_serializer(
    "Grant",
    {
        "client_id": serializers.CharField(),
        "name": serializers.CharField(),
        "website": serializers.CharField(allow_blank=True),
        "scope": serializers.CharField(allow_blank=True, help_text="Space separated"),
        "first_authorized": serializers.DateTimeField(allow_null=True),
        "last_issued": serializers.DateTimeField(allow_null=True, help_text="When its latest token was issued"),
        "active_tokens": serializers.IntegerField(),
        "client_credentials_tokens": serializers.IntegerField(
            help_text="Of active_tokens, the client_credentials tokens of an application this user owns, "
            "which act as them"
        ),
        "remembered_until": serializers.DateTimeField(allow_null=True, help_text="Consent asked again after this"),
    },
    many=True,
)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def grant_data(entry: AuthorizedApplication) -> dict[str, Any]:
    return {
        "client_id": entry.application.client_id,
        "name": entry.application.name,
        "website": entry.application.website,
        "scope": " ".join(entry.scopes),
        "first_authorized": iso(entry.first_authorized),
        "last_issued": iso(entry.last_issued),
        "active_tokens": entry.live_tokens,
        "client_credentials_tokens": entry.owner_tokens,
        "remembered_until": iso(entry.remembered_until),
    }


class GrantsOfAUser(ProcessMakerAPIView):
    def required_permissions(self, request: Request) -> tuple[str, ...]:
        # One's own: no permission; another's: PM_USERS (the uid is compared before any lookup).
        return () if self.kwargs.get("usr_uid") == acting_user(request).uid else MANAGE_USERS


class UserGrantsView(GrantsOfAUser):
    @extend_schema(
        summary="The applications holding a token or consent of this user's", responses={200: GRANT, 400: ERROR}
    )
    def get(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        user = find_user(request, usr_uid)
        return Response([grant_data(entry) for entry in authorized_applications(user)])


class UserGrantView(GrantsOfAUser):
    @extend_schema(
        summary="Revoke an application for this user: its tokens end, its consent is forgotten",
        responses={200: DELETED, 400: ERROR, 403: ERROR},
    )
    def delete(self, request: Request, usr_uid: str, client_id: str, **kwargs: Any) -> Response:
        user = find_user(request, usr_uid)
        entry = next((e for e in authorized_applications(user) if e.application.client_id == client_id), None)
        if entry is None:
            raise serializers.ValidationError([errors.NO_SUCH_GRANT.format(client_id=client_id[:80])])
        services.revoke_application_grant(user, entry.application, by=acting_user(request))
        return Response({}, status=status.HTTP_200_OK)
