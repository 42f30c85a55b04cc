"""The explorer checks a frame in the browser exactly as the server would: same status, same
error codes and paths in the same order, same echo.

``frames.js`` runs under Node here (the browser test runs the corpus through it in Chromium
too): on the shared corpus, on hand-picked frames, and on frames generated from every request
schema of the test project and then mutated, each compared with the runtime's own verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.explorer.jscheck import NodeFrameChecker, comparable, server_verdict
from tests.schema_helpers import inline
from tests.test_differential import mutated
from tests.test_frames import corpus_text
from typedws.api import get_api
from typedws.schema import Document
from typedws.schema.contract import Route

CORPUS = Path(__file__).parents[1] / "corpus" / "frames.json"
MiB = 1024 * 1024
# Keys JavaScript objects order first, whatever their order in the text.
INDEX_LIKE = re.compile(r"0|[1-9][0-9]{0,8}")


@cache
def document() -> Document:
    return get_api("tests.api.api").document()


def routes() -> Mapping[str, Route]:
    return get_api("tests.api.api").contract.routes


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeFrameChecker]:
    checker = NodeFrameChecker(document().asyncapi, tmp_path_factory.mktemp("explorer-node"))
    yield checker
    checker.close()


def corpus() -> list[Any]:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", corpus())
def test_corpus(node: NodeFrameChecker, case: dict[str, Any]) -> None:
    verdict = node.check(corpus_text(case))
    if case["valid"]:
        assert verdict["ok"], verdict
        return
    assert comparable(verdict) == {
        "ok": False,
        "status": case["status"],
        "errors": case["errors"],
        "echo": case["echo"],
    }


def frame(payload: Any, stream: str = "questions") -> str:
    return json.dumps({"stream": stream, "payload": payload}, ensure_ascii=False)


# Frames where JavaScript and Python differ unless the checker takes care: text, numbers,
# nesting, prototype names, and patterns read with Python's `re`.
EDGE_TEXTS = {
    "spaces": '{"stream": "questions", "payload": {"action": "list"}}  ',
    "lone-surrogate-escape": '{"stream": "q\\ud800", "payload": {}}',
    "surrogate-pair": '{"stream": "questions", "payload": {"request_id": "\\ud83d\\ude00"}}',
    "depth-200": "[" * 200 + "1" + "]" * 200,
    "depth-201": "[" * 201 + "1" + "]" * 201,
    "depth-201-empty": "[" * 201 + "]" * 201,
    "depth-201-objects": '{"a":' * 201 + "1" + "}" * 201,
    "byte-order-mark": "\ufeff{}",
    "nulls": '{"stream": null, "payload": null}',
    "proto-stream": '{"stream": "__proto__", "payload": {"action": "list"}}',
    "huge-number": '{"stream": "kitchen", "payload": {"action": "check", "data": {"n": 1e999}}}',
    "huge-numbers": '{"stream": "x", "payload": {"request_id": 7, "a": [-1E+400, {"b": 1e309}]}}',
    "huge-top-level": "[1e999]",
    "huge-in-a-string": '{"stream": "questions", "payload": {"action": "list", "x": "1e999"}}',
}
EDGE_FRAMES: dict[str, tuple[str, dict[str, Any]]] = {
    "utf8": ("questions", {"action": "create", "data": {"question_text": "é" * 300}}),
    "constructor-action": ("questions", {"action": "constructor"}),
    "constructor-key": ("questions", {"action": "create", "data": {"constructor": 1}}),
    "dollar-newline": ("notes", {"action": "retrieve", "slug": "intro\n"}),
    "slug-space": ("notes", {"action": "retrieve", "slug": "in tro"}),
    "unicode-digit": ("kitchen", {"action": "check", "data": {"decimal": "٣.5"}}),
    "regex-newline": ("kitchen", {"action": "check", "data": {"regex": "ABC\n"}}),
    "code-points": ("kitchen", {"action": "check", "data": {"char": "😀😀"}}),
    "numbers": ("kitchen", {"action": "check", "data": {"integer": 1.0, "number": 1e400}}),
    "mappings": (
        "kitchen",
        {"action": "check", "data": {"mapping": {"a": ""}, "hstore": {"b": 1}}},
    ),
    "nullables": ("kitchen", {"action": "check", "data": {"priority": None, "nullable": ""}}),
}
EDGE_CASES = {
    **EDGE_TEXTS,
    **{name: frame(payload, stream) for name, (stream, payload) in EDGE_FRAMES.items()},
}


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in EDGE_CASES.items()])
def test_edge_cases(node: NodeFrameChecker, text: str) -> None:
    assert comparable(node.check(text)) == comparable(server_verdict(text, routes(), MiB))


def test_frame_size_counts_utf8_bytes(node: NodeFrameChecker) -> None:
    text = frame({"action": "create", "data": {"question_text": "é" * 40}})
    limit = len(text.encode())
    for max_bytes in (limit, limit - 1):
        expected = comparable(server_verdict(text, routes(), max_bytes))
        assert comparable(node.check(text, max_bytes)) == expected
    assert node.check(text, limit - 1)["status"] == 413


def request_schemas() -> list[Any]:
    return [pytest.param(s.request, id=s.request) for s in document().actions.values()]


def _index_like_keys(value: Any) -> bool:
    if isinstance(value, dict):
        return any(
            INDEX_LIKE.fullmatch(key) or _index_like_keys(item) for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_index_like_keys(item) for item in value)
    return False


def _unseen_request_id(value: Any) -> bool:
    """A float (``1.0`` reads as ``1``) or an integer beyond JavaScript's 2**53."""
    payload = value.get("payload") if isinstance(value, dict) else None
    request_id = payload.get("request_id") if isinstance(payload, dict) else None
    return isinstance(request_id, float) or (
        isinstance(request_id, int) and abs(request_id) > 2**53
    )


@pytest.mark.parametrize("name", request_schemas())
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_agrees_with_the_server(node: NodeFrameChecker, name: str, data: st.DataObject) -> None:
    schemas = document().schemas
    valid = data.draw(from_schema(inline({"$ref": f"#/components/schemas/{name}"}, schemas)))
    for value in (valid, data.draw(mutated(valid), label="mutated frame")):
        text = json.dumps(value, ensure_ascii=False)
        # What JSON.parse cannot see: the order of index-like keys, 1.0 as a float, 2**53 + 1.
        options = {"ordered": not _index_like_keys(value), "echo": not _unseen_request_id(value)}
        expected = comparable(server_verdict(text, routes(), MiB), **options)
        assert comparable(node.check(text), **options) == expected, text
