"""Where an API's socket is mounted: declared once, on the API, and checked.

::

    api = API(path="/ws/")
    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(api.websocket_urlpatterns))),
    })

The AsyncAPI document's channel address, the explorer and the generated clients' default URL
all read ``api.path``; :func:`websocket_urlpatterns` routes the socket there. :func:`mounts`
walks the project's ``ASGI_APPLICATION`` to find where each API is really routed (the system
check ``typedws.E010`` compares the two; the explorer's diagnosis names what it found).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import path
from django.urls.resolvers import RoutePattern
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .api import API

__all__ = ["Mount", "asgi_application", "mounts", "websocket_urlpatterns"]

# Wrappers deeper than this are not followed (a wrapper that wraps itself, say).
_MAX_DEPTH = 32
# Where ASGI middleware of Channels, Starlette-style apps and typedws keep the wrapped app.
_INNER = ("inner", "application", "app")


@dataclass(frozen=True)
class Mount:
    """An API routed at ``path`` (``"/ws/"``; ``None`` for a ``re_path`` route, which cannot be
    compared), behind these ``guards`` (origin validators, outermost first)."""

    path: str | None
    api: API
    guards: tuple[Any, ...] = field(default=())


def websocket_urlpatterns(api: API) -> list[Any]:
    """One Channels route (a ``URLPattern``) serving ``api`` at ``api.path``."""
    return [path(api.path.lstrip("/"), api.as_asgi())]


def asgi_application() -> Any | None:
    """The project's ``ASGI_APPLICATION``, or ``None`` if unset or not importable."""
    dotted = getattr(settings, "ASGI_APPLICATION", None)
    if not isinstance(dotted, str):
        return None
    try:
        return import_string(dotted)
    except ImportError:
        return None


def mounts(application: Any) -> list[Mount]:
    """Every typedws API routed in ``application``'s WebSocket branch."""
    mapping = getattr(application, "application_mapping", None)
    if isinstance(mapping, dict):
        application = mapping.get("websocket")
    return list(_walk(application, "/", (), 0))


def _walk(app: Any, prefix: str | None, guards: tuple[Any, ...], depth: int) -> Iterator[Mount]:
    if app is None or depth > _MAX_DEPTH:
        return
    api = getattr(app, "typedws_api", None)
    if api is not None:
        yield Mount(prefix, api, guards)
        return
    routes = getattr(app, "routes", None)
    if isinstance(routes, list | tuple):
        for route in routes:
            pattern = getattr(route, "pattern", None)
            inner = None
            if prefix is not None and isinstance(pattern, RoutePattern):
                inner = prefix + str(pattern)
            yield from _walk(getattr(route, "callback", None), inner, guards, depth + 1)
        return
    if callable(getattr(app, "refusal", None)) or callable(getattr(app, "valid_origin", None)):
        guards = (*guards, app)
    for name in _INNER:
        inner_app = getattr(app, name, None)
        if inner_app is not None:
            yield from _walk(inner_app, prefix, guards, depth + 1)
            return
