from django.urls import include, path

urlpatterns = [path("typedws/", include("typedws.urls"))]
