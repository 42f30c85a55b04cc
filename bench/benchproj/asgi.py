"""ASGI entry point of the benchmark server: every target on one uvicorn worker.

``/echo/`` raw Channels JSON echo, ``/dcrf/`` djangochannelsrestframework, ``/hand/`` the
hand-written consumer, ``/ws/`` typedws
(like-for-like binding), ``/ws-demo/`` typedws with the demo's ``polls.api.api``,
``/ws-novalidate/`` the like-for-like binding with ``API(validate=False)``. No auth
middleware and no origin check: nothing here is under test but the frame path.
"""

import os
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.settings")
django.setup()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  # needs the app registry
from django.urls import path  # noqa: E402

from benchproj.api import api, demo_api, novalidate_api  # noqa: E402
from benchproj.consumers import (  # noqa: E402
    EchoConsumer,
    HandWrittenConsumer,
    QuestionConsumer,
)


def websocket_path(route: str, app: Any) -> Any:
    """``django.urls.path`` for an ASGI app (Django's stubs only know views)."""
    return path(route, app)


application = ProtocolTypeRouter(
    {
        "websocket": URLRouter(
            [
                websocket_path("echo/", EchoConsumer.as_asgi()),
                websocket_path("dcrf/", QuestionConsumer.as_asgi()),
                websocket_path("hand/", HandWrittenConsumer.as_asgi()),
                websocket_path("ws/", api.as_asgi()),
                websocket_path("ws-demo/", demo_api.as_asgi()),
                websocket_path("ws-novalidate/", novalidate_api.as_asgi()),
            ]
        )
    }
)
