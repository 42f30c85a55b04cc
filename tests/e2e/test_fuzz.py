"""The fuzz test: frames drawn from the AsyncAPI document the server itself serves, valid and
mutated (tests/fuzzing.py), sent over one real socket to a demo server of its own.

For every frame: exactly one reply, with its ``request_id`` where the server can read it, never
a ``500``; the socket is never closed; and at the end, no traceback in the server's log and the
server still running. ``TYPEDWS_FUZZ_FRAMES`` frames in all (``make test``: 1,000;
``make fuzz``: 100,000, see docs/protocol.md).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.wsclient import origin_of
from tests.fuzzing import ANY, FuzzFrame, fuzz_frames, request_schemas

pytestmark = pytest.mark.e2e

FRAMES = int(os.environ.get("TYPEDWS_FUZZ_FRAMES", "1000"))
BATCH = 50  # frames sent before the probe that closes a batch
MAX_FRAME_BYTES = 64 * 1024  # the demo's (the default)
REPLY_TIMEOUT = 30.0
REPLY_KEYS = {"action", "request_id", "response_status", "data", "errors"}


class Target:
    """The server under fuzz: one socket, and the count of frames sent."""

    def __init__(self, url: str, log: Path, socket: ClientConnection) -> None:
        self.url = url
        self.log = log
        self.socket = socket
        self.sent = 0
        self.batches = 0
        http = url.replace("ws://", "http://").replace("/ws/", "/typedws/asyncapi.json")
        with urllib.request.urlopen(http, timeout=REPLY_TIMEOUT) as response:
            self.schemas = request_schemas(json.load(response))

    def check(self, frames: list[FuzzFrame]) -> None:
        """Send a batch and a probe; exactly one reply per frame, in order, before the probe's."""
        self.batches += 1
        probe = f"probe-{self.batches}"
        for frame in frames:
            self.socket.send(frame.message)
        payload = {"action": "echo", "pk": 1, "request_id": probe}
        self.socket.send(json.dumps({"stream": "questions", "payload": payload}))
        replies = self._replies_until(probe)
        assert len(replies) == len(frames), [frame.kind for frame in frames]
        for frame, reply in zip(frames, replies, strict=True):
            _check_reply(frame, reply)
        self.sent += len(frames)

    def _replies_until(self, probe: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        while True:
            message = self.socket.recv(timeout=REPLY_TIMEOUT)
            assert isinstance(message, str), message
            frame = json.loads(message)
            if frame["type"] == "event":
                continue
            assert frame["type"] == "reply", frame
            if frame["payload"]["request_id"] == probe:
                assert frame["payload"]["response_status"] == 200, frame
                return replies
            replies.append(frame["payload"])


def _check_reply(frame: FuzzFrame, reply: dict[str, Any]) -> None:
    context = (frame.kind, frame.message[:300], reply)
    assert set(reply) == REPLY_KEYS, context
    assert reply["response_status"] != 500, context
    assert (reply["response_status"] >= 400) == bool(reply["errors"]), context
    if frame.request_id is ANY:
        assert reply["request_id"] in (None, _sent_id(frame)), context
    else:
        assert reply["request_id"] == frame.request_id, context


def _sent_id(frame: FuzzFrame) -> str | None:
    """The payload's request_id as sent: read as JSON where the text still is JSON (a data key
    may be called ``request_id`` too, as unsubscribe's is), else found in the text."""
    text = frame.message.decode() if isinstance(frame.message, bytes) else frame.message
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        payload = parsed.get("payload")
        request_id = payload.get("request_id") if isinstance(payload, dict) else None
        return request_id if isinstance(request_id, str) else None
    start = text.find('"request_id": "')
    if start < 0:
        return None
    start += len('"request_id": "')
    return text[start : text.index('"', start)]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    workdir = tmp_path_factory.mktemp("fuzz-server")
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}", DJANGO_DEBUG="0")
    run_manage(env, "migrate", "--noinput")
    process, url = start_server(env, workdir / "server.log")
    try:
        # No keepalive pings: their payload comes from the `random` module, in a thread of the
        # client, and hypothesis refuses global random state that changes while it draws.
        with connect(
            url, origin=Origin(origin_of(url)), max_size=None, ping_interval=None
        ) as socket:
            yield Target(url, workdir / "server.log", socket)
        assert process.poll() is None, "the server died"
    finally:
        stop(process)


def test_fuzzed_frames_each_get_one_reply_and_never_a_500(target: Target) -> None:
    # request_ids need only be unique within a batch (replies come in order): fixed ones keep
    # the strategy deterministic, as hypothesis requires.
    @st.composite
    def batch(draw: st.DrawFn) -> list[FuzzFrame]:
        return [
            draw(fuzz_frames(target.schemas, f"f{index:03d}", MAX_FRAME_BYTES))
            for index in range(BATCH)
        ]

    @settings(
        max_examples=max(1, FRAMES // BATCH),
        deadline=None,
        database=None,
        # The server's state changes with every frame: a failing batch would not fail the same
        # way twice, so shrinking it would only take minutes. The failure names the frame.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(frames=batch())
    def run(frames: list[FuzzFrame]) -> None:
        target.check(frames)

    run()
    assert target.sent >= FRAMES
    log = target.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-5000:]
