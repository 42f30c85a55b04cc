"""Bindings exercising DRF's pieces: scoped querysets, object permissions, slugs, throttles."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from typedws import ResourceBinding, action

from .models import Note


class NoteSerializer(serializers.ModelSerializer[Note]):
    owner = serializers.ReadOnlyField(source="owner.username")

    class Meta:
        model = Note
        fields = ["id", "owner", "title", "slug", "tags"]


class NoteTitleSerializer(serializers.ModelSerializer[Note]):
    class Meta:
        model = Note
        fields = ["id", "title"]


class IsOwner(permissions.BasePermission):
    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return bool(obj.owner_id == request.user.pk)


class NoteBinding(ResourceBinding[Note]):
    """Notes, visible to everyone authenticated, changed by their owner only."""

    stream = "notes"
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    permission_classes = [permissions.IsAuthenticated & IsOwner]
    lookup_field = "slug"

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if self.action == "list":
            return NoteTitleSerializer
        return NoteSerializer

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.save(owner=self.request.user)


class MyNoteBinding(ResourceBinding[Note]):
    """Only the user's own notes exist for them."""

    stream = "my-notes"
    serializer_class = NoteSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[Note]:
        return Note.objects.filter(owner_id=self.request.user.pk)


class BurstThrottle(UserRateThrottle):
    rate = "2/min"


class ThrottledNoteBinding(ResourceBinding[Note]):
    stream = "throttled"
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    throttle_classes = [BurstThrottle]


class RenameSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=50)

    def validate_title(self, value: str) -> str:
        if value.lower() == "forbidden":
            raise serializers.ValidationError("This title is not allowed.", code="forbidden")
        return value


class ActionNoteBinding(ResourceBinding[Note]):
    """Custom actions of every kind."""

    stream = "action-notes"
    queryset = Note.objects.all()
    serializer_class = NoteSerializer
    lookup_field = "slug"

    @action(detail=True, request_serializer=RenameSerializer, response_serializer=NoteSerializer)
    def rename(self, request: Request, slug: str | None = None) -> Note:
        """Give a note another title."""
        note = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note.title = serializer.validated_data["title"]
        note.save()
        return note

    @action(detail=False, method="GET", response_serializer=NoteTitleSerializer, many=True)
    def titles(self, request: Request) -> QuerySet[Note]:
        return self.get_queryset()

    @action(detail=False, method="GET")
    async def ping(self, request: Request) -> dict[str, Any]:
        data = cast(dict[str, Any], request.data)
        return {"pong": data.get("n", 0), "user": str(request.user)}

    @action(detail=False, status=201, permission_classes=[permissions.IsAdminUser])
    def admin_only(self, request: Request) -> dict[str, str]:
        return {"ok": "yes"}

    @action(detail=False)
    def explode(self, request: Request) -> None:
        data = cast(dict[str, Any], request.data)
        Note.objects.create(owner_id=data["owner"], title="partial", slug="partial")
        raise RuntimeError("boom in user code")


class OwnNoteBinding(MyNoteBinding):
    """``MyNoteBinding`` that can tell, from a deleted note, whether it was the user's."""

    stream = "own-notes"

    def deleted_in_queryset(self, instance: Any) -> bool:
        return bool(instance.owner_id == self.request.user.pk)


class PublicNoteBinding(ResourceBinding[Note]):
    """The same queryset for everyone, filtered: only public notes exist here."""

    stream = "public-notes"
    queryset = Note.objects.filter(title__startswith="public")
    serializer_class = NoteTitleSerializer


class RecentNoteBinding(MyNoteBinding):
    """A per-user queryset that cannot be a subquery (sliced): checked one user at a time."""

    stream = "recent-notes"

    def get_queryset(self) -> QuerySet[Note]:
        return Note.objects.filter(owner_id=self.request.user.pk).order_by("-id")[:50]
