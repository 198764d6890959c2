"""What the OpenAPI schema says the API answers: ProcessMaker's shapes, and its error body for
every status not listed. Served per workspace, with that workspace's paths."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from api.oauth_schema import COMPONENTS as OAUTH_COMPONENTS
from api.oauth_schema import oauth_paths

ERROR = OpenApiResponse(
    response=inline_serializer(
        "Error",
        {
            "error": inline_serializer(
                "ErrorDetail", {"code": serializers.IntegerField(), "message": serializers.CharField()}
            )
        },
    ),
    description='ProcessMaker\'s error body, {"error": {"code": <HTTP status>, "message": "..."}}',
)


class ProcessSerializer(serializers.Serializer):
    prj_uid = serializers.CharField()
    prj_name = serializers.CharField()
    prj_description = serializers.CharField(allow_blank=True)
    prj_status = serializers.ChoiceField(choices=["ACTIVE", "INACTIVE"])
    prj_create_date = serializers.DateTimeField()
    prj_update_date = serializers.DateTimeField()
    prj_author = serializers.CharField(allow_null=True)


class CurrentUserSerializer(serializers.Serializer):
    userId = serializers.CharField()  # noqa: N815 - ProcessMaker's field names
    userName = serializers.CharField()  # noqa: N815
    firstName = serializers.CharField(allow_blank=True)  # noqa: N815
    lastName = serializers.CharField(allow_blank=True)  # noqa: N815
    fullName = serializers.CharField()  # noqa: N815
    email = serializers.CharField(allow_blank=True)
    userRole = serializers.CharField(allow_null=True)  # noqa: N815


PROCESS, PROCESSES = ProcessSerializer(), ProcessSerializer(many=True)
CURRENT_USER = CurrentUserSerializer()


class BearerScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """The API's one way in: `Authorization: Bearer <access token of this workspace>`."""

    target_class = "api.authentication.WorkspaceBearerAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer"}


DELETED = OpenApiResponse(
    response=inline_serializer("Deleted", {}), description="Deleted; an empty object, as ProcessMaker answers."
)


def workspace_paths(
    result: dict[str, Any], generator: Any, request: Any, public: bool, **kwargs: Any
) -> dict[str, Any]:
    """drf-spectacular post-processing: the schema of /api/1.0/{ws}/schema describes that workspace,
    so its paths name it instead of a `ws` parameter, and every operation answers any status it
    does not list with ProcessMaker's error body (`default`)."""
    workspace = getattr(request, "workspace", None)
    paths: dict[str, Any] = {}
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            if workspace is not None:
                operation["parameters"] = [
                    p for p in operation.get("parameters", []) if not (p.get("in") == "path" and p.get("name") == "ws")
                ]
            operation.setdefault("responses", {}).setdefault(
                "default",
                {
                    "description": ERROR.description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                },
            )
        paths[path.replace("{ws}", workspace.name) if workspace is not None else path] = item
    # The OAuth endpoints (Django views, invisible to drf-spectacular), in OAuth's own shapes.
    for path, item in oauth_paths().items():
        paths[path.replace("{ws}", workspace.name) if workspace is not None else path] = item
    result["paths"] = paths
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(OAUTH_COMPONENTS)
    components.setdefault("securitySchemes", {})["clientBasic"] = {
        "type": "http", "scheme": "basic",
        "description": "The client's id and secret (or client_id and client_secret in the body)",
    }  # fmt: skip
    return result
