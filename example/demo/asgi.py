"""ASGI entry point: Django over HTTP, the typedws API over WebSocket at ``api.path``.

The explorer (``/typedws/explorer/``) serves its own files; with ``DEBUG`` on, the admin's
static files are served as ``runserver`` serves them (uvicorn alone serves none).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  # needs the app registry
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from polls.api import api  # noqa: E402
from typedws.security import OriginValidator  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": ASGIStaticFilesHandler(django_asgi_app) if settings.DEBUG else django_asgi_app,
        # A foreign page's handshake is refused (403); clients without an Origin are served.
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(api.websocket_urlpatterns))),
    }
)
