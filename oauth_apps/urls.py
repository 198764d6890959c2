"""OAuth endpoints under /{ws}/oauth2/ and the applications pages under /sys{ws}/{lang}/{skin}/oauth2/."""

from django.urls import re_path

from oauth_apps.views import applications
from oauth_apps.views.authorize import AuthorizeView
from oauth_apps.views.token import RevokeTokenView, TokenView
from workspaces.urls import SYS

WS = r"^(?P<ws>[A-Za-z0-9_-]{1,64})/oauth2/"
APPS = SYS + r"oauth2/applications"
CLIENT = r"/(?P<client_id>[A-Z]{1,80})"

urlpatterns = [
    re_path(WS + r"token$", TokenView.as_view(), name="token"),
    re_path(WS + r"revoke$", RevokeTokenView.as_view(), name="revoke"),
    re_path(WS + r"authorize$", AuthorizeView.as_view(), name="authorize"),
    re_path(APPS + r"$", applications.application_list, name="applications"),
    re_path(APPS + r"/new$", applications.application_new, name="application-new"),
    re_path(APPS + CLIENT + r"/edit$", applications.application_edit, name="application-edit"),
    re_path(APPS + CLIENT + r"/secret$", applications.application_regenerate_secret, name="application-secret"),
    re_path(APPS + CLIENT + r"/delete$", applications.application_delete, name="application-delete"),
]
