"""``OriginValidator``: refuse WebSocket handshakes that a foreign web page started.

::

    application = ProtocolTypeRouter({
        "http": django_asgi_app,
        "websocket": OriginValidator(AuthMiddlewareStack(URLRouter(api.websocket_urlpatterns))),
    })

A browser sends the page's cookies with a handshake to any site, so a page on
``http://evil.example`` could act with a visitor's Django session (cross-site WebSocket
hijacking). Browsers always send ``Origin`` with a handshake, so the policy is:

- an ``Origin`` naming an allowed host (``ALLOWED_HOSTS``, as Django's HTTP side reads it) **on
  the port the handshake was sent to** is accepted: ``http://localhost:1`` is not the origin of
  a server on ``localhost:8000`` (another program there could serve the page);
- an ``Origin`` listed in ``allowed_origins`` (``"http://localhost:5173"``) is accepted;
- any other ``Origin`` is refused with HTTP 403;
- no ``Origin`` at all (Python ``websockets``, Node ``ws``, ``websocat``, the generated clients)
  is accepted, as gorilla/websocket and Phoenix do, unless ``require_origin=True``.

docs/security.md explains the choice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

__all__ = ["OriginValidator"]

_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}
# What Django's HTTP side allows when DEBUG is on and ALLOWED_HOSTS is empty.
_DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


class OriginValidator:
    """ASGI middleware: the handshake goes on to ``application`` or is refused with 403.

    Override :meth:`refusal` to change the policy; it returns ``None`` to accept, or the reason
    to refuse (the explorer shows it).
    """

    def __init__(
        self,
        application: Any,
        *,
        allowed_origins: Iterable[str] = (),
        require_origin: bool = False,
    ) -> None:
        self.application = application
        self.allowed_origins = frozenset(_normalize(origin) for origin in allowed_origins)
        self.require_origin = require_origin

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("OriginValidator serves WebSocket connections only.")
        headers = dict(scope.get("headers", []))
        origin, host = headers.get(b"origin"), headers.get(b"host")
        reason = self.refusal(
            origin.decode("latin-1") if origin is not None else None,
            host.decode("latin-1") if host is not None else None,
        )
        if reason is None:
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)

    def refusal(self, origin: str | None, host: str | None) -> str | None:
        """Why a handshake with this ``Origin`` and ``Host`` header is refused, or ``None``."""
        if origin is None:
            return "This server requires an Origin header." if self.require_origin else None
        if _normalize(origin) in self.allowed_origins:
            return None
        parts = urlsplit(origin.lower())
        try:
            port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
        except ValueError:
            port = None
        domain, _ = split_domain_port(parts.netloc)
        if not domain or port is None:
            return f"The Origin {origin!r} is not a web origin."
        if not validate_host(domain, _allowed_hosts()):
            return f"The Origin {origin!r} is not an allowed host (ALLOWED_HOSTS)."
        if port != _host_port(host, parts.scheme):
            return f"The Origin {origin!r} is on another port than this server ({host})."
        return None


def _allowed_hosts() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    return _DEBUG_HOSTS if settings.DEBUG and not hosts else hosts


def _host_port(host: str | None, scheme: str) -> int | None:
    """The port a handshake was sent to, from its ``Host`` header (the default of the page's
    scheme when the header names none: a browser omits the default port)."""
    if host is None:
        return None
    _, port = split_domain_port(host.lower())
    return int(port) if port.isdigit() else _DEFAULT_PORTS.get(scheme)


def _normalize(origin: str) -> str:
    return origin.strip().rstrip("/").lower()
