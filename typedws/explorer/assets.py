"""The explorer's CSS and JavaScript modules, served by typedws itself.

No ``collectstatic`` and no static-file handler is needed: the page works under plain uvicorn,
daphne or ``runserver``. Each file is sent with its content type and ``Cache-Control:
no-cache`` (the browser revalidates with ``If-Modified-Since`` and gets a 304 while the file is
unchanged), only while the explorer is enabled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.views import View
from django.views.static import serve

from .access import explorer_enabled

__all__ = ["ASSETS_DIR", "ExplorerAssetView"]

ASSETS_DIR = Path(__file__).resolve().parent.parent / "static" / "typedws" / "explorer"
CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


class ExplorerAssetView(View):
    """``GET <name>``: one file of the page, or 404 (unknown file, or explorer disabled)."""

    def get(self, request: HttpRequest, name: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        path = ASSETS_DIR / name
        content_type = CONTENT_TYPES.get(path.suffix)
        if not explorer_enabled() or content_type is None or path.parent != ASSETS_DIR:
            raise Http404("No such explorer file.")
        response = serve(request, name, document_root=str(ASSETS_DIR))
        if response.status_code == 200:
            response["Content-Type"] = content_type
        response["Cache-Control"] = "no-cache"
        response["X-Content-Type-Options"] = "nosniff"
        return response
