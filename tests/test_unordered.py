"""An unordered queryset is paginated by primary key: stable pages, no warning."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from polls.models import Question
from polls.serializers import QuestionSerializer
from typedws import API, ResourceBinding
from typedws.testing import connected

pytestmark = pytest.mark.django_db(transaction=True)


class UnorderedBinding(ResourceBinding[Question]):
    stream = "unordered"
    queryset = Question.objects.order_by()  # clears Meta.ordering
    serializer_class = QuestionSerializer


api = API()
api.register(UnorderedBinding)


@database_sync_to_async
def questions(count: int) -> list[int]:
    return [Question.objects.create(question_text=f"q{n}").pk for n in range(count)]


@override_settings(TYPEDWS={"DEFAULT_PAGE_SIZE": 2})
async def test_pages_follow_the_primary_key_without_a_warning() -> None:
    pks = await questions(5)
    async with connected(api.as_asgi()) as client:  # warnings are errors in this suite
        pages = [
            await client.request("unordered", "list", data={"page": page}) for page in (1, 2, 3)
        ]
    assert [[row["id"] for row in page["data"]["results"]] for page in pages] == [
        pks[0:2],
        pks[2:4],
        pks[4:5],
    ]
