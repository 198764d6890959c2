"""The users resource of ProcessMaker's REST API: /api/1.0/{ws}/users, /user, /user/{usr_uid}.

Field names are ProcessMaker's. Lists are bare JSON arrays, as ProcessMaker returns them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from api import errors
from api.authentication import acting_user
from api.fields import ProcessMakerSerializer, StrictCharField, bounded_int
from api.schema import CURRENT_USER, DELETED, ERROR, USER, USERS
from api.views import ProcessMakerAPIView
from workspaces.models import PermissionCode, Role, User, Workspace, fold_username
from workspaces.services import WorkspaceError

# Reading users: PM_USERS or PM_FACTORY, as ProcessMaker. Changing them: PM_USERS, or, for one's own
# profile, the PM_EDIT_USER_PROFILE_* permissions (accounts.policy decides, field by field).
USER_PERMISSIONS = (PermissionCode.PM_USERS.value, PermissionCode.PM_FACTORY.value)
MANAGE_USERS = (PermissionCode.PM_USERS.value,)
# ProcessMaker's user API defines these; this server does not store them (see the README).
IGNORED_USER_FIELDS = (
    "usr_address", "usr_zip_code", "usr_country", "usr_city", "usr_location", "usr_phone", "usr_fax",
    "usr_cellular", "usr_position", "usr_replaced_by", "usr_calendar", "usr_cost_by_hour", "usr_unit_cost",
    "usr_time_zone", "usr_default_lang", "usr_reports_to", "usr_ux", "usr_photo", "dep_uid",
)  # fmt: skip
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
MAX_PAGE = 1000
# API field -> model field, for the fields a client may set.
MODEL_FIELDS = {
    "usr_username": "username", "usr_firstname": "first_name", "usr_lastname": "last_name",
    "usr_email": "email", "usr_due_date": "due_date", "usr_status": "status", "usr_role": "role",
}  # fmt: skip


def user_data(user: User) -> dict[str, Any]:
    return {
        "usr_uid": user.uid,
        "usr_username": user.username,
        "usr_firstname": user.first_name,
        "usr_lastname": user.last_name,
        "usr_email": user.email,
        "usr_due_date": user.due_date.isoformat() if user.due_date else None,
        "usr_create_date": user.created.isoformat(),
        "usr_update_date": user.updated.isoformat(),
        "usr_status": user.status,
        "usr_role": user.role.code if user.role else None,
    }


class UserInputSerializer(ProcessMakerSerializer):
    ignored_fields = IGNORED_USER_FIELDS
    usr_username = StrictCharField(max_length=100)
    usr_firstname = StrictCharField(max_length=100, allow_blank=True)
    usr_lastname = StrictCharField(max_length=100, allow_blank=True)
    usr_email = serializers.EmailField(max_length=254)
    usr_due_date = serializers.DateField(allow_null=True, required=False)
    usr_status = serializers.ChoiceField(choices=User.Status.values, required=False)
    usr_role = StrictCharField(max_length=64, required=False)
    usr_new_pass = StrictCharField(max_length=1024, trim_whitespace=False, write_only=True)
    usr_cnf_pass = StrictCharField(max_length=1024, trim_whitespace=False, write_only=True)

    @property
    def workspace(self) -> Workspace:
        return self.context["workspace"]  # type: ignore[no-any-return]

    @property
    def user(self) -> User | None:
        """The user being changed; None when creating one."""
        return self.context.get("user")

    def validate_usr_username(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(errors.BLANK)
        taken = User.objects.filter(workspace=self.workspace, username_folded=fold_username(value))
        if self.user is not None:
            taken = taken.exclude(pk=self.user.pk)
        if taken.exists():
            raise serializers.ValidationError(errors.USERNAME_TAKEN)
        return value

    def validate_usr_role(self, value: str) -> Role:
        role = Role.objects.filter(workspace=self.workspace, code=value.upper()).first()
        if role is None:
            raise serializers.ValidationError(errors.UNKNOWN_ROLE.format(role=value))
        return role

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        new, confirm = attrs.get("usr_new_pass"), attrs.get("usr_cnf_pass")
        if (new is None) != (confirm is None):
            raise serializers.ValidationError({"usr_cnf_pass": [errors.PASSWORDS_TOGETHER]})
        if new is not None:
            if new != confirm:
                raise serializers.ValidationError({"usr_cnf_pass": [errors.PASSWORDS_DIFFER]})
            try:
                validate_password(new, self.user)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"usr_new_pass": error.messages}) from None
        return attrs


def model_changes(data: dict[str, Any]) -> dict[str, Any]:
    """The validated API fields as model field values."""
    return {model_field: data[api_field] for api_field, model_field in MODEL_FIELDS.items() if api_field in data}


class UserListView(ProcessMakerAPIView):
    pm_permissions = USER_PERMISSIONS

    @extend_schema(
        summary="List users",
        parameters=[
            OpenApiParameter("filter", str, description="Username, first or last name contains this"),
            OpenApiParameter("lfilter", str, description="... starts with this"),
            OpenApiParameter("rfilter", str, description="... ends with this"),
            OpenApiParameter("start", int, description="Offset of the first user (0)"),
            OpenApiParameter("limit", int, description=f"How many users (default and most: {MAX_PAGE})"),
            OpenApiParameter("status", str, enum=User.Status.values),
            OpenApiParameter("sort", str, enum=list(SORTABLE)),
            OpenApiParameter("dir", str, enum=["ASC", "DESC"]),
        ],
        responses={200: USERS, 400: ERROR, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        params = request.query_params
        users: QuerySet[User] = User.objects.filter(workspace=request.workspace).select_related("role")
        for name, lookup in (("filter", "contains"), ("lfilter", "startswith"), ("rfilter", "endswith")):
            text = params.get(name, "")[:100]
            if text:
                users = users.filter(
                    Q(**{f"username__i{lookup}": text})
                    | Q(**{f"first_name__i{lookup}": text})
                    | Q(**{f"last_name__i{lookup}": text})
                )
        state = params.get("status", "").upper()
        if state:
            if state not in User.Status.values:
                raise serializers.ValidationError(
                    {"status": [errors.ONE_OF.format(choices=", ".join(User.Status.values))]}
                )
            users = users.filter(status=state)
        sort = params.get("sort", "usr_username")
        if sort not in SORTABLE:
            raise serializers.ValidationError({"sort": [errors.ONE_OF.format(choices=", ".join(SORTABLE))]})
        direction = params.get("dir", "ASC").upper()
        if direction not in ("ASC", "DESC"):
            raise serializers.ValidationError({"dir": [errors.ONE_OF.format(choices="ASC, DESC")]})
        start = bounded_int(params.get("start"), "start", 0, 0, 10**9)
        limit = bounded_int(params.get("limit"), "limit", MAX_PAGE, 1, MAX_PAGE)
        order = ("-" if direction == "DESC" else "") + SORTABLE[sort]
        page = users.order_by(order, "pk")[start : start + limit]
        return Response([user_data(user) for user in page])


class UserCreateView(ProcessMakerAPIView):
    pm_permissions = MANAGE_USERS

    @extend_schema(summary="Create a user", request=UserInputSerializer, responses={201: USER, 400: ERROR, 403: ERROR})
    def post(self, request: Request, **kwargs: Any) -> Response:
        serializer = UserInputSerializer(data=request.data, context={"workspace": request.workspace})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = model_changes(data)
        fields.setdefault("role", Role.objects.get(workspace=request.workspace, code=Role.OPERATOR))
        try:
            user = services.create_user(
                request.workspace, password=data["usr_new_pass"], by=acting_user(request), **fields
            )
        except WorkspaceError as error:
            raise serializers.ValidationError({"usr_username": [str(error)]}) from None
        return Response(user_data(user), status=status.HTTP_201_CREATED)


class UserDetailView(ProcessMakerAPIView):
    pm_permissions = USER_PERMISSIONS

    def required_permissions(self, request: Request) -> tuple[str, ...]:
        if request.method == "PUT":
            return ()  # anyone may ask to change their own profile; accounts.policy decides what
        return MANAGE_USERS if request.method == "DELETE" else USER_PERMISSIONS

    def get_user(self, request: Request, usr_uid: str) -> User:
        return get_object_or_404(User.objects.select_related("role"), workspace=request.workspace, uid=usr_uid)

    @extend_schema(summary="Get a user", responses={200: USER, 404: ERROR})
    def get(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        return Response(user_data(self.get_user(request, usr_uid)))

    @extend_schema(
        summary="Change a user (only the fields given)",
        request=UserInputSerializer,
        responses={200: USER, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def put(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        user = self.get_user(request, usr_uid)
        serializer = UserInputSerializer(
            data=request.data, context={"workspace": request.workspace, "user": user}, partial=True
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.update_user(user, model_changes(data), password=data.get("usr_new_pass"), by=acting_user(request))
        except WorkspaceError as error:
            raise serializers.ValidationError({"usr_username": [str(error)]}) from None
        return Response(user_data(user))

    @extend_schema(summary="Delete a user and revoke their tokens", responses={200: DELETED, 403: ERROR, 404: ERROR})
    def delete(self, request: Request, usr_uid: str, **kwargs: Any) -> Response:
        user = self.get_user(request, usr_uid)
        if user.pk == request.user.pk:
            raise serializers.ValidationError({"usr_uid": [errors.CANNOT_DELETE_YOURSELF]})
        services.delete_user(user, by=acting_user(request))
        return Response(status=status.HTTP_200_OK)


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
