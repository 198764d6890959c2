"""Root URLs. Workspace URLs capture `ws` so they can be reversed; the routing
middleware resolves it to `request.workspace` and drops it before the view runs."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from pmsite import observability, views

# Workspace URLs first: a workspace may be called "admin", and /admin/oauth2/token is its token
# endpoint, not a page of the Django admin (whose own URLs never have "oauth2" second).
urlpatterns = [
    path("", include("oauth_apps.urls")),
    path("", include("api.urls")),
    path("", views.home, name="home"),
    path("health", observability.health, name="health"),
    path("ready", observability.ready, name="ready"),
    path("metrics", observability.metrics, name="metrics"),
    # Browsers ask every site for /favicon.ico; pages of ours name the icon themselves.
    path("favicon.ico", RedirectView.as_view(url=static("pm/favicon.svg"), permanent=True)),
    path("admin/", admin.site.urls),
]

handler400 = "api.handlers.bad_request"
handler404 = "api.handlers.not_found"
handler500 = "pmsite.unavailable.server_error"
