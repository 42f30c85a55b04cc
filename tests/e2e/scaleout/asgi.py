"""The demo's streams and owner-scoped notes on ``/ws/``, behind Channels' session auth."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.scaleout.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  # needs the app registry
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from polls.bindings import ChoiceBinding, QuestionBinding  # noqa: E402
from tests.testapp.bindings import MyNoteBinding, NoteBinding  # noqa: E402
from typedws import API  # noqa: E402

api = API()
for binding in (QuestionBinding, ChoiceBinding, MyNoteBinding, NoteBinding):
    api.register(binding)

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter([path("ws/", api.as_asgi())]))
        ),
    }
)
