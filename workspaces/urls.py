"""Web pages under /sys{ws}/{lang}/{skin}/."""

from django.urls import re_path

from workspaces import views

SYS = r"^sys(?P<ws>[A-Za-z0-9_-]{1,64})/(?P<lang>[A-Za-z_-]{1,10})/(?P<skin>[A-Za-z0-9_-]{1,32})/"

urlpatterns = [
    re_path(SYS + r"login/login$", views.login_view, name="login"),
    re_path(SYS + r"login/logout$", views.logout_view, name="logout"),
]
