"""Registering bindings: mistakes are caught at start-up with a message that names the fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets

from polls.bindings import QuestionBinding
from polls.models import Question
from polls.serializers import QuestionSerializer
from polls.views import ChoiceViewSet, QuestionViewSet
from typedws import (
    API,
    GenericBinding,
    ReadOnlyResourceBinding,
    ResourceBinding,
    action,
    binding_for_viewset,
)
from typedws.testing import connected


def test_streams_and_actions() -> None:
    api = API()
    api.register(QuestionBinding)
    served = api.register(ChoiceViewSet, stream="choices")
    assert list(api.bindings) == ["questions", "choices"]
    assert api.bindings["choices"] is served
    assert list(api.contract.routes["questions"].actions) == [
        "create",
        "retrieve",
        "update",
        "patch",
        "list",
        "delete",
        "subscribe",
        "unsubscribe",
        "subscribe_instance",
        "unsubscribe_instance",
        "echo",
        "unanswered",
    ]
    assert list(api.contract.routes["choices"].actions) == [
        "create",
        "retrieve",
        "update",
        "patch",
        "list",
        "delete",
        "vote",
    ]
    vote = api.contract.routes["choices"].actions["vote"]
    assert (vote.detail, vote.http_method, vote.safe, vote.description) == (
        True,
        "POST",
        False,
        "Add one vote.",
    )
    echo = api.contract.routes["questions"].actions["echo"]
    assert (echo.is_async, echo.custom, echo.http_method) == (True, True, "GET")


def test_a_ported_viewset_serves_subscriptions_when_asked() -> None:
    api = API()
    served = api.register(ChoiceViewSet, stream="choices", subscriptions=True)
    actions = api.contract.routes["choices"].actions
    assert [name for name in actions if "subscribe" in name] == [
        "subscribe",
        "unsubscribe",
        "subscribe_instance",
        "unsubscribe_instance",
    ]
    assert actions["subscribe"].http_method == "GET"
    assert actions["subscribe_instance"].detail
    assert served.get_lookup_key() == "pk"


def test_register_under_another_stream_keeps_the_original() -> None:
    api = API()
    served = api.register(QuestionBinding, stream="polls")
    assert served.stream == "polls"
    assert QuestionBinding.stream == "questions"
    assert issubclass(served, QuestionBinding)


def test_read_only_binding_serves_retrieve_and_list() -> None:
    class ReadOnly(ReadOnlyResourceBinding[Question]):
        stream = "ro"
        queryset = Question.objects.all()
        serializer_class = QuestionSerializer

    assert list(ReadOnly.get_actions()) == [
        "retrieve",
        "list",
        "subscribe",
        "unsubscribe",
        "subscribe_instance",
        "unsubscribe_instance",
    ]


def test_read_only_viewset_keeps_its_actions() -> None:
    class QuestionReadViewSet(viewsets.ReadOnlyModelViewSet[Question]):
        queryset = Question.objects.all()
        serializer_class = QuestionSerializer

    binding = binding_for_viewset(QuestionReadViewSet, "read")
    assert binding.__name__ == "QuestionReadBinding"
    assert list(binding.get_actions()) == ["retrieve", "list"]
    assert issubclass(binding, QuestionReadViewSet)


@pytest.mark.django_db(transaction=True)
async def test_ported_viewset_overrides_win() -> None:
    class Renaming(QuestionViewSet):
        def perform_create(self, serializer: Any) -> None:
            serializer.save(question_text=serializer.validated_data["question_text"].upper())

    api = API()
    api.register(Renaming, stream="questions")
    async with connected(api.as_asgi()) as client:
        reply = await client.request("questions", "create", data={"question_text": "loud"})
        page = await client.request("questions", "list")
    assert reply["data"]["question_text"] == "LOUD"
    assert page["data"]["count"] == 1  # WebSocketPagination replaced the viewset's paginator


@pytest.mark.parametrize(
    ("register", "message"),
    [
        pytest.param(
            lambda api: api.register(QuestionViewSet),
            "Registering the viewset QuestionViewSet needs a stream name: "
            'api.register(QuestionViewSet, stream="...").',
            id="viewset-without-stream",
        ),
        pytest.param(
            lambda api: (api.register(QuestionBinding), api.register(QuestionBinding)),
            "Stream 'questions' is already served by QuestionBinding; "
            "QuestionBinding needs another stream name.",
            id="duplicate-stream",
        ),
    ],
)
def test_register_errors(register: Any, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        register(API())
    assert str(caught.value) == message


def test_binding_without_stream() -> None:
    class Nameless(ResourceBinding[Question]):
        queryset = Question.objects.all()
        serializer_class = QuestionSerializer

    with pytest.raises(ImproperlyConfigured, match=r"Nameless has no valid stream name \(None\)"):
        API().register(Nameless)
    with pytest.raises(ImproperlyConfigured, match=r"has no valid stream name \('a b'\)"):
        API().register(Nameless, stream="a b")


def test_binding_without_queryset_or_serializer() -> None:
    class NoQueryset(ResourceBinding[Question]):
        stream = "a"
        serializer_class = QuestionSerializer

    class NoSerializer(ResourceBinding[Question]):
        stream = "b"
        queryset = Question.objects.all()

    with pytest.raises(
        ImproperlyConfigured, match="needs a `queryset` attribute or a `get_queryset"
    ):
        API().register(NoQueryset)
    with pytest.raises(ImproperlyConfigured, match="needs a `serializer_class` attribute"):
        API().register(NoSerializer)


def test_custom_actions_alone_need_no_queryset() -> None:
    class Clock(GenericBinding[Any]):
        stream = "clock"

        @action(detail=False, method="GET")
        def now(self, request: Any) -> str:
            return "now"

    assert list(API().register(Clock).get_actions()) == ["now"]


def test_binding_without_actions() -> None:
    class Empty(GenericBinding[Any]):
        stream = "empty"

    with pytest.raises(ImproperlyConfigured, match="Empty serves no action"):
        API().register(Empty)


def test_register_rejects_non_viewsets() -> None:
    with pytest.raises(TypeError, match="is not a DRF GenericViewSet subclass"):
        API().register(object, stream="x")  # type: ignore[arg-type]
