"""OAuth endpoints under /{ws}/oauth2/."""

from django.urls import re_path

from oauth_apps.views.authorize import AuthorizeView
from oauth_apps.views.token import RevokeTokenView, TokenView

WS = r"^(?P<ws>[A-Za-z0-9_-]{1,64})/oauth2/"

urlpatterns = [
    re_path(WS + r"token$", TokenView.as_view(), name="token"),
    re_path(WS + r"revoke$", RevokeTokenView.as_view(), name="revoke"),
    re_path(WS + r"authorize$", AuthorizeView.as_view(), name="authorize"),
]
