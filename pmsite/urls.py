"""Root URLs. Workspace URLs capture `ws` so they can be reversed; the routing
middleware resolves it to `request.workspace` and drops it before the view runs."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from pmsite import observability, views
from workspaces.names import API_PREFIX

# Workspace URLs before the admin's: a workspace may be called "admin", and /admin/oauth2/token is
# its token endpoint, not a page of the Django admin (whose own URLs never have "oauth2" second).
# The probes match only their exact path, so a workspace called "health" keeps its routes.
# Django tries the patterns in order, and an include's patterns one by one, so the order is chosen
# for speed: the probes first (exact strings), then the REST API under its prefix (other paths skip
# its patterns at once), then the OAuth routes (the token endpoint is their first). What that bought:
# docs/performance.md.
urlpatterns = [
    path("health", observability.health, name="health"),
    path("ready", observability.ready, name="ready"),
    path("metrics", observability.metrics, name="metrics"),
    re_path(API_PREFIX, include("api.urls")),
    path("", include("oauth_apps.urls")),
    path("", include("accounts.urls")),
    path("", views.home, name="home"),
    # Browsers ask every site for /favicon.ico; pages of ours name the icon themselves.
    path("favicon.ico", RedirectView.as_view(url=static("pm/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
]

handler400 = "api.handlers.bad_request"
handler404 = "api.handlers.not_found"
handler500 = "pmsite.unavailable.server_error"
