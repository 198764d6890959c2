"""The users resource of ProcessMaker's REST API: /api/1.0/{ws}/users, /user, /user/{usr_uid}.

Field names are ProcessMaker's. Lists are bare JSON arrays, as ProcessMaker returns them.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from api import errors
from api.authentication import acting_user
from api.fields import bounded_int
from api.schema import CURRENT_USER, DELETED, ERROR
from api.userfields import USER, USERS, UserInputSerializer, model_changes, user_data, with_references
from api.views import ProcessMakerAPIView
from workspaces.models import PermissionCode, User
from workspaces.services import WorkspaceError

# Reading users: PM_USERS or PM_FACTORY, as ProcessMaker. Changing them: PM_USERS, or, for one's own
# profile, the PM_EDIT_USER_PROFILE_* permissions (accounts.policy decides, field by field).
USER_PERMISSIONS = (PermissionCode.PM_USERS.value, PermissionCode.PM_FACTORY.value)
MANAGE_USERS = (PermissionCode.PM_USERS.value,)
SORTABLE = {
    "usr_username": "username_folded",
    "usr_firstname": "first_name",
    "usr_lastname": "last_name",
    "usr_email": "email",
    "usr_status": "status",
    "usr_due_date": "due_date",
    "usr_create_date": "created",
    "usr_update_date": "updated",
}
# A list longer than this is streamed, read CHUNK users at a time (keyset pagination), so a large
# `limit` never holds every user in memory.
CHUNK = 500
# ProcessMaker's filter parameters: the first one given applies (contains, starts with, ends with).
FILTERS = (("filter", "contains"), ("lfilter", "startswith"), ("rfilter", "endswith"))
NEVER = datetime.date.max  # where a user without a due date sorts


def search(users: QuerySet[User], params: Any) -> QuerySet[User]:
    for name, lookup in FILTERS:
        if name in params:
            text = params[name][:100]
            if not text.strip():
                return users
            return users.filter(
                Q(**{f"username__i{lookup}": text})
                | Q(**{f"first_name__i{lookup}": text})
                | Q(**{f"last_name__i{lookup}": text})
            )
    return users


def choice(params: Any, name: str, default: str, choices: list[str]) -> str:
    value = params.get(name, "").strip()
    if not value:
        return default
    if value.upper() in choices:
        return value.upper()
    if value.lower() in choices:
        return value.lower()
    raise serializers.ValidationError({name: [errors.ONE_OF.format(choices=", ".join(choices))]})


def page_of_users(users: QuerySet[User], sort: str, descending: bool, start: int, limit: int | None) -> Any:
    """The users from `start`, `limit` of them (None: all), as a Response, or streamed when long."""
    field = SORTABLE[sort]
    key = Coalesce(F(field), Value(NEVER)) if field == "due_date" else F(field)
    ordered = with_references(users).annotate(sort_key=key)
    ordered = ordered.order_by("-sort_key", "-pk") if descending else ordered.order_by("sort_key", "pk")
    end = None if limit is None else start + limit
    first = list(ordered[start : start + CHUNK if end is None else min(end, start + CHUNK)])
    if len(first) < CHUNK or (end is not None and end <= start + CHUNK):
        return Response([user_data(user) for user in first])
    return StreamingHttpResponse(stream(ordered, first, descending, limit), content_type="application/json")


def stream(ordered: QuerySet[Any], batch: list[Any], descending: bool, limit: int | None) -> Iterator[bytes]:
    """A JSON array of users, CHUNK at a time: each batch starts after the last row of the one before
    (sort key, then id), so users added or removed meanwhile neither repeat nor shift the rest."""
    left = limit
    yield b"["
    separator = b""
    while batch:
        for user in batch:
            yield separator + json.dumps(user_data(user), ensure_ascii=False, separators=(",", ":")).encode()
            separator = b","
        if left is not None:
            left -= len(batch)
        if len(batch) < CHUNK or (left is not None and left <= 0):
            break
        last = batch[-1]
        after = "lt" if descending else "gt"
        following = ordered.filter(
            Q(**{f"sort_key__{after}": last.sort_key}) | Q(sort_key=last.sort_key, **{f"pk__{after}": last.pk})
        )
        batch = list(following[: CHUNK if left is None else min(left, CHUNK)])
    yield b"]"


class UserListView(ProcessMakerAPIView):
    pm_permissions = USER_PERMISSIONS

    @extend_schema(
        summary="List users",
        parameters=[
            OpenApiParameter("filter", str, description="Username, first or last name contains this (any case)"),
            OpenApiParameter("lfilter", str, description="... starts with this (when no filter is given)"),
            OpenApiParameter("rfilter", str, description="... ends with this (when neither filter nor lfilter is)"),
            OpenApiParameter("start", int, description="How many users to skip (0)"),
            OpenApiParameter("limit", int, description="How many users at most (all); 0 answers an empty list"),
            OpenApiParameter("status", str, enum=User.Status.values),
            OpenApiParameter("sort", str, enum=list(SORTABLE), description="usr_username unless given"),
            OpenApiParameter("dir", str, enum=["ASC", "DESC"]),
        ],
        responses={200: USERS, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request, **kwargs: Any) -> Any:
        params = request.query_params
        start = bounded_int(params.get("start"), "start", 0, 0, 10**12)
        limit = bounded_int(params.get("limit"), "limit", -1, 0, 10**12)
        state = choice(params, "status", "", User.Status.values)
        sort = choice(params, "sort", "usr_username", list(SORTABLE))
        descending = choice(params, "dir", "ASC", ["ASC", "DESC"]) == "DESC"
        if limit == 0:
            return Response([])  # as ProcessMaker, before it reads anything
        users = search(User.objects.filter(workspace=request.workspace), params)
        if state:
            users = users.filter(status=state)
        return page_of_users(users, sort, descending, start, None if limit < 0 else limit)


class UserCreateView(ProcessMakerAPIView):
    pm_permissions = MANAGE_USERS

    @extend_schema(summary="Create a user", request=UserInputSerializer, responses={201: USER, 400: ERROR, 403: ERROR})
    def post(self, request: Request, **kwargs: Any) -> Response:
        serializer = UserInputSerializer(data=request.data, context={"workspace": request.workspace})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = model_changes(data)
        try:
            user = services.create_user(
                request.workspace,
                fields.pop("username"),
                data["usr_new_pass"],
                role=fields.pop("role"),
                by=acting_user(request),
                **fields,
            )
        except WorkspaceError as error:
            raise serializers.ValidationError({"usr_username": [str(error)]}) from None
        return Response(user_data(find_user(request, user.uid)), status=status.HTTP_201_CREATED)


def find_user(request: Request, usr_uid: str) -> User:
    """The workspace's user with this uid; ProcessMaker answers 400 for one that does not exist."""
    user = with_references(User.objects.filter(workspace=request.workspace, uid=usr_uid)).first()
    if user is None:
        raise serializers.ValidationError([errors.NO_SUCH_USER.format(field="usr_uid", uid=usr_uid[:64])])
    return user


class UserDetailView(ProcessMakerAPIView):
    pm_permissions = USER_PERMISSIONS

    def required_permissions(self, request: Request) -> tuple[str, ...]:
        if request.method == "PUT":
            return ()  # anyone may ask to change their own profile; accounts.policy decides what
        return MANAGE_USERS if request.method == "DELETE" else USER_PERMISSIONS

    @extend_schema(summary="Get a user", responses={200: USER, 400: ERROR})
    def get(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        return Response(user_data(find_user(request, usr_uid)))

    @extend_schema(
        summary="Change a user (only the fields given)",
        request=UserInputSerializer,
        responses={200: USER, 400: ERROR, 403: ERROR},
    )
    def put(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        user = find_user(request, usr_uid)
        serializer = UserInputSerializer(
            data=request.data, context={"workspace": request.workspace, "user": user}, partial=True
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.update_user(user, model_changes(data), password=data.get("usr_new_pass"), by=acting_user(request))
        except WorkspaceError as error:
            raise serializers.ValidationError({"usr_username": [str(error)]}) from None
        return Response(user_data(find_user(request, usr_uid)))

    @extend_schema(summary="Delete a user and revoke their tokens", responses={200: DELETED, 400: ERROR, 403: ERROR})
    def delete(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        user = find_user(request, usr_uid)
        if user.pk == request.user.pk:
            raise serializers.ValidationError({"usr_uid": [errors.CANNOT_DELETE_YOURSELF]})
        services.delete_user(user, by=acting_user(request))
        return Response({}, status=status.HTTP_200_OK)


class CurrentUserView(ProcessMakerAPIView):
    """ProcessMaker's /light/user/data: who the token acts for; any scope, no permission."""

    @extend_schema(summary="The current user", responses={200: CURRENT_USER})
    def get(self, request: Request, **kwargs: Any) -> Response:
        user = acting_user(request)
        return Response(
            {
                "userId": user.uid,
                "userName": user.username,
                "firstName": user.first_name,
                "lastName": user.last_name,
                "fullName": user.full_name,
                "email": user.email,
                "userRole": user.role.code if user.role else None,
            }
        )
