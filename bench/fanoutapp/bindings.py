"""The per-user binding of the fan-out benchmark: ``get_queryset()`` depends on the user, so
typedws decides visibility per user (one ``EXISTS`` per user, batched), not once for all."""

from typing import Any

from django.db.models import Q, QuerySet
from rest_framework import permissions, serializers

from typedws import ResourceBinding

from .models import Memo


class MemoSerializer(serializers.ModelSerializer[Memo]):
    class Meta:
        model = Memo
        fields = ["id", "owner", "text", "public"]
        read_only_fields = ["owner"]


class MemoBinding(ResourceBinding[Memo]):
    """A user's memos and the public ones."""

    stream = "memos"
    queryset = Memo.objects.all()
    serializer_class = MemoSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Memo]:
        return Memo.objects.filter(Q(owner=self.request.user) | Q(public=True))

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.save(owner=self.request.user)
