"""``subscribe``/``unsubscribe`` frames: routed and checked against the contract before any
binding code, every problem reported with its absolute path (table-driven)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from typedws.errors import FrameError
from typedws.frames import parse_frame

DATA = ["payload", "data"]


def parse(action: str, data: Any = None, stream: str = "questions", **payload: Any) -> Any:
    from tests.api import api

    body: dict[str, Any] = {"action": action, "request_id": "s1", **payload}
    if data is not None:
        body["data"] = data
    return parse_frame(json.dumps({"stream": stream, "payload": body}), api.contract.routes, 10_000)


@pytest.mark.parametrize(
    ("action", "data", "payload"),
    [
        pytest.param("subscribe", {"action": "update"}, {}, id="seed-update-of-any"),
        pytest.param("subscribe", {"action": "update", "pk": "1"}, {}, id="seed-pk-as-string"),
        pytest.param("subscribe", {"action": "delete", "pk": 1}, {}, id="pk-as-integer"),
        pytest.param("subscribe", {"action": ["create", "update", "delete"]}, {}, id="several"),
        pytest.param("subscribe", {"action": "create", "pk": None}, {}, id="null-pk-is-absent"),
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


@pytest.mark.parametrize("value", [7, "7", None, True, 1.5], ids=repr)
def test_filter_values_are_any_scalar_of_a_declared_field(value: Any) -> None:
    """The shape only: the binding converts the value as the model field does (400 there)."""
    frame = parse("subscribe", {"action": "create", "filter": {"question": value}}, "choices")
    assert frame.data["filter"] == {"question": value}


ACTION = [*DATA, "action"]
FILTER = [*DATA, "filter"]


@pytest.mark.parametrize(
    ("stream", "action", "data", "payload", "errors"),
    [
        pytest.param("questions", "subscribe", None, {}, [("required", DATA)], id="no-data"),
        pytest.param("questions", "subscribe", {}, {}, [("required", ACTION)], id="no-action"),
        pytest.param(
            "questions", "subscribe", {"action": "upsert"}, {}, [("invalid", ACTION)], id="unknown"
        ),
        pytest.param(
            "questions", "subscribe", {"action": 1}, {}, [("invalid", ACTION)], id="not-a-string"
        ),
        pytest.param(
            "questions", "subscribe", {"action": []}, {}, [("invalid", ACTION)], id="empty-list"
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": ["create", "bogus"]},
            {},
            [("invalid", ACTION)],
            id="a-bad-item-of-a-list",
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": "update", "pk": True},
            {},
            [("invalid", [*DATA, "pk"])],
            id="pk-boolean",
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": "update", "filter": [1]},
            {},
            [("invalid", FILTER)],
            id="filter-not-an-object",
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": "update", "filter": {"id": 1}},
            {},
            [("unknown_field", [*FILTER, "id"])],
            id="filter-on-a-field-not-subscribable",
        ),
        pytest.param(
            "choices",
            "subscribe",
            {"action": "update", "filter": {"question": {"id": 1}, "votes": 1}},
            {},
            [("invalid", [*FILTER, "question"]), ("unknown_field", [*FILTER, "votes"])],
            id="filter-value-not-a-scalar",
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": "upsert", "pk": [1], "model": "x"},
            {},
            [
                ("invalid", ACTION),
                ("invalid", [*DATA, "pk"]),
                ("unknown_field", [*DATA, "model"]),
            ],
            id="all-problems-at-once",
        ),
        pytest.param(
            "questions",
            "subscribe",
            {"action": "update"},
            {"pk": 1},
            [("unknown_field", ["payload", "pk"])],
            id="pk-belongs-in-data",
        ),
        pytest.param(
            "questions",
            "unsubscribe",
            {"request_id": [1], "pk": 1},
            {},
            [("invalid", [*DATA, "request_id"]), ("unknown_field", [*DATA, "pk"])],
            id="unsubscribe",
        ),
        pytest.param(
            "questions",
            "subscribe_instance",
            None,
            {},
            [("required", ["payload", "pk"])],
            id="instance-no-pk",
        ),
        pytest.param(
            "questions",
            "subscribe_instance",
            {"action": "update"},
            {"pk": 1},
            [("unknown_field", [*DATA, "action"])],
            id="instance-takes-no-data",
        ),
    ],
)
def test_invalid(
    stream: str,
    action: str,
    data: Any,
    payload: dict[str, Any],
    errors: list[tuple[str, list[Any]]],
) -> None:
    with pytest.raises(FrameError) as raised:
        parse(action, data, stream, **payload)
    assert raised.value.status == 400
    assert [(e["code"], e["path"]) for e in raised.value.errors] == errors
    assert (raised.value.stream, raised.value.action) == (stream, action)
