"""The REST API under /api/1.0/{ws}/ (ProcessMaker's URL shapes, no trailing slashes)."""

from typing import Any

from django.urls import re_path, reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.grants import UserGrantsView, UserGrantView
from api.processes import ProcessDetailView, ProcessListView
from api.users import CurrentUserView, UserCreateView, UserDetailView, UserListView
from workspaces.http import public_origin
from workspaces.names import API_URL


class SchemaUIView(SpectacularSwaggerView):
    """Swagger UI for the schema beside it (/schema/ui -> /schema), with its assets served locally."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    def _get_schema_url(self, request: Request) -> str:
        return request.path.removesuffix("/ui")


class IndexView(APIView):
    """GET /api/1.0/{ws}/: where things are (no token needed: links only)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(exclude=True)
    def get(self, request: Request, **kwargs: Any) -> Response:
        origin, ws = public_origin(request), {"ws": request.workspace.name}
        base = origin + request.path
        return Response({
            "workspace": request.workspace.name,
            "schema": base + "schema", "docs": base + "schema/ui",
            "endpoints": {
                "users": base + "users", "user": base + "user/{usr_uid}", "projects": base + "project",
                "current_user": base + "light/user/data", "token": origin + reverse("token", kwargs=ws),
                "metadata": origin + reverse("metadata-1", kwargs=ws),
            },
        })  # fmt: skip


API = API_URL
UID = r"(?P<{}>[0-9a-f]{{32}})$"

# No two of these match the same path, so the order is free: the call programs make most comes first.
urlpatterns = [
    re_path(API + r"light/user/data$", CurrentUserView.as_view(), name="api-current-user"),
    re_path(API + r"$", IndexView.as_view(), name="api-index"),
    re_path(API + r"users$", UserListView.as_view(), name="api-users"),
    re_path(API + r"user$", UserCreateView.as_view(), name="api-user-create"),
    re_path(API + r"user/(?P<usr_uid>[^/]{1,200})$", UserDetailView.as_view(), name="api-user"),
    re_path(API + r"user/(?P<usr_uid>[^/]{1,200})/tokens$", UserGrantsView.as_view(), name="api-user-grants"),
    re_path(
        API + r"user/(?P<usr_uid>[^/]{1,200})/tokens/(?P<client_id>[^/]{1,80})$",
        UserGrantView.as_view(),
        name="api-user-grant",
    ),
    re_path(API + r"project$", ProcessListView.as_view(), name="api-projects"),
    re_path(API + r"project/" + UID.format("prj_uid"), ProcessDetailView.as_view(), name="api-project"),
    re_path(
        API + r"schema$",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="api-schema",
    ),
    re_path(API + r"schema/ui$", SchemaUIView.as_view(), name="api-schema-ui"),
]
