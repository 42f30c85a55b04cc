"""The peer of the fan-out benchmark: djangochannelsrestframework 1.3's ``model_observer`` on
``Question``, rendered with ``QuestionSerializer``, as DCRF's documentation shows it. Writes go
through the DCRF ``QuestionConsumer`` of ``benchproj.consumers`` (``create``).

Defining the class connects DCRF's receivers (``post_init`` and ``post_save`` on
``Question``): import this module only in the server that measures DCRF.
DCRF ships no type information, hence the ``type: ignore`` comments.
"""

from typing import Any

from djangochannelsrestframework.decorators import action  # type: ignore[import-untyped]
from djangochannelsrestframework.generics import (  # type: ignore[import-untyped]
    GenericAsyncAPIConsumer,
)
from djangochannelsrestframework.observer import model_observer  # type: ignore[import-untyped]
from djangochannelsrestframework.permissions import AllowAny  # type: ignore[import-untyped]

from polls.models import Question
from polls.serializers import QuestionSerializer


class QuestionObserverConsumer(GenericAsyncAPIConsumer):  # type: ignore[misc]
    """DCRF's documented model_observer pattern, on every question saved."""

    queryset = Question.objects.all()
    serializer_class = QuestionSerializer
    permission_classes = (AllowAny,)

    @model_observer(Question)
    async def question_activity(
        self, message: Any, observer: Any = None, subscribing_request_ids: Any = (), **kwargs: Any
    ) -> None:
        for request_id in subscribing_request_ids:
            await self.reply(action=kwargs.get("action"), data=message, request_id=request_id)

    @question_activity.serializer  # type: ignore[no-redef]  # DCRF's documented pattern
    def question_activity(self, instance: Question, action: Any, **kwargs: Any) -> Any:
        return dict(QuestionSerializer(instance).data)

    @action()  # type: ignore[untyped-decorator]
    async def subscribe_to_questions(self, request_id: Any, **kwargs: Any) -> Any:
        await self.question_activity.subscribe(request_id=request_id)
        return None, 201
