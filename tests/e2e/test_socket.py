"""The demo API over a real socket: uvicorn in a subprocess, the ``websockets`` client here.

Every test opens its own connection and creates its own rows (found again by a unique marker in
``question_text``), so the tests do not depend on each other or on their order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Origin

from tests.e2e.wsclient import Client, Frame, open_client, origin_of, unique

pytestmark = pytest.mark.e2e

# The demo's TYPEDWS["MAX_FRAME_BYTES"] (the default).
MAX_FRAME_BYTES = 64 * 1024
REPLY_KEYS = {"action", "request_id", "response_status", "data", "errors"}
MISSING_PK = 10**12
ABSENT = object()

Path = list[str | int]

# The seed README's request, character for character as it shows it.
SEED_CREATE = (
    '{"stream": "questions", "payload": {"action": "create", "data": '
    '{"question_text": "What is your favorite python package?"}, "request_id": "some-guid"}}'
)


def _error_keys(payload: Frame) -> list[tuple[str, Path]]:
    """``(code, path)`` of each error, checking every item has exactly the documented shape."""
    for error in payload["errors"]:
        assert set(error) == {"code", "message", "path"}, error
        assert isinstance(error["message"], str), error
        assert error["message"], error
    return [(error["code"], error["path"]) for error in payload["errors"]]


def _assert_error(payload: Frame, status: int, errors: list[tuple[str, Path]]) -> None:
    assert payload["response_status"] == status, payload
    assert payload["data"] is None, payload
    assert _error_keys(payload) == errors


# --- The seed's frames ------------------------------------------------------------------------


async def test_seed_readme_create_frame(ws: Client) -> None:
    frame = await ws.send(SEED_CREATE)

    data = frame["payload"]["data"]
    assert frame == {
        "type": "reply",
        "stream": "questions",
        "payload": {
            "action": "create",
            "request_id": "some-guid",
            "response_status": 201,
            "data": {
                "id": data["id"],
                "question_text": "What is your favorite python package?",
                "pub_date": data["pub_date"],
            },
            "errors": [],
        },
    }
    assert isinstance(data["id"], int)
    assert datetime.fromisoformat(data["pub_date"]).tzinfo is not None
    assert await ws.ok("questions", "retrieve", pk=data["id"]) == data


@pytest.mark.parametrize(
    "request_id",
    [
        pytest.param("some-guid", id="string"),
        pytest.param("", id="empty-string"),
        pytest.param(42, id="integer"),
        pytest.param(0, id="zero"),
        pytest.param(ABSENT, id="absent-echoed-as-null"),
    ],
)
async def test_request_id_is_echoed_verbatim(ws: Client, request_id: Any) -> None:
    payload: Frame = {"action": "list", "data": {"page_size": 1}}
    if request_id is not ABSENT:
        payload["request_id"] = request_id

    frame = await ws.send_json({"stream": "questions", "payload": payload})

    assert frame["type"] == "reply"
    assert frame["payload"]["response_status"] == 200
    assert frame["payload"]["request_id"] == (None if request_id is ABSENT else request_id)
    assert set(frame["payload"]) == REPLY_KEYS


# --- Built-in actions -------------------------------------------------------------------------


async def test_create_then_retrieve(ws: Client) -> None:
    marker = unique()
    created = await ws.create_question(marker)

    assert set(created) == {"id", "question_text", "pub_date"}
    assert created["question_text"] == marker
    assert await ws.ok("questions", "retrieve", pk=created["id"]) == created
    # dcrf-client sends the pk as it got it, and an empty ``data`` with retrieve.
    assert await ws.ok("questions", "retrieve", pk=str(created["id"]), data={}) == created


async def test_update_replaces_the_given_fields(ws: Client) -> None:
    created = await ws.create_question(unique())
    text = unique("updated")

    updated = await ws.ok("questions", "update", pk=created["id"], data={"question_text": text})

    assert updated == {**created, "question_text": text}
    assert await ws.ok("questions", "retrieve", pk=created["id"]) == updated


async def test_patch_changes_only_the_given_fields(ws: Client) -> None:
    created = await ws.create_question(unique())

    patched = await ws.ok(
        "questions", "patch", pk=created["id"], data={"pub_date": "2020-01-02T03:04:05Z"}
    )

    assert patched == {**created, "pub_date": "2020-01-02T03:04:05Z"}
    assert await ws.ok("questions", "retrieve", pk=created["id"]) == patched


async def test_delete_then_retrieve_is_404(ws: Client) -> None:
    marker = unique()
    created = await ws.create_question(marker)

    deleted = await ws.request("questions", "delete", pk=created["id"])
    assert deleted["response_status"] == 204
    assert deleted["data"] is None
    assert deleted["errors"] == []

    missing = await ws.request("questions", "retrieve", pk=created["id"])
    _assert_error(missing, 404, [("not_found", [])])
    assert missing["errors"][0]["message"] == "No Question matches the given query."
    assert await ws.count(search=marker) == 0


@pytest.mark.parametrize(
    ("action", "data"),
    [
        pytest.param("retrieve", None, id="retrieve"),
        pytest.param("update", {"question_text": "never"}, id="update"),
        pytest.param("patch", {"question_text": "never"}, id="patch"),
        pytest.param("delete", None, id="delete"),
        pytest.param("echo", None, id="async-custom-action-does-not-look-up"),
    ],
)
async def test_detail_action_on_a_missing_object(ws: Client, action: str, data: Any) -> None:
    payload = {"pk": MISSING_PK} if data is None else {"pk": MISSING_PK, "data": data}
    reply = await ws.request("questions", action, **payload)

    if action == "echo":  # echo never calls get_object(): it answers for any pk
        assert reply["response_status"] == 200
        assert reply["data"] == {"pk": MISSING_PK, "data": {}}
    else:
        _assert_error(reply, 404, [("not_found", [])])


# --- list: pagination, search, ordering, filters ----------------------------------------------


async def test_list_is_paginated(ws: Client) -> None:
    marker = unique()
    ids = [(await ws.create_question(f"{marker} {n}"))["id"] for n in range(5)]

    first = await ws.ok("questions", "list", data={"search": marker, "page_size": 2})
    last = await ws.ok("questions", "list", data={"search": marker, "page_size": 2, "page": 3})

    assert {key: value for key, value in first.items() if key != "results"} == {
        "count": 5,
        "page": 1,
        "page_size": 2,
        "num_pages": 3,
        "next_page": 2,
        "previous_page": None,
    }
    assert [row["id"] for row in first["results"]] == ids[:2]
    assert (last["page"], last["next_page"], last["previous_page"]) == (3, None, 2)
    assert [row["id"] for row in last["results"]] == ids[4:]


@pytest.mark.parametrize(
    ("page_size", "expected"),
    [
        pytest.param(ABSENT, 25, id="default-from-settings"),
        pytest.param(7, 7, id="as-asked"),
        pytest.param(1000, 100, id="capped-at-max"),
    ],
)
async def test_list_page_size(ws: Client, page_size: Any, expected: int) -> None:
    data: Frame = {"search": unique()}
    if page_size is not ABSENT:
        data["page_size"] = page_size

    listed = await ws.ok("questions", "list", data=data)

    assert listed["page_size"] == expected
    assert (listed["count"], listed["results"], listed["num_pages"]) == (0, [], 1)


async def test_list_page_past_the_end_is_404(ws: Client) -> None:
    marker = unique()
    await ws.create_question(marker)

    reply = await ws.request("questions", "list", data={"search": marker, "page": 2})

    _assert_error(reply, 404, [("not_found", ["payload", "data", "page"])])


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        pytest.param(ABSENT, ["b", "a", "c"], id="default-by-id"),
        pytest.param("id", ["b", "a", "c"], id="id"),
        pytest.param("-id", ["c", "a", "b"], id="minus-id"),
        pytest.param("question_text", ["a", "b", "c"], id="question_text"),
        pytest.param("-question_text", ["c", "b", "a"], id="minus-question_text"),
    ],
)
async def test_list_search_and_ordering(ws: Client, ordering: Any, expected: list[str]) -> None:
    marker = unique()
    for suffix in ("b", "a", "c"):
        await ws.create_question(f"{marker} {suffix}")
    await ws.create_question(unique("other"))
    data: Frame = {"search": marker}
    if ordering is not ABSENT:
        data["ordering"] = ordering

    listed = await ws.ok("questions", "list", data=data)

    assert listed["count"] == 3
    assert [row["question_text"] for row in listed["results"]] == [
        f"{marker} {suffix}" for suffix in expected
    ]


async def test_list_filter_backend_field(ws: Client) -> None:
    marker = unique()
    await ws.create_question(f"{marker} now")
    old = await ws.create_question(f"{marker} old", pub_date="2001-02-03T04:05:06Z")

    listed = await ws.ok(
        "questions", "list", data={"search": marker, "pub_date": "2001-02-03T04:05:06Z"}
    )

    assert listed["results"] == [old]


# --- Custom actions ---------------------------------------------------------------------------


async def test_custom_action_unanswered(ws: Client) -> None:
    unanswered = await ws.create_question(unique())
    answered = await ws.create_question(unique())
    await ws.ok(
        "choices", "create", 201, data={"question": answered["id"], "choice_text": "Django"}
    )

    reply = await ws.request("questions", "unanswered")

    assert reply["response_status"] == 200
    assert reply["errors"] == []
    ids = [row["id"] for row in reply["data"]]
    assert unanswered["id"] in ids
    assert answered["id"] not in ids
    assert next(row for row in reply["data"] if row["id"] == unanswered["id"]) == unanswered


@pytest.mark.parametrize(
    ("pk", "data", "expected_data"),
    [
        pytest.param(7, {"a": [1, 2], "b": None}, {"a": [1, 2], "b": None}, id="int-pk-with-data"),
        pytest.param("seven", {"x": "é"}, {"x": "é"}, id="str-pk-kept-as-str"),
        pytest.param(8, ABSENT, {}, id="no-data"),
    ],
)
async def test_async_custom_action_echo(
    ws: Client, pk: int | str, data: Any, expected_data: Any
) -> None:
    payload: Frame = {"pk": pk}
    if data is not ABSENT:
        payload["data"] = data

    assert await ws.ok("questions", "echo", **payload) == {"pk": pk, "data": expected_data}


async def test_drf_action_vote_on_a_ported_viewset(ws: Client) -> None:
    question = await ws.create_question(unique())
    choice = await ws.ok(
        "choices", "create", 201, data={"question": question["id"], "choice_text": "Django"}
    )
    assert choice == {
        "id": choice["id"],
        "question": question["id"],
        "choice_text": "Django",
        "votes": 0,
    }

    first = await ws.ok("choices", "vote", pk=choice["id"])
    second = await ws.ok("choices", "vote", pk=choice["id"])

    assert (first["votes"], second["votes"]) == (1, 2)
    assert await ws.ok("choices", "retrieve", pk=choice["id"]) == {**choice, "votes": 2}
    missing = await ws.request("choices", "vote", pk=MISSING_PK)
    _assert_error(missing, 404, [("not_found", [])])


# --- Validation errors: 400, structured, nothing written --------------------------------------


@dataclass(frozen=True)
class Invalid:
    id: str
    stream: str
    data: Callable[[str], Frame]
    errors: list[tuple[str, Path]]


INVALID_DATA = [
    Invalid(
        "question_text-over-200-chars",
        "questions",
        lambda marker: {"question_text": marker + "x" * (201 - len(marker))},
        [("max_length", ["payload", "data", "question_text"])],
    ),
    Invalid(
        "question_text-missing",
        "questions",
        lambda marker: {"pub_date": "2020-01-01T00:00:00Z"},
        [("required", ["payload", "data", "question_text"])],
    ),
    Invalid(
        "two-bad-fields-both-reported",
        "questions",
        lambda marker: {"question_text": [marker], "pub_date": 20200101},
        [
            ("invalid", ["payload", "data", "question_text"]),
            ("invalid", ["payload", "data", "pub_date"]),
        ],
    ),
    Invalid(
        "question_text-with-a-nul-character",
        "questions",
        lambda marker: {"question_text": f"{marker}\x00"},
        [("null_characters_not_allowed", ["payload", "data", "question_text"])],
    ),
    Invalid(
        "choice-of-a-missing-question",
        "choices",
        lambda marker: {"question": MISSING_PK, "choice_text": marker},
        [("does_not_exist", ["payload", "data", "question"])],
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in INVALID_DATA])
async def test_create_with_invalid_data_is_400(ws: Client, case: Invalid) -> None:
    marker = unique()
    before = await ws.count(case.stream)

    reply = await ws.request(case.stream, "create", data=case.data(marker))

    _assert_error(reply, 400, case.errors)
    assert await ws.count(case.stream) == before


async def test_max_length_error_is_reported_as_drf_words_it(ws: Client) -> None:
    reply = await ws.request("questions", "create", data={"question_text": "x" * 201})

    assert reply["errors"] == [
        {
            "code": "max_length",
            "message": "Ensure this field has no more than 200 characters.",
            "path": ["payload", "data", "question_text"],
        }
    ]


async def test_update_with_invalid_data_changes_nothing(ws: Client) -> None:
    created = await ws.create_question(unique())

    reply = await ws.request(
        "questions", "update", pk=created["id"], data={"question_text": "x" * 201}
    )

    _assert_error(reply, 400, [("max_length", ["payload", "data", "question_text"])])
    assert await ws.ok("questions", "retrieve", pk=created["id"]) == created


# --- Bad input: one structured error reply, the socket stays open, nothing written ------------


def _create_frame(marker: str) -> Frame:
    """The request every bad input below mangles: it would create a row named ``marker``."""
    return {
        "stream": "questions",
        "payload": {"action": "create", "request_id": "bad", "data": {"question_text": marker}},
    }


def _with(**changes: Any) -> Callable[[str], str]:
    """The create frame with top-level keys replaced (``ABSENT`` removes one)."""

    def build(marker: str) -> str:
        frame = _create_frame(marker)
        frame.update(changes)
        return json.dumps({key: value for key, value in frame.items() if value is not ABSENT})

    return build


def _with_payload(**changes: Any) -> Callable[[str], str]:
    """The create frame with payload keys replaced (``ABSENT`` removes one); ``pk`` and
    ``data`` may be given as functions of the marker."""

    def build(marker: str) -> str:
        frame = _create_frame(marker)
        payload = frame["payload"]
        for key, value in changes.items():
            payload[key] = value(marker) if callable(value) else value
        frame["payload"] = {key: value for key, value in payload.items() if value is not ABSENT}
        return json.dumps(frame)

    return build


def _update_with_pk(pk: Any) -> Callable[[str], str]:
    return _with_payload(action="update", pk=pk)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _deep_inside_data(marker: str) -> str:
    """The create frame with 10000 nested arrays inside ``data`` (built as text: ``json.dumps``
    itself stops at Python's recursion limit)."""
    data = json.dumps({"question_text": marker})[:-1] + f', "extra": {_deep(10_000)}}}'
    return f'{{"stream": "questions", "payload": {{"action": "create", "data": {data}}}}}'


@dataclass(frozen=True)
class BadInput:
    id: str
    build: Callable[[str], str | bytes]
    status: int
    errors: list[tuple[str, Path]]
    # What the reply echoes of the frame.
    stream: str | None = None
    action: str | None = None
    request_id: str | None = None
    message: str | None = None


ECHO_ALL = {"stream": "questions", "action": "create", "request_id": "bad"}
ECHO_UPDATE = {**ECHO_ALL, "action": "update"}
PK: Path = ["payload", "pk"]
DATA: Path = ["payload", "data"]
REQUEST_ID: Path = ["payload", "request_id"]
ACTION: Path = ["payload", "action"]

BAD_INPUTS = [
    # Not a JSON object at all.
    BadInput(
        "text-not-json", lambda m: json.dumps(_create_frame(m))[:-1], 400, [("parse_error", [])]
    ),
    BadInput("empty-text-frame", lambda m: "", 400, [("parse_error", [])]),
    BadInput(
        "nan-is-not-json",
        lambda m: json.dumps(_create_frame(m)).replace('"bad"', "NaN"),
        400,
        [("parse_error", [])],
    ),
    BadInput(
        "json-array",
        lambda m: f"[{json.dumps(_create_frame(m))}]",
        400,
        [("invalid", [])],
        message="A frame must be a JSON object, not an array.",
    ),
    BadInput(
        "json-string-double-encoded",
        lambda m: json.dumps(json.dumps(_create_frame(m))),
        400,
        [("invalid", [])],
    ),
    BadInput("json-null", lambda m: "null", 400, [("invalid", [])]),
    BadInput(
        "binary-frame",
        lambda m: json.dumps(_create_frame(m)).encode(),
        400,
        [("binary_frame", [])],
    ),
    BadInput(
        "nested-10000-levels",
        lambda m: _deep(10_000),
        400,
        [("parse_error", [])],
    ),
    BadInput("nested-10000-levels-inside-data", _deep_inside_data, 400, [("parse_error", [])]),
    BadInput(
        "frame-over-64-KiB",
        _with_payload(data=lambda m: {"question_text": m + "x" * MAX_FRAME_BYTES}),
        413,
        [("frame_too_large", [])],
        message="Frames are limited to 65536 bytes.",
    ),
    BadInput(
        "frame-over-64-KiB-of-utf8-under-64-Ki-chars",
        _with_payload(data=lambda m: {"question_text": m + "é" * (MAX_FRAME_BYTES // 2 + 1)}),
        413,
        [("frame_too_large", [])],
    ),
    # The envelope.
    BadInput(
        "no-stream",
        _with(stream=ABSENT),
        400,
        [("required", ["stream"])],
        action="create",
        request_id="bad",
    ),
    BadInput(
        "stream-not-a-string",
        _with(stream=["questions"]),
        400,
        [("invalid", ["stream"])],
        action="create",
        request_id="bad",
    ),
    BadInput(
        "unknown-stream",
        _with(stream="answers"),
        404,
        [("unknown_stream", ["stream"])],
        stream="answers",
        action="create",
        request_id="bad",
        message="Unknown stream 'answers'.",
    ),
    BadInput(
        "unknown-top-level-key",
        _with(data={"question_text": "top-level data"}),
        400,
        [("unknown_field", ["data"])],
        **ECHO_ALL,
    ),
    BadInput(
        "no-payload",
        _with(payload=ABSENT),
        400,
        [("required", ["payload"])],
        stream="questions",
    ),
    BadInput(
        "payload-an-array",
        lambda m: json.dumps({"stream": "questions", "payload": [_create_frame(m)["payload"]]}),
        400,
        [("invalid", ["payload"])],
        stream="questions",
    ),
    BadInput(
        "payload-a-string",
        lambda m: json.dumps({"stream": "questions", "payload": json.dumps(_create_frame(m))}),
        400,
        [("invalid", ["payload"])],
        stream="questions",
    ),
    # The action.
    BadInput(
        "no-action",
        _with_payload(action=ABSENT),
        400,
        [("required", ACTION)],
        stream="questions",
        request_id="bad",
    ),
    BadInput(
        "action-not-a-string",
        _with_payload(action=["create"]),
        400,
        [("invalid", ACTION)],
        stream="questions",
        request_id="bad",
    ),
    BadInput(
        "unknown-action",
        _with_payload(action="creat"),
        405,
        [("action_not_allowed", ACTION)],
        stream="questions",
        action="creat",
        request_id="bad",
    ),
    BadInput(
        "action-of-another-stream",
        _with_payload(action="vote"),
        405,
        [("action_not_allowed", ACTION)],
        stream="questions",
        action="vote",
        request_id="bad",
    ),
    BadInput(
        "subscribe-to-an-unknown-event-action",
        _with_payload(action="subscribe", data={"action": "upsert", "filter": {"x": 1}}),
        400,
        [("invalid", [*DATA, "action"]), ("unknown_field", [*DATA, "filter", "x"])],
        stream="questions",
        action="subscribe",
        request_id="bad",
    ),
    BadInput(
        "subscribe-on-an-unsubscribable-filter-field",
        _with_payload(action="subscribe", data={"action": "create", "filter": {"id": 1}}),
        400,
        [("unknown_field", [*DATA, "filter", "id"])],
        stream="questions",
        action="subscribe",
        request_id="bad",
    ),
    # The payload's keys.
    BadInput(
        "pk-on-a-list-action",
        _with_payload(pk=1),
        400,
        [("unknown_field", PK)],
        **ECHO_ALL,
    ),
    BadInput("pk-missing", _update_with_pk(ABSENT), 400, [("required", PK)], **ECHO_UPDATE),
    BadInput("pk-null", _update_with_pk(None), 400, [("invalid", PK)], **ECHO_UPDATE),
    BadInput("pk-object", _update_with_pk({"id": 1}), 400, [("invalid", PK)], **ECHO_UPDATE),
    BadInput("pk-array", _update_with_pk([1]), 400, [("invalid", PK)], **ECHO_UPDATE),
    BadInput("pk-boolean", _update_with_pk(True), 400, [("invalid", PK)], **ECHO_UPDATE),
    BadInput("pk-float", _update_with_pk(1.5), 400, [("invalid", PK)], **ECHO_UPDATE),
    BadInput(
        "data-an-array",
        _with_payload(data=lambda m: [{"question_text": m}]),
        400,
        [("invalid", DATA)],
        **ECHO_ALL,
    ),
    BadInput(
        "data-a-string",
        _with_payload(data=lambda m: json.dumps({"question_text": m})),
        400,
        [("invalid", DATA)],
        **ECHO_ALL,
    ),
    BadInput("data-a-number", _with_payload(data=1), 400, [("invalid", DATA)], **ECHO_ALL),
    BadInput(
        "request-id-an-array",
        _with_payload(request_id=["bad"]),
        400,
        [("invalid", REQUEST_ID)],
        stream="questions",
        action="create",
    ),
    BadInput(
        "request-id-an-object",
        _with_payload(request_id={"id": "bad"}),
        400,
        [("invalid", REQUEST_ID)],
        stream="questions",
        action="create",
    ),
    BadInput(
        "request-id-a-boolean",
        _with_payload(request_id=True),
        400,
        [("invalid", REQUEST_ID)],
        stream="questions",
        action="create",
    ),
    BadInput(
        "request-id-a-float",
        _with_payload(request_id=1.5),
        400,
        [("invalid", REQUEST_ID)],
        stream="questions",
        action="create",
    ),
    BadInput(
        "several-payload-errors-reported-together",
        _with_payload(pk=1, request_id=[1], data=lambda m: [m]),
        400,
        [("invalid", REQUEST_ID), ("invalid", DATA), ("unknown_field", PK)],
        stream="questions",
        action="create",
    ),
]


@pytest.mark.parametrize("case", [pytest.param(case, id=case.id) for case in BAD_INPUTS])
async def test_bad_input_gets_one_error_reply_and_the_socket_stays_open(
    ws: Client, case: BadInput
) -> None:
    marker = unique("bad")
    rows_before = await ws.count()

    frame = await ws.send(case.build(marker))

    assert set(frame) == {"type", "stream", "payload"}, frame
    assert (frame["type"], frame["stream"]) == ("reply", case.stream)
    payload = frame["payload"]
    assert set(payload) == REPLY_KEYS
    assert (payload["action"], payload["request_id"]) == (case.action, case.request_id)
    _assert_error(payload, case.status, case.errors)
    if case.message is not None:
        assert payload["errors"][0]["message"] == case.message
    # The same socket answers the next request, and its reply is the very next frame: the bad
    # input got exactly one reply. Nothing was written.
    assert await ws.count(search=marker) == 0
    assert await ws.count() == rows_before


async def test_socket_survives_every_bad_input_in_a_row(ws: Client) -> None:
    marker = unique("bad")
    for case in BAD_INPUTS:
        frame = await ws.send(case.build(marker))
        assert frame["payload"]["response_status"] == case.status, (case.id, frame)

    created = await ws.create_question(marker)
    assert await ws.count(search=marker) == 1
    assert created["question_text"] == marker


# --- One socket, many requests ----------------------------------------------------------------


async def test_pipelined_requests_get_their_replies_in_order(ws: Client) -> None:
    marker = unique()
    texts = [f"{marker} {n}" for n in range(10)]
    for n, text in enumerate(texts):
        request = {"action": "create", "request_id": n, "data": {"question_text": text}}
        await ws.connection.send(json.dumps({"stream": "questions", "payload": request}))

    replies = [(await ws.receive())["payload"] for _ in texts]

    assert [reply["request_id"] for reply in replies] == list(range(10))
    assert [reply["data"]["question_text"] for reply in replies] == texts
    assert await ws.count(search=marker) == 10


async def test_connections_are_independent(live_server_url: str) -> None:
    marker = unique()
    async with open_client(live_server_url) as first, open_client(live_server_url) as second:
        created = await first.create_question(marker)
        await first.send("not json")
        assert await second.ok("questions", "retrieve", pk=created["id"]) == created
        assert await first.count(search=marker) == 1


# --- The handshake ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        pytest.param("same", True, id="same-origin"),
        pytest.param("http://localhost:{port}", True, id="allowed-host-alias"),
        pytest.param("http://localhost:1", False, id="allowed-host-other-port"),
        pytest.param("http://evil.example", False, id="foreign-origin"),
        pytest.param(None, True, id="no-origin"),
    ],
)
async def test_handshake_origin(live_server_url: str, origin: str | None, accepted: bool) -> None:
    """``demo/asgi.py`` wraps the socket in ``typedws.security.OriginValidator``: a foreign
    page is refused, a client that sends no ``Origin`` (not a browser) is served."""
    port = live_server_url.rsplit(":", 1)[1].split("/")[0]
    header = origin_of(live_server_url) if origin == "same" else origin
    header = header.format(port=port) if header else None

    if accepted:
        async with open_client(
            live_server_url, origin=Origin(header) if header else None
        ) as client:
            assert (await client.ok("questions", "list"))["page"] == 1
    else:
        with pytest.raises(InvalidStatus) as refused:
            async with connect(live_server_url, origin=Origin(header) if header else None):
                pass
        assert refused.value.response.status_code == 403
