"""``subscribe``/``unsubscribe`` frames: routed and checked before any binding code, every
problem reported with its absolute path (pure functions, table-driven)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from polls.bindings import QuestionBinding

from typedws.errors import FrameError
from typedws.frames import Route, parse_frame

ROUTES = {"questions": Route(QuestionBinding.get_actions(), QuestionBinding.get_lookup_key())}
DATA = ["payload", "data"]


def parse(action: str, data: Any = None, **payload: Any) -> Any:
    body: dict[str, Any] = {"action": action, "request_id": "s1", **payload}
    if data is not None:
        body["data"] = data
    return parse_frame(json.dumps({"stream": "questions", "payload": body}), ROUTES, 10_000)


@pytest.mark.parametrize(
    ("action", "data", "payload"),
    [
        pytest.param("subscribe", {"action": "update"}, {}, id="seed-update-of-any"),
        pytest.param("subscribe", {"action": "update", "pk": "1"}, {}, id="seed-pk-as-string"),
        pytest.param("subscribe", {"action": "delete", "pk": 1}, {}, id="pk-as-integer"),
        pytest.param("subscribe", {"action": ["create", "update", "delete"]}, {}, id="several"),
        pytest.param("subscribe", {"action": "create", "pk": None}, {}, id="null-pk-is-absent"),
        pytest.param(
            "subscribe",
            {"action": "create", "filter": {"a": 1, "b": "x", "c": None, "d": True, "e": 1.5}},
            {},
            id="filter-of-scalars",
        ),
        pytest.param("unsubscribe", {"request_id": "s1"}, {}, id="unsubscribe-one"),
        pytest.param("unsubscribe", {"request_id": 7}, {}, id="unsubscribe-integer-id"),
        pytest.param("unsubscribe", {}, {}, id="unsubscribe-all"),
        pytest.param("unsubscribe", None, {}, id="unsubscribe-all-without-data"),
        pytest.param("subscribe_instance", None, {"pk": 1}, id="dcrf-subscribe-instance"),
        pytest.param("unsubscribe_instance", {}, {"pk": "1"}, id="dcrf-unsubscribe-instance"),
    ],
)
def test_valid(action: str, data: Any, payload: dict[str, Any]) -> None:
    frame = parse(action, data, **payload)
    assert (frame.stream, frame.spec.name, frame.request_id) == ("questions", action, "s1")
    assert frame.data == (data or {})
    assert frame.spec.http_method == "GET"
    assert frame.spec.safe


@pytest.mark.parametrize(
    ("action", "data", "payload", "errors"),
    [
        pytest.param("subscribe", None, {}, [("required", [*DATA, "action"])], id="no-data"),
        pytest.param("subscribe", {}, {}, [("required", [*DATA, "action"])], id="no-action"),
        pytest.param(
            "subscribe", {"action": "upsert"}, {}, [("invalid", [*DATA, "action"])], id="unknown"
        ),
        pytest.param(
            "subscribe", {"action": 1}, {}, [("invalid", [*DATA, "action"])], id="not-a-string"
        ),
        pytest.param("subscribe", {"action": []}, {}, [("invalid", [*DATA, "action"])], id="none"),
        pytest.param(
            "subscribe",
            {"action": ["create", "bogus", 3, "create"]},
            {},
            [
                ("invalid", [*DATA, "action", 1]),
                ("invalid", [*DATA, "action", 2]),
                ("invalid", [*DATA, "action", 3]),
            ],
            id="every-bad-item-of-a-list",
        ),
        pytest.param(
            "subscribe",
            {"action": "update", "pk": True},
            {},
            [("invalid", [*DATA, "pk"])],
            id="pk-boolean",
        ),
        pytest.param(
            "subscribe",
            {"action": "update", "filter": [1]},
            {},
            [("invalid", [*DATA, "filter"])],
            id="filter-not-an-object",
        ),
        pytest.param(
            "subscribe",
            {"action": "update", "filter": {"question": {"id": 1}, "x": [1]}},
            {},
            [("invalid", [*DATA, "filter", "question"]), ("invalid", [*DATA, "filter", "x"])],
            id="filter-values-not-scalars",
        ),
        pytest.param(
            "subscribe",
            {"action": "upsert", "pk": [1], "model": "x"},
            {},
            [
                ("unknown_field", [*DATA, "model"]),
                ("invalid", [*DATA, "action"]),
                ("invalid", [*DATA, "pk"]),
            ],
            id="all-problems-at-once",
        ),
        pytest.param(
            "subscribe",
            {"action": "update"},
            {"pk": 1},
            [("unknown_field", ["payload", "pk"])],
            id="pk-belongs-in-data",
        ),
        pytest.param(
            "unsubscribe",
            {"request_id": [1], "pk": 1},
            {},
            [("unknown_field", [*DATA, "pk"]), ("invalid", [*DATA, "request_id"])],
            id="unsubscribe",
        ),
        pytest.param(
            "subscribe_instance", None, {}, [("required", ["payload", "pk"])], id="instance-no-pk"
        ),
        pytest.param(
            "subscribe_instance",
            {"action": "update"},
            {"pk": 1},
            [("unknown_field", [*DATA, "action"])],
            id="instance-takes-no-data",
        ),
    ],
)
def test_invalid(
    action: str, data: Any, payload: dict[str, Any], errors: list[tuple[str, list[Any]]]
) -> None:
    with pytest.raises(FrameError) as raised:
        parse(action, data, **payload)
    assert raised.value.status == 400
    assert [(e["code"], e["path"]) for e in raised.value.errors] == errors
    assert (raised.value.stream, raised.value.action) == ("questions", action)


def test_messages_name_the_choices() -> None:
    with pytest.raises(FrameError) as raised:
        parse("subscribe", {"action": "upsert"})
    assert raised.value.errors[0]["message"] == (
        "'upsert' is not an event action; choose from: create, update, delete."
    )
