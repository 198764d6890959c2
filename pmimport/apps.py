from django.apps import AppConfig


class PmImportConfig(AppConfig):
    name = "pmimport"
    verbose_name = "Import from ProcessMaker"
