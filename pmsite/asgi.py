"""ASGI entry point."""

import os

from django.conf import settings
from django.core.asgi import get_asgi_application

from pmsite.environment import require_public_url

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmsite.settings")
application = get_asgi_application()
require_public_url(settings.PM_PUBLIC_URL, settings.PM_ALLOW_HTTP)
