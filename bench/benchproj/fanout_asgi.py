"""ASGI entry point of the fan-out benchmark server: ``benchproj.asgi``'s targets plus
``/floor/`` (bare ``group_send``), ``/dcrf-observer/`` (DCRF ``model_observer``) and
``/memos/`` (typedws, a per-user queryset; the user is ``?user=<pk>``, bench only).

Each framework's model signals slow the other's writes, so a server serves one of them:
``BENCH_TYPEDWS_SIGNALS=off`` disconnects typedws's (also to measure what they cost ordinary
requests), and DCRF's observer (whose receivers include ``post_init``) is defined only with
``BENCH_DCRF_OBSERVER=on``.
"""

import os
from typing import Any
from urllib.parse import parse_qs

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproj.fanout_settings")
django.setup()

from channels.db import database_sync_to_async  # noqa: E402  # needs the app registry
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.auth.models import AnonymousUser, User  # noqa: E402
from django.urls import path  # noqa: E402

from benchproj.api import api  # noqa: E402
from benchproj.consumers import EchoConsumer, QuestionConsumer  # noqa: E402
from benchproj.fanout_consumers import FloorConsumer  # noqa: E402
from fanoutapp.bindings import MemoBinding  # noqa: E402
from typedws import API  # noqa: E402

memo_api = API()
memo_api.register(MemoBinding)


class QueryStringUser:
    """Bench only: ``?user=<pk>`` is the connection's user (no session, no password)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        query = parse_qs(scope.get("query_string", b"").decode())
        pk = (query.get("user") or [None])[0]
        user = await database_sync_to_async(User.objects.filter(pk=pk).first)() if pk else None
        return await self.app({**scope, "user": user or AnonymousUser()}, receive, send)


def disconnect_typedws_signals() -> None:
    from django.apps import apps
    from django.db.models import signals

    from typedws.subscriptions.registry import subscribed_models

    for model in subscribed_models():
        uid = f"typedws:{model._meta.label_lower}"
        for signal in (
            signals.pre_save,
            signals.post_save,
            signals.pre_delete,
            signals.post_delete,
        ):
            signal.disconnect(sender=apps.get_model(model._meta.label), dispatch_uid=uid)


def websocket_path(route: str, app: Any) -> Any:
    return path(route, app)


routes = [
    websocket_path("echo/", EchoConsumer.as_asgi()),
    websocket_path("dcrf/", QuestionConsumer.as_asgi()),
    websocket_path("ws/", api.as_asgi()),
    websocket_path("floor/", FloorConsumer.as_asgi()),
    websocket_path("memos/", QueryStringUser(memo_api.as_asgi())),
]
if os.environ.get("BENCH_TYPEDWS_SIGNALS") == "off":
    disconnect_typedws_signals()
if os.environ.get("BENCH_DCRF_OBSERVER") == "on":
    from benchproj.fanout_dcrf import QuestionObserverConsumer

    routes.append(websocket_path("dcrf-observer/", QuestionObserverConsumer.as_asgi()))

application = ProtocolTypeRouter({"websocket": URLRouter(routes)})
