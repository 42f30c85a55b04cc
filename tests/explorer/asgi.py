"""ASGI applications the explorer's diagnosis is asked about (``ASGI_APPLICATION``)."""

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from tests.api import api
from typedws.security import OriginValidator

served = ProtocolTypeRouter({"websocket": OriginValidator(URLRouter(api.websocket_urlpatterns))})
elsewhere = ProtocolTypeRouter({"websocket": URLRouter([path("live/", api.as_asgi())])})
nothing = ProtocolTypeRouter({"websocket": URLRouter([])})
