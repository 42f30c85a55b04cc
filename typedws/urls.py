"""``path("typedws/", include("typedws.urls"))``: the contract of ``TYPEDWS["API"]`` over HTTP,
and the explorer page (``explorer/``, see :mod:`typedws.explorer`)."""

from django.urls import path

from typedws.explorer import ExplorerView
from typedws.views import AsyncAPIView, JSONSchemaView

app_name = "typedws"

urlpatterns = [
    path("asyncapi.json", AsyncAPIView.as_view(format="json"), name="asyncapi-json"),
    path("asyncapi.yaml", AsyncAPIView.as_view(format="yaml"), name="asyncapi-yaml"),
    path("schema.json", JSONSchemaView.as_view(format="json"), name="json-schema"),
    path("explorer/", ExplorerView.as_view(), name="explorer"),
]
