"""OAuth endpoints under /{ws}/oauth2/ and the web pages under /sys{ws}/{lang}/{skin}/."""

from django.urls import re_path

from oauth_apps.views import applications, login
from oauth_apps.views.authorize import AuthorizeView
from oauth_apps.views.token import RevokeTokenView, TokenView
from workspaces.names import OAUTH_URL, SYS_URL

APPS = SYS_URL + r"oauth2/applications"
CLIENT = r"/(?P<client_id>[A-Z]{1,80})"

urlpatterns = [
    re_path(OAUTH_URL + r"token$", TokenView.as_view(), name="token"),
    re_path(OAUTH_URL + r"revoke$", RevokeTokenView.as_view(), name="revoke"),
    re_path(OAUTH_URL + r"authorize$", AuthorizeView.as_view(), name="authorize"),
    re_path(SYS_URL + r"login/login$", login.login_view, name="login"),
    re_path(SYS_URL + r"login/logout$", login.logout_view, name="logout"),
    re_path(APPS + r"$", applications.application_list, name="applications"),
    re_path(APPS + r"/new$", applications.application_new, name="application-new"),
    re_path(APPS + CLIENT + r"/edit$", applications.application_edit, name="application-edit"),
    re_path(APPS + CLIENT + r"/secret$", applications.application_regenerate_secret, name="application-secret"),
    re_path(APPS + CLIENT + r"/delete$", applications.application_delete, name="application-delete"),
]
