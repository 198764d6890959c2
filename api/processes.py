"""The processes resource: /api/1.0/{ws}/project and /project/{prj_uid} (PM_FACTORY)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api import errors
from api.authentication import acting_user
from api.fields import ProcessMakerSerializer, StrictCharField
from api.schema import DELETED, ERROR, PROCESS, PROCESSES
from api.views import ProcessMakerAPIView
from processes.models import Process, fold_name
from processes.services import ProcessNameTaken, save_process
from workspaces.models import PermissionCode, Workspace

PROCESS_PERMISSIONS = (PermissionCode.PM_FACTORY.value,)
IGNORED_PROCESS_FIELDS = ("prj_type", "prj_category", "pro_category", "prj_target_namespace", "prj_expression_language")


def process_data(process: Process) -> dict[str, Any]:
    return {
        "prj_uid": process.uid,
        "prj_name": process.name,
        "prj_description": process.description,
        "prj_status": process.status,
        "prj_create_date": process.created.isoformat(),
        "prj_update_date": process.updated.isoformat(),
        "prj_author": process.author.uid if process.author else None,
    }


class ProcessInputSerializer(ProcessMakerSerializer):
    ignored_fields = IGNORED_PROCESS_FIELDS
    prj_name = StrictCharField(max_length=255)
    prj_description = StrictCharField(max_length=10000, allow_blank=True, required=False)
    prj_status = serializers.ChoiceField(choices=Process.Status.values, required=False)

    def validate_prj_name(self, value: str) -> str:
        workspace: Workspace = self.context["workspace"]
        process: Process | None = self.context.get("process")
        taken = Process.objects.filter(workspace=workspace, name_folded=fold_name(value))
        if process is not None:
            taken = taken.exclude(pk=process.pk)
        if taken.exists():
            raise serializers.ValidationError(errors.PROCESS_NAME_TAKEN)
        return value


def save(process: Process, data: dict[str, Any]) -> Process:
    """Save the validated API fields onto `process`; a name taken meanwhile is a 400."""
    fields = {"prj_name": "name", "prj_description": "description", "prj_status": "status"}
    try:
        return save_process(process, {model: data[api] for api, model in fields.items() if api in data})
    except ProcessNameTaken:
        raise serializers.ValidationError({"prj_name": [errors.PROCESS_NAME_TAKEN]}) from None


class ProcessListView(ProcessMakerAPIView):
    pm_permissions = PROCESS_PERMISSIONS

    @extend_schema(summary="List processes", responses={200: PROCESSES})
    def get(self, request: Request, **kwargs: Any) -> Response:
        processes = Process.objects.filter(workspace=request.workspace).select_related("author").order_by("name_folded")
        return Response([process_data(process) for process in processes])

    @extend_schema(summary="Create a process", request=ProcessInputSerializer, responses={201: PROCESS, 400: ERROR})
    def post(self, request: Request, **kwargs: Any) -> Response:
        serializer = ProcessInputSerializer(data=request.data, context={"workspace": request.workspace})
        serializer.is_valid(raise_exception=True)
        process = save(Process(workspace=request.workspace, author=acting_user(request)), serializer.validated_data)
        return Response(process_data(process), status=status.HTTP_201_CREATED)


class ProcessDetailView(ProcessMakerAPIView):
    pm_permissions = PROCESS_PERMISSIONS

    def get_process(self, request: Request, prj_uid: str) -> Process:
        return get_object_or_404(Process.objects.select_related("author"), workspace=request.workspace, uid=prj_uid)

    @extend_schema(summary="Get a process", responses={200: PROCESS, 404: ERROR})
    def get(self, request: Request, prj_uid: str, **kwargs: Any) -> Response:
        return Response(process_data(self.get_process(request, prj_uid)))

    @extend_schema(
        summary="Change a process (only the fields given)",
        request=ProcessInputSerializer,
        responses={200: PROCESS, 400: ERROR, 404: ERROR},
    )
    def put(self, request: Request, prj_uid: str, **kwargs: Any) -> Response:
        process = self.get_process(request, prj_uid)
        serializer = ProcessInputSerializer(
            data=request.data, context={"workspace": request.workspace, "process": process}, partial=True
        )
        serializer.is_valid(raise_exception=True)
        return Response(process_data(save(process, serializer.validated_data)))

    @extend_schema(summary="Delete a process", responses={200: DELETED, 404: ERROR})
    def delete(self, request: Request, prj_uid: str, **kwargs: Any) -> Response:
        self.get_process(request, prj_uid).delete()
        return Response({}, status=status.HTTP_200_OK)
