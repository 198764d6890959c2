"""OAuth endpoints under /{ws}/oauth2/."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
