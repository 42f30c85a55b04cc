"""``path("typedws/", include("typedws.urls"))``: the contract of ``TYPEDWS["API"]`` over HTTP,
and the explorer page (``explorer/``, its files and its connection diagnosis; see
:mod:`typedws.explorer`)."""

from django.urls import path

from typedws.explorer import ExplorerView
from typedws.explorer.assets import ExplorerAssetView
from typedws.explorer.diagnosis import DiagnosisView
from typedws.views import AsyncAPIView, JSONSchemaView

app_name = "typedws"

urlpatterns = [
    path("asyncapi.json", AsyncAPIView.as_view(format="json"), name="asyncapi-json"),
    path("asyncapi.yaml", AsyncAPIView.as_view(format="yaml"), name="asyncapi-yaml"),
    path("schema.json", JSONSchemaView.as_view(format="json"), name="json-schema"),
    path("explorer/", ExplorerView.as_view(), name="explorer"),
    path("explorer/diagnosis.json", DiagnosisView.as_view(), name="explorer-diagnosis"),
    path("explorer/<str:name>", ExplorerAssetView.as_view(), name="explorer-asset"),
]
