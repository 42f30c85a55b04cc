"""The HTTP API: ordinary DRF viewsets. ``ChoiceViewSet`` is also served over the WebSocket,
unchanged (see ``polls/api.py``)."""

from typing import Any

from django.db.models import F
from rest_framework import filters, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from .models import Choice, Question
from .serializers import ChoiceSerializer, QuestionSerializer


class QuestionViewSet(viewsets.ModelViewSet[Question]):
    queryset = Question.objects.all()
    serializer_class = QuestionSerializer


class ChoiceViewSet(viewsets.ModelViewSet[Choice]):
    queryset = Choice.objects.all()
    serializer_class = ChoiceSerializer
    filter_backends = [filters.OrderingFilter]
    ordering_fields = ["votes", "id"]

    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: Any = None) -> Response:
        """Add one vote."""
        choice = self.get_object()
        Choice.objects.filter(pk=choice.pk).update(votes=F("votes") + 1)
        choice.refresh_from_db()
        return Response(self.get_serializer(choice).data)
