"""The explorer's HTML shell: the page's configuration, and its static files' URLs.

Everything else happens in the browser (``typedws/static/typedws/explorer/``): the page reads
the AsyncAPI document from the sibling ``asyncapi.json`` URL and opens the API's WebSocket on
its own host and scheme.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views import View

from typedws.settings import typedws_settings

from .access import explorer_enabled, explorer_permitted

__all__ = ["ExplorerView"]


class ExplorerView(View):
    """``GET``: the explorer page, or 404 when disabled, or 403 when the permission refuses.

    Override :meth:`get_config` to hand the page more (it is serialized with ``json_script``).
    """

    template_name = "typedws/explorer.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not explorer_enabled():
            raise Http404("The typedws explorer is disabled.")
        if not explorer_permitted(request):
            raise PermissionDenied("The typedws explorer is not available to this user.")
        response = render(request, self.template_name, {"config": self.get_config(request)})
        add_never_cache_headers(response)
        return response

    def get_config(self, request: HttpRequest) -> dict[str, Any]:
        """What the page needs from the server: where the document and the connection
        diagnosis are, and the frame limit."""
        user = getattr(request, "user", None)
        namespace = request.resolver_match.namespace if request.resolver_match else None
        return {
            "documentUrl": reverse("typedws:asyncapi-json", current_app=namespace),
            "diagnosisUrl": reverse("typedws:explorer-diagnosis", current_app=namespace),
            "maxFrameBytes": typedws_settings.MAX_FRAME_BYTES,
            "user": user.get_username() if user is not None and user.is_authenticated else None,
        }
