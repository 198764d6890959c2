"""The workspace pages of the accounts floor, under /sys{ws}/{lang}/{skin}/."""

from django.urls import URLPattern, re_path

from accounts.password_page import password_view
from workspaces.names import SYS_URL

urlpatterns: list[URLPattern] = [
    re_path(SYS_URL + r"login/password$", password_view, name="password"),
]
