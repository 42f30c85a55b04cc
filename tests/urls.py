"""The HTTP API of the test project: the demo's DRF viewsets (writes over HTTP must reach
WebSocket subscribers too)."""

from django.urls import include, path
from polls.views import ChoiceViewSet, QuestionViewSet
from rest_framework.routers import DefaultRouter

router = DefaultRouter()
router.register("questions", QuestionViewSet)
router.register("choices", ChoiceViewSet)

urlpatterns = [path("api/", include(router.urls))]
