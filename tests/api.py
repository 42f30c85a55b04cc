"""The test project's API: every binding the tests use, and the source of its snapshot."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request

from polls.bindings import ChoiceBinding, QuestionBinding
from tests.testapp.bindings import (
    ActionNoteBinding,
    MyNoteBinding,
    NoteBinding,
    OwnNoteBinding,
    PublicNoteBinding,
    RecentNoteBinding,
    ThrottledNoteBinding,
)
from tests.testapp.serializers import EverythingSerializer
from typedws import API, GenericBinding, action


class KitchenBinding(GenericBinding[Any]):
    """Exercises the contract of every DRF field class."""

    stream = "kitchen"

    @action(
        detail=False,
        request_serializer=EverythingSerializer,
        response_serializer=EverythingSerializer,
    )
    def check(self, request: Request) -> Any:
        """Validate the data; reply with what DRF made of it."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return None


api = API(title="typedws test project", version="0.0.1", description="Bindings the tests use.")
api.register(QuestionBinding)
api.register(ChoiceBinding)
for binding in (
    NoteBinding,
    MyNoteBinding,
    OwnNoteBinding,
    PublicNoteBinding,
    RecentNoteBinding,
    ThrottledNoteBinding,
    ActionNoteBinding,
    KitchenBinding,
):
    api.register(binding)
