"""Why the explorer's socket does not open: the server's own answer.

A browser tells a page nothing about a failed WebSocket handshake (every failure is close code
1006), so after one the page asks ``explorer/diagnosis.json?origin=<its origin>``. The answer
compares where the API says its socket is (``api.path``) with where ``ASGI_APPLICATION``
routes it, and runs the origin validators found on that route on the page's origin. If this
request fails too, the page says the server is not answering.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views import View

from typedws.api import get_api
from typedws.routing import Mount, asgi_application, mounts

from .access import explorer_enabled, explorer_permitted

__all__ = ["DiagnosisView", "diagnose"]


class DiagnosisView(View):
    """``GET``: ``{"path": ..., "routed": [...], "problem": str | null}`` (JSON)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if not explorer_enabled():
            raise Http404("The typedws explorer is disabled.")
        if not explorer_permitted(request):
            raise PermissionDenied("The typedws explorer is not available to this user.")
        response = JsonResponse(diagnose(request.GET.get("origin"), request.get_host()))
        add_never_cache_headers(response)
        return response


def diagnose(origin: str | None, host: str) -> dict[str, Any]:
    """What stands between a page on ``origin`` and the API's socket on ``host``."""
    api = get_api()
    application = asgi_application()
    found = [mount for mount in mounts(application) if mount.api is api]
    routed = [mount.path for mount in found]
    result: dict[str, Any] = {"path": api.path, "routed": routed, "problem": None}
    if application is None:
        result["problem"] = (
            "ASGI_APPLICATION is not set or cannot be imported: is the server running the "
            "project's asgi.py under an ASGI server (uvicorn, daphne, runserver with daphne)?"
        )
    elif not found:
        result["problem"] = (
            f"ASGI_APPLICATION routes no WebSocket to this API: route it with "
            f"URLRouter(api.websocket_urlpatterns) in the 'websocket' branch (path {api.path})."
        )
    elif api.path not in routed:
        where = ", ".join(str(path) for path in routed)
        result["problem"] = (
            f"The API says its socket is at {api.path} but asgi.py routes it at {where}: "
            "declare the path once with API(path=...) and api.websocket_urlpatterns."
        )
    else:
        mount = next(mount for mount in found if mount.path == api.path)
        result["problem"] = _origin_problem(mount, origin, host)
    return result


def _origin_problem(mount: Mount, origin: str | None, host: str) -> str | None:
    for guard in mount.guards:
        refusal = getattr(guard, "refusal", None)
        if callable(refusal):
            reason = refusal(origin, host)
        elif guard.valid_origin(urlsplit(origin) if origin else None):
            reason = None
        else:
            reason = f"{type(guard).__name__} does not allow the Origin {origin!r}."
        if reason is not None:
            return f"The handshake is refused (HTTP 403): {reason} See docs/security.md."
    return None
