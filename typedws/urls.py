"""``path("typedws/", include("typedws.urls"))``: the contract of ``TYPEDWS["API"]`` over HTTP."""

from django.urls import path

from typedws.views import AsyncAPIView, JSONSchemaView

app_name = "typedws"

urlpatterns = [
    path("asyncapi.json", AsyncAPIView.as_view(format="json"), name="asyncapi-json"),
    path("asyncapi.yaml", AsyncAPIView.as_view(format="yaml"), name="asyncapi-yaml"),
    path("schema.json", JSONSchemaView.as_view(format="json"), name="json-schema"),
]
