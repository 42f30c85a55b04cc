from typing import Any

from django.db.models import Count, QuerySet
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework import filters
from rest_framework.request import Request

from typedws import ResourceBinding, action, binding_for_viewset

from .models import Question
from .serializers import QuestionSerializer
from .views import ChoiceViewSet


class QuestionFilter(FilterSet):
    # An explicit filterset: with `filterset_fields`, django-filter builds a new class per request.
    class Meta:
        model = Question
        fields = ["pub_date"]


class QuestionBinding(ResourceBinding[Question]):
    """Poll questions."""

    stream = "questions"
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_class = QuestionFilter
    search_fields = ["question_text"]
    ordering_fields = ["id", "pub_date", "question_text"]

    @action(detail=False, method="GET", response_serializer=QuestionSerializer, many=True)
    def unanswered(self, request: Request) -> QuerySet[Question]:
        """Questions without any choice yet."""
        return self.get_queryset().annotate(n=Count("choices")).filter(n=0)

    @action(detail=True, method="GET")
    async def echo(self, request: Request, pk: Any = None) -> dict[str, Any]:
        """An async action: answers without touching the database."""
        return {"pk": pk, "data": request.data}


# The HTTP API's viewset, served unchanged over the socket, with subscriptions that may follow
# one question's choices: {"action": "subscribe", "data": {"action": [...],
# "filter": {"question": 7}}}. Defined here, in a `bindings` module, so that every process
# (a shell, a management command) knows it and announces changes to choices.
ChoiceBinding = binding_for_viewset(
    ChoiceViewSet, stream="choices", subscriptions=True, subscription_fields=["question"]
)
