"""Reading frames: every bad input gets one structured error, and the socket stays open."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from polls.models import Question
from typedws.errors import FrameError
from typedws.frames import THREAD_BYTES, parse_frame, read_frame
from typedws.schema.contract import Route
from typedws.testing import APICommunicator

MiB = 1024 * 1024


def routes() -> Mapping[str, Route]:
    from tests.api import api

    return api.contract.routes


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


CORPUS = Path(__file__).parent / "corpus" / "frames.json"


def corpus_text(case: dict[str, Any]) -> str:
    """A corpus case's frame as sent: raw ``text``, a repeated pattern, or a JSON ``frame``."""
    if "text" in case:
        return str(case["text"])
    if "text_repeat" in case:
        repeat = case["text_repeat"]
        return str(repeat["prefix"] * repeat["count"] + repeat["suffix"] * repeat["count"])
    return json.dumps(case["frame"], ensure_ascii=False)


def corpus(valid: bool) -> list[Any]:
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["name"]) for case in cases if case["valid"] is valid]


@pytest.mark.parametrize("case", corpus(valid=True))
def test_valid_corpus_frames(case: dict[str, Any]) -> None:
    request = parse(corpus_text(case))
    assert request.stream == case["frame"]["stream"]
    assert request.spec.name == case["frame"]["payload"]["action"]


@pytest.mark.parametrize("case", corpus(valid=False))
def test_invalid_corpus_frames(case: dict[str, Any]) -> None:
    with pytest.raises(FrameError) as caught:
        parse(corpus_text(case))
    exc = caught.value
    assert exc.status == case["status"]
    assert [{"code": e["code"], "path": e["path"]} for e in exc.errors] == case["errors"]
    assert all(e["message"] for e in exc.errors)
    assert {"stream": exc.stream, "action": exc.action, "request_id": exc.request_id} == case[
        "echo"
    ]


def test_frame_size_limit_counts_utf8_bytes() -> None:
    small = frame({"action": "create", "data": {"question_text": "é" * 40}})
    assert parse(small, max_bytes=len(small) + 40).spec.name == "create"
    with pytest.raises(FrameError) as caught:
        parse(small, max_bytes=len(small) + 39)
    assert caught.value.status == 413
    assert caught.value.errors[0]["code"] == "frame_too_large"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("case", corpus(valid=False))
async def test_invalid_corpus_frames_over_the_socket(
    client: APICommunicator, case: dict[str, Any]
) -> None:
    reply = await client.send_raw(corpus_text(case))
    assert reply["type"] == "reply"
    payload = reply["payload"]
    echo = case["echo"]
    assert (reply["stream"], payload["action"], payload["request_id"]) == (
        echo["stream"],
        echo["action"],
        echo["request_id"],
    )
    assert payload["response_status"] == case["status"]
    assert payload["data"] is None
    assert [{"code": e["code"], "path": e["path"]} for e in payload["errors"]] == case["errors"]
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


class _Witness(dict[str, Route]):
    """Plain routes that note which thread reads each frame (``parse_frame`` asks for
    ``get``)."""

    def __init__(self, routes: Mapping[str, Route]) -> None:
        super().__init__(routes)
        self.threads: list[int] = []

    def get(self, key: str, default: Any = None) -> Any:
        self.threads.append(threading.get_ident())
        return super().get(key, default)


@pytest.mark.parametrize(("extra", "off_loop"), [(0, False), (THREAD_BYTES, True)])
async def test_long_frames_are_read_off_the_event_loop(extra: int, off_loop: bool) -> None:
    """A frame over ``THREAD_BYTES`` is read in a worker thread, so that the event loop serves
    other connections meanwhile; a short one is read on the loop (no thread hop)."""
    witness = _Witness(routes())
    search = ["a" + "x" * extra]
    request = await read_frame(frame({"action": "list", "data": {"search": search}}), witness, MiB)
    assert request.data == {"search": search}
    assert len(witness.threads) == 1
    assert (witness.threads[0] != threading.get_ident()) is off_loop


async def test_frames_over_the_limit_are_refused_on_the_event_loop() -> None:
    """No thread is spent on a frame that is refused for its size alone."""
    witness = _Witness(routes())
    with pytest.raises(FrameError) as raised:
        await read_frame(frame({"action": "create", "data": "x" * MiB}), witness, MiB)
    assert raised.value.status == 413
    assert witness.threads == []
