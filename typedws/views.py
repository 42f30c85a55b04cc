"""HTTP views of the contract: the AsyncAPI document (JSON or YAML) and the JSON Schema bundle.

::

    # urls.py
    path("typedws/", include("typedws.urls")),   # the API named by TYPEDWS["API"]

serves ``typedws/asyncapi.json``, ``typedws/asyncapi.yaml`` and ``typedws/schema.json``. The
document's server is the host and scheme the page was requested on (``wss`` under https).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.views import View

from typedws.api import get_api
from typedws.schema.export import json_schema_bundle, render

if TYPE_CHECKING:
    from typedws.api import API
    from typedws.schema import Document

__all__ = ["AsyncAPIView", "JSONSchemaView"]

_CONTENT_TYPES = {"json": "application/json", "yaml": "application/yaml"}


class AsyncAPIView(View):
    """The AsyncAPI 3.0 document; ``format`` is ``json`` or ``yaml``, ``api`` an API object
    (default: ``TYPEDWS["API"]``)."""

    api: API | None = None
    format = "json"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.respond(self.get_data(request))

    def get_data(self, request: HttpRequest) -> dict[str, Any]:
        return self.get_document(request).asyncapi

    def get_document(self, request: HttpRequest) -> Document:
        api = self.api or get_api()
        protocol = "wss" if request.is_secure() else "ws"
        return api.document(host=request.get_host(), protocol=protocol)

    def respond(self, data: dict[str, Any]) -> HttpResponse:
        content_type = f"{_CONTENT_TYPES[self.format]}; charset=utf-8"
        return HttpResponse(render(data, self.format), content_type=content_type)


class JSONSchemaView(AsyncAPIView):
    """The plain JSON Schema (draft-07) bundle of every frame."""

    def get_data(self, request: HttpRequest) -> dict[str, Any]:
        return json_schema_bundle(self.get_document(request))
