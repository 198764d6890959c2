"""/sys{ws}/{lang}/{skin}/oauth2/applications: a user registers and manages their own clients."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from oauth_apps import errors, services
from oauth_apps.forms import ApplicationForm, NewApplicationForm
from oauth_apps.models import Application
from oauth_apps.views import login_redirect, page_url
from workspaces.http import WorkspaceRequest, forbid_framing
from workspaces.models import PermissionCode

PERMISSION = PermissionCode.PM_REST_API_APPLICATIONS
MAX_SEARCH_LENGTH = 200


def base_url(request: WorkspaceRequest, lang: str, skin: str) -> str:
    return page_url("applications", request.workspace, lang, skin)


def requires_applications_permission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A login session on this workspace whose role has PM_REST_API_APPLICATIONS; else to login."""

    @wraps(view)
    def wrapper(request: WorkspaceRequest, lang: str, skin: str, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not user.has_pm_permission(PERMISSION):  # type: ignore[union-attr]
            if user.is_authenticated:
                messages.error(request, errors.APPLICATIONS_NO_PERMISSION)
            else:
                messages.info(request, errors.APPLICATIONS_LOG_IN)
            return login_redirect(request, request.workspace, lang, skin)
        return view(request, lang, skin, *args, **kwargs)

    return never_cache(forbid_framing(wrapper))


def owned_application(request: WorkspaceRequest, client_id: str) -> Application:
    """One of the current user's applications in this workspace, or 404 (never the local client)."""
    application = Application.objects.find(request.workspace, client_id)
    if application is None or application.user_id != request.user.pk:
        raise Http404(errors.APPLICATION_NOT_FOUND)
    return application


@require_http_methods(["GET"])
@requires_applications_permission
def application_list(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    applications = Application.objects.filter(
        workspace=request.workspace,
        user=request.user,
        is_local=False,
    ).order_by("name")
    if search:
        applications = applications.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(client_id__icontains=search)
        )
    context = {"applications": applications, "search": search, "base": base_url(request, lang, skin)}
    return render(request, "oauth_apps/applications/list.html", context)


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_new(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    form = NewApplicationForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        warn(request, form)
        registered = services.register_application(
            request.workspace,
            request.user,  # type: ignore[arg-type]
            name=form.cleaned_data["name"],
            website=form.cleaned_data["website"],
            callback=form.cleaned_data["redirect_uris"],
            description=form.cleaned_data["description"],
            public=form.cleaned_data["public"],
            device_flow=form.cleaned_data["allow_device_flow"],
            by=request.user,  # type: ignore[arg-type]
        )
        return show_credentials(request, lang, skin, registered.application, registered.client_secret, created=True)
    context = {"form": form, "base": base_url(request, lang, skin), "title": "New application"}
    return render(request, "oauth_apps/applications/form.html", context)


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_edit(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    application = owned_application(request, client_id)
    form = ApplicationForm(request.POST or None, instance=application, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        warn(request, form)
        services.update_application(form.save(commit=False), form.changed_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, errors.APPLICATION_SAVED.format(name=application.name))
        return HttpResponseRedirect(base_url(request, lang, skin))
    context = {
        "form": form,
        "application": application,
        "base": base_url(request, lang, skin),
        "title": "Edit application",
    }
    return render(request, "oauth_apps/applications/form.html", context)


@require_POST
@requires_applications_permission
def application_regenerate_secret(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    application = owned_application(request, client_id)
    if application.is_public:
        messages.error(request, errors.PUBLIC_CLIENT_HAS_NO_SECRET)
        return HttpResponseRedirect(base_url(request, lang, skin))
    secret = services.regenerate_secret(application, by=request.user)  # type: ignore[arg-type]
    return show_credentials(request, lang, skin, application, secret, created=False)


@require_POST
@requires_applications_permission
def application_delete(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    application = owned_application(request, client_id)
    name = application.name
    services.delete_application(application, by=request.user)  # type: ignore[arg-type]
    messages.success(request, errors.APPLICATION_DELETED.format(name=name))
    return HttpResponseRedirect(base_url(request, lang, skin))


def warn(request: WorkspaceRequest, form: ApplicationForm) -> None:
    for warning in form.warnings:
        messages.warning(request, warning)


def show_credentials(
    request: WorkspaceRequest, lang: str, skin: str, application: Application, secret: str, *, created: bool
) -> HttpResponse:
    """The one page that ever shows a client secret: rendered in answer to the POST, never stored."""
    context = {"application": application, "secret": secret, "created": created, "base": base_url(request, lang, skin)}
    response = render(request, "oauth_apps/applications/credentials.html", context)
    response["Cache-Control"] = "no-store"
    return response
