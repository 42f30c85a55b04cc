"""typedws's URLs included as the seed did (``channels-api/``) and under a second namespace."""

from django.urls import include, path

urlpatterns = [
    path("channels-api/", include("typedws.urls")),
    path("docs/", include("typedws.urls", namespace="docs")),
]
