"""One socket path: ``api.websocket_urlpatterns`` routes the API where it says it is, and the
system check catches an API routed elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.test import override_settings
from django.urls import path, re_path

from typedws import API
from typedws.checks import check_socket_path
from typedws.routing import mounts
from typedws.security import OriginValidator
from typedws.testing import connected

live = API(path="live/")
elsewhere = API(path="/ws/")

declared_once = ProtocolTypeRouter(
    {"websocket": OriginValidator(AuthMiddlewareStack(URLRouter(live.websocket_urlpatterns)))}
)
# Channels nests routers with path(); its stubs type routes more narrowly than Django's path().
nested: Any = URLRouter([path("live/", elsewhere.as_asgi())])
routes: list[Any] = [path("api/", nested), re_path(r"^regex/$", live.as_asgi())]
mismatched = ProtocolTypeRouter({"websocket": AllowedHostsOriginValidator(URLRouter(routes))})


def test_the_path_is_absolute() -> None:
    assert live.path == "/live/"


def test_websocket_urlpatterns_route_the_api_at_its_path() -> None:
    [mount] = mounts(declared_once)
    assert (mount.path, mount.api) == ("/live/", live)
    assert [type(guard) for guard in mount.guards] == [OriginValidator]


def test_nested_routers_are_followed_and_regex_routes_not_compared() -> None:
    found = [(mount.path, mount.api, len(mount.guards)) for mount in mounts(mismatched)]
    assert found == [("/api/live/", elsewhere, 1), (None, live, 1)]


@override_settings(ASGI_APPLICATION="tests.test_routing.declared_once")
def test_check_passes_when_declared_once() -> None:
    assert check_socket_path() == []


@override_settings(ASGI_APPLICATION="tests.test_routing.mismatched")
def test_check_catches_an_api_routed_elsewhere() -> None:
    [error] = check_socket_path()
    assert error.id == "typedws.E010"
    assert "declared at path '/ws/' is routed at '/api/live/'" in error.msg


@override_settings(ASGI_APPLICATION="tests.nowhere.application")
def test_check_ignores_an_application_it_cannot_import() -> None:
    assert check_socket_path() == []


@pytest.mark.django_db
async def test_the_routed_socket_serves_at_its_path() -> None:
    async with connected(URLRouter(live.websocket_urlpatterns), path="/live/") as client:
        reply = await client.request("nothing", "list")
    assert reply["response_status"] == 404
