from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from polls.views import ChoiceViewSet, QuestionViewSet

router = DefaultRouter()
router.register("questions", QuestionViewSet)
router.register("choices", ChoiceViewSet)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("typedws/", include("typedws.urls")),
]
