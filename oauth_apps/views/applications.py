"""/sys{ws}/{lang}/{skin}/oauth2/applications: a user registers and manages their own clients."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oauth_apps import errors, onetime, owners, services
from oauth_apps.forms import ApplicationForm, NewApplicationForm, answered
from oauth_apps.models import Application
from oauth_apps.views import login_redirect, page_url
from workspaces.http import WorkspaceRequest, forbid_framing, signed_in_user
from workspaces.models import PermissionCode

PERMISSION = PermissionCode.PM_REST_API_APPLICATIONS
MAX_SEARCH_LENGTH = 200
PAGE_SIZE = 20
NUMBERS = re.compile(r"(\d+)")


def base_url(request: WorkspaceRequest, lang: str, skin: str) -> str:
    return page_url("applications", request.workspace, lang, skin)


def requires_applications_permission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A login session on this workspace whose role has PM_REST_API_APPLICATIONS; else to login."""

    @wraps(view)
    def wrapper(request: WorkspaceRequest, lang: str, skin: str, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            messages.info(request, errors.APPLICATIONS_LOG_IN)
            return login_redirect(request, request.workspace, lang, skin)
        if not user.has_pm_permission(PERMISSION):  # type: ignore[union-attr]
            # Logged in, but not allowed: say so (sending them to the login form again would loop).
            return render(request, "oauth_apps/applications/no_permission.html", status=403)
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
    """The user's applications: search (name or description, or an exact client id), sorted by name
    (naturally: "app 2" before "app 10") or by date, PAGE_SIZE to a page."""
    search = request.GET.get("q", "").strip()[:MAX_SEARCH_LENGTH]
    applications = Application.objects.filter(workspace=request.workspace, user=request.user, is_local=False)
    if search:
        applications = applications.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(client_id=search)
        )
    order = request.GET.get("sort", "name")
    order = order if order in ("name", "-name", "created", "-created") else "name"
    rows = list(
        applications.only(
            "client_id", "name", "description", "client_type", "redirect_uris", "created", "secret_unconfirmed_since"
        )
    )
    if order.lstrip("-") == "name":
        rows.sort(key=lambda app: (natural_key(app.name), app.pk), reverse=order.startswith("-"))
    else:
        rows.sort(key=lambda app: (app.created, app.pk), reverse=order.startswith("-"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    held = Application.objects.filter(
        workspace=request.workspace, user=request.user, is_local=False, secret_unconfirmed_since__isnull=False
    ).order_by("name")
    context = {"page": page, "applications": page.object_list, "search": search, "sort": order, "held": held}
    return render(request, "oauth_apps/applications/list.html", context)


def natural_key(text: str) -> list[tuple[int, int | str]]:
    """Sort key that orders runs of digits by value: "Bulk app 2" before "Bulk app 10"."""
    return [(0, int(part)) if part.isdecimal() else (1, part.casefold()) for part in NUMBERS.split(text) if part]


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_new(request: WorkspaceRequest, lang: str, skin: str) -> HttpResponse:
    form = NewApplicationForm(request.POST or None, workspace=request.workspace, owner=signed_in_user(request))
    once = request.POST.get("once", "")
    if request.method == "POST" and once:
        made = onetime.already_done(request, once)
        if made is not None:  # a reload or a second click: show what the first one made
            return redirect_to(request, lang, skin, made, "credentials")
    asking = questions_to_ask(request, form)
    if request.method == "POST" and form.is_valid() and not asking:
        if once and not onetime.claim(request, once):
            return redirect_to(request, lang, skin, onetime.already_done(request, once) or "", "credentials")
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
        if once:
            onetime.done(request, once, registered.application.client_id)
        return show_secret(request, lang, skin, registered.application, registered.client_secret, created=True)
    context = {"form": form, "title": "New application", "once": once or onetime.new_token(), **asking}
    return render(request, "oauth_apps/applications/form.html", context)


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_edit(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    application = owned_application(request, client_id)
    form = ApplicationForm(
        request.POST or None, instance=application, workspace=request.workspace, owner=signed_in_user(request)
    )
    asking = questions_to_ask(request, form)
    if request.method == "POST" and form.is_valid() and not asking:
        services.update_application(form.save(commit=False), form.changed_data, by=request.user)  # type: ignore[arg-type]
        messages.success(request, errors.APPLICATION_SAVED.format(name=application.name))
        return HttpResponseRedirect(base_url(request, lang, skin))
    context = {
        "form": form,
        "application": application,
        "live_tokens": services.live_token_count(application),
        "title": "Edit application",
        **asking,
    }
    return render(request, "oauth_apps/applications/form.html", context)


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_regenerate_secret(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    """GET: what regenerating does, and a button; POST: do it, then show the new secret once."""
    application = owned_application(request, client_id)
    if application.is_public:
        messages.error(request, errors.PUBLIC_CLIENT_HAS_NO_SECRET)
        return HttpResponseRedirect(base_url(request, lang, skin))
    if request.method == "GET":
        return confirm(request, lang, skin, application, "regenerate")
    once = request.POST.get("once", "")
    if once and not onetime.claim(request, once):  # a reload or a second click: the secret was made and shown
        return redirect_to(request, lang, skin, client_id, "credentials")
    secret = services.regenerate_secret(application, by=request.user)  # type: ignore[arg-type]
    return show_secret(request, lang, skin, application, secret, created=False)


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_confirm_secret(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    """After an administrator reset the owner's password (oauth_apps.owners). GET: why the client is
    held, and the two ways out; POST: the owner confirms the secret is still theirs alone."""
    application = owned_application(request, client_id)
    if application.secret_unconfirmed_since is None:
        messages.info(request, errors.SECRET_NOT_HELD.format(name=application.name))
        return HttpResponseRedirect(base_url(request, lang, skin))
    if request.method == "GET":
        return confirm(request, lang, skin, application, "confirm")
    owners.confirm_secret(application, by=request.user)  # type: ignore[arg-type]
    messages.success(request, errors.SECRET_CONFIRMED.format(name=application.name))
    return HttpResponseRedirect(base_url(request, lang, skin))


@require_http_methods(["GET", "POST"])
@requires_applications_permission
def application_delete(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    """GET: what deleting does, and a button; POST: do it."""
    application = owned_application(request, client_id)
    if request.method == "GET":
        return confirm(request, lang, skin, application, "delete")
    name = application.name
    services.delete_application(application, by=request.user)  # type: ignore[arg-type]
    messages.success(request, errors.APPLICATION_DELETED.format(name=name))
    return HttpResponseRedirect(base_url(request, lang, skin))


@require_http_methods(["GET"])
@requires_applications_permission
def application_credentials(request: WorkspaceRequest, lang: str, skin: str, client_id: str) -> HttpResponse:
    """An application's client id; its secret was shown once, in the answer to the POST that made it
    (`show_secret`), and is kept nowhere in clear."""
    return show_secret(request, lang, skin, owned_application(request, client_id), "", created=False)


def show_secret(
    request: WorkspaceRequest, lang: str, skin: str, application: Application, secret: str, *, created: bool
) -> HttpResponse:
    """The credentials page. A new secret is shown only here, in the answer to the POST that made it:
    never stored in clear (not even in the session until a redirect), never cached (no-store), and a
    reload finds the one-time token spent and shows the client id alone."""
    context = {
        "application": application,
        "secret": secret,
        "created": created,
        "shown_before": not secret and not application.is_public,
    }
    response = render(request, "oauth_apps/applications/credentials.html", context)
    response["Cache-Control"] = "no-store"
    return response


def redirect_to(request: WorkspaceRequest, lang: str, skin: str, client_id: str, page: str) -> HttpResponseRedirect:
    base = base_url(request, lang, skin)
    return HttpResponseRedirect(f"{base}/{client_id}/{page}" if client_id else base)


def confirm(request: WorkspaceRequest, lang: str, skin: str, application: Application, action: str) -> HttpResponse:
    context = {"application": application, "action": action,
               "live_tokens": services.live_token_count(application), "once": onetime.new_token()}  # fmt: skip
    return render(request, "oauth_apps/applications/confirm.html", context)


def questions_to_ask(request: WorkspaceRequest, form: ApplicationForm) -> dict[str, Any]:
    """For a valid POST whose questions (a name already used, a plain-http callback) were not answered
    yet: the template's `questions`, the mark that answers them, and the application of the same name.
    Empty when there is nothing to ask: the view saves."""
    if request.method != "POST" or not form.is_valid():
        return {}
    questions = form.questions()
    if not questions or request.POST.get("answered") == answered(questions):
        return {}
    return {"questions": questions, "answered": answered(questions), "same_name": form.same_name()}
