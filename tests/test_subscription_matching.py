"""What a change is for a subscription: the documented table, row by row."""

from __future__ import annotations

from typing import Any

import pytest

from polls.bindings import QuestionBinding
from typedws.encoding import dumps
from typedws.protocol import Position, dcrf_event, decode, encode, event, position_text
from typedws.subscriptions.events import dcrf_frame, event_frame
from typedws.subscriptions.matching import Subscription, seen_as

EVERYTHING = frozenset({"create", "update", "delete"})


def subscription(pk: Any = None, wanted: dict[str, Any] | None = None) -> Subscription:
    return Subscription(
        stream="choices",
        binding=QuestionBinding,
        request_id="s1",
        actions=EVERYTHING,
        pk=pk,
        raw_pk=pk,
        filter=wanted or {},
    )


ON_7 = {"question_id": 7}
ON_8 = {"question_id": 8}


@pytest.mark.parametrize(
    ("kind", "old", "new", "expected"),
    [
        pytest.param("create", None, ON_7, "create", id="created-matching"),
        pytest.param("create", None, ON_8, None, id="created-elsewhere"),
        pytest.param("update", ON_7, ON_7, "update", id="stays"),
        pytest.param("update", ON_8, ON_7, "create", id="enters"),
        pytest.param("update", ON_7, ON_8, "delete", id="leaves"),
        pytest.param("update", ON_8, ON_8, None, id="stays-out"),
        pytest.param("delete", ON_7, None, "delete", id="deleted-matching"),
        pytest.param("delete", ON_8, None, None, id="deleted-elsewhere"),
        pytest.param("update", None, ON_7, "update", id="unknown-old-matches-now"),
        pytest.param("update", None, ON_8, None, id="unknown-old-does-not-match"),
    ],
)
def test_filter_transitions(
    kind: str, old: dict[str, Any] | None, new: dict[str, Any] | None, expected: str | None
) -> None:
    assert seen_as(subscription(wanted=ON_7), kind, 1, old, new) == expected


@pytest.mark.parametrize("kind", ["create", "update", "delete"])
def test_without_a_filter_a_change_is_what_it_is(kind: str) -> None:
    assert seen_as(subscription(), kind, 1, ON_8, ON_7) == kind


def test_a_pk_subscription_sees_only_its_object() -> None:
    assert seen_as(subscription(pk=1), "update", 1, None, None) == "update"
    assert seen_as(subscription(pk=1), "update", 2, None, None) is None


def test_several_filter_fields_must_all_match() -> None:
    both = subscription(wanted={"question_id": 7, "votes": 0})
    assert seen_as(both, "create", 1, None, {"question_id": 7, "votes": 0}) == "create"
    assert seen_as(both, "create", 1, None, {"question_id": 7, "votes": 1}) is None


@pytest.mark.parametrize("raw_pk", ["1", 1])
def test_event_text_equals_the_protocol_encoding(raw_pk: Any) -> None:
    data = {"id": 1, "question_text": 'é "quoted"', "pub_date": None}
    for named in (None, raw_pk):
        sub = Subscription(
            stream="questions",
            binding=QuestionBinding,
            request_id="s-ü",
            actions=EVERYTHING,
            pk=None if named is None else 1,
            raw_pk=named,
        )
        for prev in (None, 6):
            position = position_text(dumps("é1"), 7, prev)
            text = event_frame(
                sub, "update", dumps(1), dumps(data), dumps("polls.question"), position
            )
            pk = 1 if named is None else raw_pk
            expected = event(
                "questions", "update", pk, data, "polls.question", "s-ü", Position("é1", 7, prev)
            )
            assert text == encode(expected)


def test_dcrf_frame() -> None:
    sub = Subscription(
        stream="questions",
        binding=QuestionBinding,
        request_id="uuid",
        actions=frozenset({"update", "delete"}),
        pk=1,
        raw_pk="1",
        dcrf=True,
    )
    update = dcrf_frame(sub, "update", {"id": 1}, '{"id":1}', position_text('"e"', 3, 2))
    delete = dcrf_frame(sub, "delete", None, "null", position_text('"e"', 4, None))
    assert update == encode(
        {
            "type": "event",
            "stream": "questions",
            "payload": {
                "action": "update",
                "request_id": "uuid",
                "response_status": 200,
                "data": {"id": 1, "pk": "1"},
                "errors": [],
                "epoch": "e",
                "seq": 3,
                "prev": 2,
            },
        }
    )
    assert delete == encode(
        {
            "type": "event",
            "stream": "questions",
            "payload": {
                "action": "delete",
                "request_id": "uuid",
                "response_status": 204,
                "data": {"pk": "1"},
                "errors": [],
                "epoch": "e",
                "seq": 4,
                "prev": None,
            },
        }
    )
    assert delete == encode(
        dcrf_event("questions", "delete", "uuid", 204, {"pk": "1"}, Position("e", 4, None))
    )


class _Ordered(dict[str, Any]):
    def items(self) -> Any:
        return sorted(dict.items(self))


@pytest.mark.parametrize(
    "data",
    [
        {"id": 1, "text": "é\u2028"},
        {},
        {"id": 1, "pk": 9},  # the serializer has a pk field: kept as it is
        [1, 2],
        None,
        _Ordered(b=1, a=2),  # its own items(): encoded again, as before
    ],
)
@pytest.mark.parametrize("raw_pk", ["1", 1, "\u2028"])
def test_a_dcrf_update_writes_the_pk_into_the_encoded_data(data: Any, raw_pk: Any) -> None:
    sub = Subscription(
        stream="questions",
        binding=QuestionBinding,
        request_id="uuid",
        actions=frozenset({"update"}),
        pk=1,
        raw_pk=raw_pk,
        dcrf=True,
    )
    with_pk = {**data, "pk": raw_pk} if isinstance(data, dict) and "pk" not in data else data
    frame = dcrf_frame(sub, "update", data, dumps(data), position_text('"e"', 3, 2))
    assert frame == dcrf_frame(sub, "update", with_pk, dumps(with_pk), position_text('"e"', 3, 2))
    assert decode(frame)["payload"]["data"] == decode(dumps(with_pk))
