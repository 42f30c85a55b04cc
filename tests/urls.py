"""The HTTP side of the test project: typedws's contract views, and the demo's DRF viewsets
(writes over HTTP must reach WebSocket subscribers too)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from polls.views import ChoiceViewSet, QuestionViewSet

router = DefaultRouter()
router.register("questions", QuestionViewSet)
router.register("choices", ChoiceViewSet)

urlpatterns = [path("typedws/", include("typedws.urls")), path("api/", include(router.urls))]
