"""The reference targets: a raw Channels JSON echo (the ceiling), the consumer a developer
would write by hand, and a djangochannelsrestframework 1.3 consumer, on the same model and
serializer as typedws.

DCRF ships no type information, hence the ``type: ignore`` comments.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import transaction
from djangochannelsrestframework.generics import (  # type: ignore[import-untyped]
    GenericAsyncAPIConsumer,
)
from djangochannelsrestframework.mixins import (  # type: ignore[import-untyped]
    CreateModelMixin,
    PaginatedModelListMixin,
    RetrieveModelMixin,
)
from djangochannelsrestframework.pagination import (  # type: ignore[import-untyped]
    WebsocketLimitOffsetPagination,
)
from djangochannelsrestframework.permissions import AllowAny  # type: ignore[import-untyped]

from polls.models import Question
from polls.serializers import QuestionSerializer


class EchoConsumer(AsyncJsonWebsocketConsumer):
    """Sends every JSON frame back unchanged: parse, dispatch and encode, no application work."""

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json(content)


class HandWrittenConsumer(AsyncJsonWebsocketConsumer):
    """What a developer writes by hand (issue 12's baseline), in typedws's frame format so the
    same load checks apply: one ``database_sync_to_async`` hop per frame doing exactly
    ``filter(pk=...).first()`` + ``QuestionSerializer(obj).data``, a sliced page + ``count()``,
    or ``is_valid()`` + ``save()`` in ``atomic()``. No validation of the frame, no permissions:
    the floor a DRF-based consumer can reach without typedws's startup knowledge."""

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        payload = content["payload"]
        status, data = await self.serve(payload["action"], payload)
        reply = {
            "action": payload["action"],
            "request_id": payload.get("request_id"),
            "response_status": status,
            "data": data,
            "errors": [],
        }
        await self.send_json({"type": "reply", "stream": content["stream"], "payload": reply})

    @database_sync_to_async
    def serve(self, action: str, payload: dict[str, Any]) -> tuple[int, Any]:
        if action == "retrieve":
            question = Question.objects.filter(pk=payload["pk"]).first()
            return (200, QuestionSerializer(question).data) if question else (404, None)
        if action == "list":
            page = payload.get("data") or {}
            size, number = page.get("page_size", 25), page.get("page", 1)
            queryset = Question.objects.all()
            rows = queryset[(number - 1) * size : number * size]
            results = QuestionSerializer(rows, many=True).data
            return 200, {"results": results, "count": queryset.count()}
        serializer = QuestionSerializer(data=payload.get("data"))
        with transaction.atomic():
            if not serializer.is_valid():
                return 400, serializer.errors
            serializer.save()
        return 201, serializer.data


class QuestionConsumer(
    CreateModelMixin,  # type: ignore[misc]
    RetrieveModelMixin,  # type: ignore[misc]
    PaginatedModelListMixin,  # type: ignore[misc]
    GenericAsyncAPIConsumer,  # type: ignore[misc]
):
    """DCRF's generic consumer with its create, retrieve and paginated list mixins.

    ``list`` takes ``limit``/``offset`` (DCRF's ``WebsocketLimitOffsetPagination``): one
    ``COUNT`` and one ``LIMIT 25`` query, as typedws's page-number paginator does.
    """

    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    pagination_class = WebsocketLimitOffsetPagination
    permission_classes = (AllowAny,)
