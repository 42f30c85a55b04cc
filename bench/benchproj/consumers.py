"""The two reference targets: a raw Channels JSON echo (the ceiling) and a
djangochannelsrestframework 1.3 consumer on the same queryset and serializer as typedws.

DCRF ships no type information, hence the ``type: ignore`` comments.
"""

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
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
