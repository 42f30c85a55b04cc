"""Reading frames: every bad input gets one structured error, and the socket stays open."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from polls.bindings import QuestionBinding
from polls.models import Question

from typedws import API
from typedws.errors import FrameError
from typedws.frames import Route, parse_frame
from typedws.testing import APICommunicator

MiB = 1024 * 1024


@functools.cache
def routes() -> Mapping[str, Route]:
    api = API()
    api.register(QuestionBinding)
    return api.routes


def frame(payload: Any, stream: Any = "questions") -> str:
    return json.dumps({"stream": stream, "payload": payload}, ensure_ascii=False)


def parse(text: str, max_bytes: int = MiB) -> Any:
    return parse_frame(text, routes(), max_bytes)


def test_valid_frames_are_routed() -> None:
    request = parse(frame({"action": "retrieve", "pk": "7", "request_id": 3, "data": {}}))
    assert (request.stream, request.spec.name, request.lookup, request.request_id) == (
        "questions",
        "retrieve",
        "7",
        3,
    )
    assert request.spec.method_name == "retrieve"
    listed = parse(
        frame({"action": "list", "data": {"page": 2, "search": ["a", "b"], "ordering": None}})
    )
    assert listed.data == {"page": 2, "search": ["a", "b"], "ordering": None}
    created = parse(frame({"action": "create", "data": {"question_text": "?"}}))
    assert created.data == {"question_text": "?"}


# (frame text, status, [(code, path)], echoed (stream, action, request_id))
BAD_FRAMES = [
    pytest.param("not json", 400, [("parse_error", [])], (None, None, None), id="not-json"),
    pytest.param("", 400, [("parse_error", [])], (None, None, None), id="empty"),
    pytest.param('{"stream": NaN}', 400, [("parse_error", [])], (None, None, None), id="nan"),
    pytest.param("[1, 2]", 400, [("invalid", [])], (None, None, None), id="array"),
    pytest.param('"questions"', 400, [("invalid", [])], (None, None, None), id="string"),
    pytest.param(
        "[" * 10_000 + "]" * 10_000, 400, [("parse_error", [])], (None, None, None), id="deep"
    ),
    pytest.param(
        json.dumps({"payload": {"action": "list", "request_id": "r"}}),
        400,
        [("required", ["stream"])],
        (None, "list", "r"),
        id="no-stream",
    ),
    pytest.param(
        frame({"action": "list"}, stream=5),
        400,
        [("invalid", ["stream"])],
        (None, "list", None),
        id="stream-number",
    ),
    pytest.param(
        frame({"action": "list", "request_id": "r"}, stream="nope"),
        404,
        [("unknown_stream", ["stream"])],
        ("nope", "list", "r"),
        id="unknown-stream",
    ),
    pytest.param(
        json.dumps({"stream": "questions"}),
        400,
        [("required", ["payload"])],
        ("questions", None, None),
        id="no-payload",
    ),
    pytest.param(
        frame([1]), 400, [("invalid", ["payload"])], ("questions", None, None), id="payload-array"
    ),
    pytest.param(
        json.dumps({"stream": "questions", "payload": {"action": "list"}, "extra": 1}),
        400,
        [("unknown_field", ["extra"])],
        ("questions", "list", None),
        id="envelope-extra-key",
    ),
    pytest.param(
        frame({"request_id": 1}),
        400,
        [("required", ["payload", "action"])],
        ("questions", None, 1),
        id="no-action",
    ),
    pytest.param(
        frame({"action": 3}),
        400,
        [("invalid", ["payload", "action"])],
        ("questions", None, None),
        id="action-number",
    ),
    pytest.param(
        frame({"action": "__init__", "request_id": "r"}),
        405,
        [("action_not_allowed", ["payload", "action"])],
        ("questions", "__init__", "r"),
        id="unknown-action",
    ),
    pytest.param(
        frame({"action": "get_queryset"}),
        405,
        [("action_not_allowed", ["payload", "action"])],
        ("questions", "get_queryset", None),
        id="method-that-is-not-an-action",
    ),
    pytest.param(
        frame({"action": "retrieve"}),
        400,
        [("required", ["payload", "pk"])],
        ("questions", "retrieve", None),
        id="no-pk",
    ),
    pytest.param(
        frame({"action": "delete", "pk": None}),
        400,
        [("invalid", ["payload", "pk"])],
        ("questions", "delete", None),
        id="null-pk",
    ),
    pytest.param(
        frame({"action": "retrieve", "pk": True}),
        400,
        [("invalid", ["payload", "pk"])],
        ("questions", "retrieve", None),
        id="bool-pk",
    ),
    pytest.param(
        frame({"action": "update", "pk": {"id": 1}, "data": {"question_text": "q"}}),
        400,
        [("invalid", ["payload", "pk"])],
        ("questions", "update", None),
        id="object-pk",
    ),
    pytest.param(
        frame({"action": "create", "data": [1]}),
        400,
        [("invalid", ["payload", "data"])],
        ("questions", "create", None),
        id="data-array",
    ),
    pytest.param(
        frame({"action": "create", "data": "x"}),
        400,
        [("invalid", ["payload", "data"])],
        ("questions", "create", None),
        id="data-string",
    ),
    pytest.param(
        frame({"action": "retrieve", "pk": 1, "data": {"x": 1}}),
        400,
        [("unknown_field", ["payload", "data", "x"])],
        ("questions", "retrieve", None),
        id="retrieve-data-key",
    ),
    pytest.param(
        frame({"action": "list", "request_id": 1.5}),
        400,
        [("invalid", ["payload", "request_id"])],
        ("questions", "list", None),
        id="request-id-float",
    ),
    pytest.param(
        frame({"action": "list", "request_id": ["a"]}),
        400,
        [("invalid", ["payload", "request_id"])],
        ("questions", "list", None),
        id="request-id-array",
    ),
    pytest.param(
        frame(
            {
                "action": "list",
                "data": {
                    "page": 0,
                    "page_size": "10",
                    "search": {"a": 1},
                    "ordering": [1, {}],
                    "x": 1,
                },
            }
        ),
        400,
        [
            ("min_value", ["payload", "data", "page"]),
            ("invalid", ["payload", "data", "page_size"]),
            ("invalid", ["payload", "data", "search"]),
            ("invalid", ["payload", "data", "ordering"]),
            ("unknown_field", ["payload", "data", "x"]),
        ],
        ("questions", "list", None),
        id="list-params",
    ),
    pytest.param(
        frame({"action": "patch", "pk": False, "request_id": True, "data": 1, "extra": 1}),
        400,
        [
            ("invalid", ["payload", "request_id"]),
            ("invalid", ["payload", "pk"]),
            ("invalid", ["payload", "data"]),
            ("unknown_field", ["payload", "extra"]),
        ],
        ("questions", "patch", None),
        id="every-error-reported",
    ),
]


@pytest.mark.parametrize(("text", "status", "errors", "echo"), BAD_FRAMES)
def test_bad_frames(
    text: str, status: int, errors: list[tuple[str, list[Any]]], echo: tuple[Any, ...]
) -> None:
    with pytest.raises(FrameError) as caught:
        parse(text)
    exc = caught.value
    assert exc.status == status
    assert [(e["code"], e["path"]) for e in exc.errors] == errors
    assert all(e["message"] for e in exc.errors)
    assert (exc.stream, exc.action, exc.request_id) == echo


def test_frame_size_limit_counts_utf8_bytes() -> None:
    small = frame({"action": "create", "data": {"question_text": "é" * 40}})
    assert parse(small, max_bytes=len(small) + 40).spec.name == "create"
    with pytest.raises(FrameError) as caught:
        parse(small, max_bytes=len(small) + 39)
    assert caught.value.status == 413
    assert caught.value.errors[0]["code"] == "frame_too_large"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("text", "status", "errors", "echo"), BAD_FRAMES)
async def test_bad_frames_over_the_socket(
    client: APICommunicator,
    text: str,
    status: int,
    errors: list[tuple[str, list[Any]]],
    echo: tuple[Any, ...],
) -> None:
    reply = await client.send_raw(text)
    assert reply["type"] == "reply"
    payload = reply["payload"]
    assert (reply["stream"], payload["action"], payload["request_id"]) == echo
    assert payload["response_status"] == status
    assert payload["data"] is None
    assert [(e["code"], e["path"]) for e in payload["errors"]] == errors
    assert await client.receive_nothing()  # exactly one reply
    # The socket is still open and serving.
    ok = await client.request("questions", "list")
    assert ok["response_status"] == 200
    assert ok["data"]["count"] == 0  # nothing was written


@pytest.mark.django_db(transaction=True)
async def test_binary_frame(client: APICommunicator) -> None:
    await client.send_to(bytes_data=b'{"stream": "questions"}')
    reply = await client.receive_json_from()
    assert reply["payload"]["response_status"] == 400
    assert reply["payload"]["errors"][0]["code"] == "binary_frame"
    assert (await client.request("questions", "list"))["response_status"] == 200


@pytest.mark.django_db(transaction=True)
async def test_oversized_frame_is_not_parsed(client: APICommunicator) -> None:
    with override_settings(TYPEDWS={"MAX_FRAME_BYTES": 150}):
        reply = await client.send_raw(
            frame({"action": "create", "data": {"question_text": "x" * 150}})
        )
        ok = await client.request("questions", "create", data={"question_text": "small"})
    assert reply["payload"]["response_status"] == 413
    assert ok["response_status"] == 201
    assert await database_sync_to_async(Question.objects.count)() == 1
