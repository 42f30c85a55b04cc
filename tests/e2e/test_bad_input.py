"""Frames that once got a 500, and frames built to cost the server the most, over a real socket.

Issue 14: every frame the contract accepts is handled (integers written `1.0` or `1e+308`),
numbers beyond a double's range are refused at parse time, a database refusing a value is a
400, an error reply is bounded whatever the frame, and one client's costly frames do not keep
another client waiting.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.costly import MAX_FRAME_BYTES, probe_while_costly, unknown_keys
from tests.e2e.wsclient import Client, Frame, unique

pytestmark = pytest.mark.e2e

KiB = 1024


def _frame(stream: str, action: str, data: str, request_id: str) -> str:
    """A request frame with ``data`` as raw JSON text (json.dumps cannot write ``1e999``)."""
    return (
        f'{{"stream": "{stream}", "payload": {{"action": "{action}", '
        f'"request_id": "{request_id}", "data": {data}}}}}'
    )


async def _reply(ws: Client, text: str, request_id: str | None) -> Frame:
    frame = await ws.send(text)
    assert frame["type"] == "reply", frame
    payload: Frame = frame["payload"]
    assert payload["request_id"] == request_id, frame
    return payload


def _codes_and_paths(payload: Frame) -> list[tuple[str, list[Any]]]:
    return [(error["code"], error["path"]) for error in payload["errors"]]


# --- The six 500s of issue 14, finding 3 --------------------------------------------------------


async def test_page_written_with_a_fraction_is_an_integer(ws: Client) -> None:
    marker = unique("page")
    await ws.create_question(marker)
    payload = await _reply(
        ws, _frame("questions", "list", f'{{"page": 1.0, "search": "{marker}"}}', "p"), "p"
    )
    assert payload["response_status"] == 200, payload
    assert (payload["data"]["page"], payload["data"]["count"]) == (1, 1)


async def test_page_with_an_exponent_is_an_integer_past_the_end(ws: Client) -> None:
    payload = await _reply(ws, _frame("questions", "list", '{"page": 1e+308}', "p"), "p")
    assert payload["response_status"] == 404, payload
    assert _codes_and_paths(payload) == [("not_found", ["payload", "data", "page"])]


async def test_page_size_written_with_a_fraction_is_an_integer(ws: Client) -> None:
    await ws.create_question(unique("page-size"))
    payload = await _reply(ws, _frame("questions", "list", '{"page_size": 1.0}', "s"), "s")
    assert payload["response_status"] == 200, payload
    assert payload["data"]["page_size"] == 1
    assert len(payload["data"]["results"]) == 1


async def test_an_infinite_filter_value_is_refused_at_parse_time(ws: Client) -> None:
    data = '{"action": "create", "filter": {"question": -1e999}}'
    payload = await _reply(ws, _frame("choices", "subscribe", data, "f"), "f")
    assert payload["response_status"] == 400, payload
    assert _codes_and_paths(payload) == [("parse_error", ["payload", "data", "filter", "question"])]


async def test_an_infinite_number_never_reaches_an_action(ws: Client) -> None:
    # The demo's `echo` returns its data: an infinity would have made a reply JSON cannot carry.
    data = '{"x": 1e999, "y": [1, 2E+400], "z": 1e308}'
    text = _frame("questions", "echo", data, "e").replace('"action"', '"pk": 1, "action"')
    payload = await _reply(ws, text, "e")
    assert payload["response_status"] == 400, payload
    assert _codes_and_paths(payload) == [
        ("parse_error", ["payload", "data", "x"]),
        ("parse_error", ["payload", "data", "y", 1]),
    ]


async def test_a_search_term_too_long_for_sqlite_is_a_400(ws: Client) -> None:
    await ws.create_question(unique("like"))  # SQLite checks the pattern only against a row
    term = "a" * 60_000  # over SQLite's LIKE pattern limit of 50,000 bytes
    payload = await _reply(ws, _frame("questions", "list", json.dumps({"search": term}), "l"), "l")
    assert payload["response_status"] == 400, payload
    assert _codes_and_paths(payload) == [("invalid", ["payload", "data"])]


# --- Bounded error replies and validation cost --------------------------------------------------


async def test_an_error_reply_lists_max_errors_items_and_how_many_were_left_out(
    ws: Client,
) -> None:
    text = unknown_keys(MAX_FRAME_BYTES)
    assert len(text) <= MAX_FRAME_BYTES
    frame = await ws.send(text)
    raw = json.dumps(frame)
    errors = frame["payload"]["errors"]
    assert frame["payload"]["response_status"] == 400
    assert len(errors) == 101
    assert errors[0] == {"code": "required", "message": "This field is required.",
                         "path": ["payload", "data", "question_text"]}  # fmt: skip
    assert {error["code"] for error in errors[1:100]} == {"unknown_field"}
    total = text.count(":0") + 1  # every key, and the missing question_text
    assert errors[100] == {
        "code": "too_many_errors",
        "message": f"{total - 100} more errors were left out ({total} in all).",
        "path": [],
    }
    assert len(raw) < len(text) / 4


async def test_costly_frames_get_small_replies_and_stall_no_one(live_server_url: str) -> None:
    """Every reply to the costly frames is small, and the other client is answered while they
    are read (frames over 8 KiB are read in a worker thread: ``tests/test_frames.py`` shows
    that without a clock; ``bench/stall.py`` measures how long the other client waits)."""
    replies, latencies = await probe_while_costly(live_server_url)
    assert [status for _, status in replies] == [413, 400, 400] * 3
    assert max(size for size, _ in replies) < 64 * KiB, replies
    assert len(latencies) >= 2, latencies  # the other client was served meanwhile
