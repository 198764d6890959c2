"""django.contrib.admin's app config with the operators-only site (accounts.site); in INSTALLED_APPS
in place of "django.contrib.admin". (Not in apps.py: Django would take it for this app's config.)"""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "accounts.site.OperatorAdminSite"
