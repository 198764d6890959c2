"""OAuth endpoints under /{ws}/oauth2/ (and, as ProcessMaker serves them, /api/1.0/{ws}/oauth2/), the
RFC 8414 metadata, and the web pages under /sys{ws}/{lang}/{skin}/."""

from django.urls import URLPattern, re_path

from oauth_apps.views import applications, authorized, device, end_session, login, openid, token_in_path
from oauth_apps.views.authorize import AuthorizeView
from oauth_apps.views.metadata import metadata
from oauth_apps.views.token import IntrospectView, RevokeTokenView, TokenView
from workspaces.names import API_OAUTH_URL, METADATA_URLS, OAUTH_URL, OPENID_CONFIGURATION_URL, SYS_URL

APPS = SYS_URL + r"oauth2/applications"
AUTHORIZED = SYS_URL + r"oauth2/authorized"
CLIENT = r"/(?P<client_id>[A-Z]{1,80})"

# Any length: a segment longer than a token can be is no token here, and gets ProcessMaker's 200 like
# any other unknown one (token_in_path.held_token looks it up by its SHA-256), not an HTML 404.
TOKEN_IN_PATH = r"(?P<token>[^/]+)"


def oauth_routes(prefix: str, suffix: str = "") -> list[URLPattern]:
    """The workspace's OAuth routes under `prefix`; names end in `suffix` (the first set is reversed)."""
    return [
        re_path(prefix + r"token$", TokenView.as_view(), name="token" + suffix),
        re_path(prefix + r"revoke$", RevokeTokenView.as_view(), name="revoke" + suffix),
        re_path(prefix + r"introspect$", IntrospectView.as_view(), name="introspect" + suffix),
        re_path(prefix + r"authorize$", AuthorizeView.as_view(), name="authorize" + suffix),
        re_path(
            prefix + r"device_authorization$",
            device.DeviceAuthorizationView.as_view(),
            name="device-authorization" + suffix,
        ),
        # ProcessMaker's: the token in the path is the credential (oauth_apps.token_in_path).
        re_path(prefix + TOKEN_IN_PATH + r"/expire$", token_in_path.expire_token, name="token-expire" + suffix),
        re_path(prefix + TOKEN_IN_PATH + r"$", token_in_path.delete_token, name="token-delete" + suffix),
    ]


urlpatterns = [
    # OpenID Connect's, ahead of ProcessMaker's /{ws}/oauth2/{token} (no token is named so).
    re_path(OAUTH_URL + r"userinfo$", openid.userinfo, name="userinfo"),
    re_path(OAUTH_URL + r"jwks$", openid.jwks, name="jwks"),
    re_path(OAUTH_URL + r"logout$", end_session.end_session, name="end-session"),
    re_path(OPENID_CONFIGURATION_URL, openid.discovery, name="openid-configuration"),
    *oauth_routes(OAUTH_URL),
    *oauth_routes(API_OAUTH_URL, "-api"),
    *(re_path(pattern, metadata, name=f"metadata-{number}") for number, pattern in enumerate(METADATA_URLS)),
    re_path(SYS_URL + r"login/login$", login.login_view, name="login"),
    re_path(SYS_URL + r"login/logout$", login.logout_view, name="logout"),
    re_path(SYS_URL + r"oauth2/device$", device.verify, name="device"),
    re_path(AUTHORIZED + r"$", authorized.authorized_list, name="authorized"),
    re_path(AUTHORIZED + CLIENT + r"/revoke$", authorized.authorized_revoke, name="authorized-revoke"),
    re_path(APPS + r"$", applications.application_list, name="applications"),
    re_path(APPS + r"/new$", applications.application_new, name="application-new"),
    re_path(APPS + CLIENT + r"/edit$", applications.application_edit, name="application-edit"),
    re_path(APPS + CLIENT + r"/secret$", applications.application_regenerate_secret, name="application-secret"),
    re_path(APPS + CLIENT + r"/delete$", applications.application_delete, name="application-delete"),
    re_path(APPS + CLIENT + r"/confirm$", applications.application_confirm_secret, name="application-confirm"),
    re_path(APPS + CLIENT + r"/credentials$", applications.application_credentials, name="application-credentials"),
]
