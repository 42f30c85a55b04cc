"""The one-pass reader (one ``validate_json`` over every ``(stream, action)``) takes exactly the
frames the step-by-step reader takes, and reads each as it does: same stream, action, lookup,
request id, and data equal value for value and type for type (an int stays an int). A frame
it does not take is read step by step, which writes the error reply (tests/test_frames.py)."""

from __future__ import annotations

import json
import os
from functools import cache
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from pydantic_core import SchemaValidator, ValidationError

from tests.api import KitchenBinding
from tests.schema_helpers import inline
from tests.test_differential import document, mutated, request_schemas
from tests.test_frames import CORPUS, corpus_text
from typedws import onepass
from typedws.actions import ActionSpec
from typedws.api import API, get_api
from typedws.errors import FrameError
from typedws.frames import parse_frame
from typedws.onepass import _NOT_FOR_ONE_PASS, Routes, compile_union
from typedws.request import RequestFrame

MiB = 1024 * 1024


@cache
def routes() -> Routes:
    return get_api("tests.api.api").contract.routes


def typed(value: Any) -> Any:
    """``value`` with every leaf's type: ``2`` and ``2.0`` differ, ``True`` and ``1`` too."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)


def read(request: RequestFrame) -> Any:
    fields = (request.stream, request.spec.name, request.lookup, request.request_id)
    return typed([*fields, request.data])


def agree(text: str, contract: Routes | None = None) -> RequestFrame | None:
    """What the one-pass reader makes of ``text``, checked against the step-by-step reader."""
    contract = contract or routes()
    fast = contract.read(text)
    try:
        slow = parse_frame(text, dict(contract), MiB)  # a plain mapping: step by step
    except FrameError:
        assert fast is None, text
        return None
    if fast is not None:
        assert read(fast) == read(slow), text
        assert type(fast) is RequestFrame, text
        assert fast == slow, text  # every field, as the union's leaf built it
    return fast


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c["name"]) for c in json.loads(CORPUS.read_text("utf-8"))["cases"]],
)
def test_the_corpus_reads_the_same(case: dict[str, Any]) -> None:
    request = agree(corpus_text(case))
    assert (request is not None) is case["valid"]


@pytest.mark.parametrize(
    "text",
    [
        '{"stream": "kitchen", "payload": {"action": "check", "data": {"json": 1e999}}}',
        '{"stream": "kitchen", "payload": {"action": "check", "data": {"json": NaN}}}',
        '{"stream": "kitchen", "payload": {"action": "check", "data": {"number": -1e400}}}',
        '{"stream": "kitchen", "payload": {"action": "check", "data": {"number": Infinity}}}',
        '{"stream": "questions", "stream": "nope", "payload": {"action": "list"}}',
        '{"stream": "nope", "stream": "questions", "payload": {"action": "list"}}',
        '{"stream": "questions", "payload": {"action": "list", "action": "create"}}',
        '{"stream": "questions", "payload": {"action": "retrieve", "pk": 1.0, "request_id": 2.0}}',
        '{"stream": "questions", "payload": {"action": "list", "data": {"page": 2}}}',
        '{"stream": "questions", "payload": {"action": "create", "data": {"question_text": '
        '"\\ud800"}}}',
    ],
)
def test_edge_frames_read_the_same(text: str) -> None:
    agree(text)


def test_numbers_keep_their_type() -> None:
    text = '{"stream": "questions", "payload": {"action": "list", "data": {"page": 2}}}'
    request = agree(text)
    assert request is not None
    assert type(request.data["page"]) is int
    request = agree(text.replace("2", "2.0"))
    assert request is not None
    assert type(request.data["page"]) is float


KITCHEN = {"char": "ab", "email": "a@example.com", "integer": 0, "status": "draft"}


@pytest.mark.parametrize(
    ("request_id", "decimal"),
    [("r1", "1.50"), (7, 1), (7.0, 1.5), (None, 2.0), ("8", -3)],
)
def test_each_union_choice_reads_the_same(request_id: Any, decimal: Any) -> None:
    """A union takes its first accepting choice (a request id: string, integer or integral
    float; a decimal: number or string), and each keeps the value as it came."""
    data = {**KITCHEN, "nested": {"name": "x"}, "decimal": decimal}
    payload = {"action": "check", "request_id": request_id, "data": data}
    request = agree(json.dumps({"stream": "kitchen", "payload": payload}))
    assert request is not None
    assert typed([request.request_id, request.data["decimal"]]) == typed([request_id, decimal])


def test_a_value_no_choice_takes_is_one_error() -> None:
    """An array of arrays where filter values (scalars) belong: the union refuses it with one
    error, not one per element and choice (20,000 arrays made the frame cost 3x more)."""
    search = ",".join(["[]"] * 1000)
    text = '{"stream": "questions", "payload": {"action": "list", "data": {"search": [%s]}}}'
    union = routes()._union
    assert union is not None
    with pytest.raises(ValidationError) as refused:
        union.validate_json(text % search)
    assert refused.value.error_count() == 1
    assert agree(text % search) is None


def test_data_unchecked_reads_the_same() -> None:
    api = API(validate=False)
    api.register(KitchenBinding)
    contract = api.contract.routes
    text = '{"stream": "kitchen", "payload": {"action": "check", "data": {"x": [1, 2.5]}}}'
    assert agree(text, contract) is not None
    assert agree(text.replace("2.5", "1e999"), contract) is None


@pytest.mark.parametrize("name", request_schemas())
@settings(
    max_examples=int(os.environ.get("TYPEDWS_DIFFERENTIAL_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_generated_frames_read_the_same(name: str, data: st.DataObject) -> None:
    schemas = document().schemas
    schema = inline({"$ref": f"#/components/schemas/{name}"}, schemas)
    frame = data.draw(from_schema(schema), label="valid frame")
    text = json.dumps(frame, ensure_ascii=False)
    assert agree(text) is not None or _NOT_FOR_ONE_PASS.search(text), text
    changed = data.draw(mutated(frame), label="mutated frame")
    agree(json.dumps(changed, ensure_ascii=False))


def _frame_schema(data: Any) -> dict[str, Any]:
    payload = {"action": {"const": "ping"}, "request_id": {"type": "string"}, "data": data}
    return {
        "type": "object",
        "required": ["stream", "payload"],
        "properties": {
            "stream": {"const": "s"},
            "payload": {"type": "object", "required": ["action"], "properties": payload,
                        "additionalProperties": False},
        },
        "additionalProperties": False,
    }  # fmt: skip


REFUSED = object()


@pytest.mark.parametrize(
    ("data", "in_rust", "zero", "null"),
    [
        ({"type": "object"}, True, REFUSED, REFUSED),
        ({"type": ["object", "null"]}, False, REFUSED, {}),
        ({}, False, {}, {}),
    ],
)
def test_requests_are_built_in_rust_where_data_is_an_object(
    data: Any, in_rust: bool, zero: Any, null: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Elsewhere a Python function builds the request, as RequestFrame.routed does: a falsy
    ``data`` (``null``, ``0``...) becomes ``{}``."""
    built: list[str] = []
    make = onepass._builder

    def builder(stream: str, spec: Any, lookup_key: str) -> Any:
        built.append(spec.name)
        return make(stream, spec, lookup_key)

    monkeypatch.setattr(onepass, "_builder", builder)
    spec = ActionSpec("ping", "ping", False, "POST")
    route: Any = SimpleNamespace(actions={"ping": spec}, lookup_key="pk")
    schema, _ = compile_union({"s": {"ping": _frame_schema(data)}}, {}, {"s": route})
    assert built == ([] if in_rust else ["ping"])
    union = SchemaValidator(schema)
    for sent, expected in [({"a": 1}, {"a": 1}), ({}, {}), (None, null), (0, zero)]:
        text = json.dumps({"stream": "s", "payload": {"action": "ping", "data": sent}})
        if expected is REFUSED:
            with pytest.raises(ValidationError):
                union.validate_json(text)
            continue
        request = union.validate_json(text)["payload"]
        assert request == RequestFrame("s", spec, None, None, expected)
        assert request.spec is spec
    request = union.validate_json('{"stream": "s", "payload": {"action": "ping"}}')["payload"]
    assert request == RequestFrame("s", spec, None, None, {})


@pytest.mark.parametrize("action", ["retrieve", "list", "create", "update", "delete"])
def test_a_request_built_in_rust_holds_its_route(action: str) -> None:
    payload: dict[str, Any] = {"action": action, "request_id": 7}
    if action in ("retrieve", "update", "delete"):
        payload["pk"] = 3
    if action in ("create", "update"):
        payload["data"] = {"question_text": "?"}
    request = agree(json.dumps({"stream": "questions", "payload": payload}))
    assert request is not None
    assert request.spec is routes()["questions"].actions[action]  # not a copy
    assert request.lookup == (3 if "pk" in payload else None)
    assert request.data == payload.get("data", {})
    other = agree(json.dumps({"stream": "questions", "payload": {"action": action}}))
    assert other is None or other.data is not request.data  # each gets its own dict


@pytest.mark.parametrize("key", ["stream", "spec", "lookup", "data", "request_id"])
@pytest.mark.parametrize("value", [None, "questions", {}, 1])
def test_keys_a_request_fills_itself_are_refused_as_the_schema_refuses_them(
    key: str, value: Any
) -> None:
    """The route's constants come from defaults that refuse any value a frame sends."""
    for action in ("retrieve", "list"):
        payload = {"action": action, "pk": 3, key: value}
        if action == "list":
            del payload["pk"]
        agree(json.dumps({"stream": "questions", "payload": payload}))
