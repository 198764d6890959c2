"""The workspace pages of the accounts floor, under /sys{ws}/{lang}/{skin}/."""

from django.urls import URLPattern, re_path

from accounts import passkey_pages
from accounts.password_page import password_view
from accounts.security_pages import enrol_view, second_factor_view, security_view
from workspaces.names import SYS_URL

PASSKEY = SYS_URL + r"login/passkey/"

urlpatterns: list[URLPattern] = [
    re_path(SYS_URL + r"login/password$", password_view, name="password"),
    re_path(SYS_URL + r"login/second-factor$", second_factor_view, name="second-factor"),
    re_path(SYS_URL + r"login/enrol$", enrol_view, name="enrol"),
    re_path(SYS_URL + r"login/security$", security_view, name="security"),
    re_path(PASSKEY + r"register/options$", passkey_pages.register_options, name="passkey-register-options"),
    re_path(PASSKEY + r"register$", passkey_pages.register, name="passkey-register"),
    re_path(PASSKEY + r"options$", passkey_pages.sign_in_options, name="passkey-options"),
    re_path(PASSKEY + r"sign-in$", passkey_pages.sign_in, name="passkey"),
    re_path(PASSKEY + r"discover/options$", passkey_pages.discover_options, name="passkey-discover-options"),
    re_path(PASSKEY + r"discover$", passkey_pages.discover, name="passkey-discover"),
]
