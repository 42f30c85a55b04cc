"""Quiet hours and slow readers on ``RedisChannelLayer``, against a real server process and a
``redis-server`` of the test's own.

- A subscribed socket idle for ``TYPEDWS_IDLE_SECONDS`` (12 by default: past redis-py's old 5 s
  read timeout; ``make soak`` runs it for 10 minutes) is still open and gets the next event,
  and the server never timed out reading Redis.
- A client that falls further behind than ``MAX_SEND_QUEUE_BYTES`` is closed with
  ``SLOW_CONSUMER`` (4008), after the frames its socket had already taken; the server logs it.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.redis_server import own_redis_server
from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.test_scaleout import database_url, postgres_url  # noqa: F401  # fixtures
from tests.e2e.wsclient import Client, connect_slow, open_client, unique

pytestmark = pytest.mark.e2e

IDLE_SECONDS = float(os.environ.get("TYPEDWS_IDLE_SECONDS", "12"))
SEND_QUEUE_BYTES = 256 * 1024
SLOW_CONSUMER = 4008
PAGE = 100
MAX_REQUESTS = 600


@dataclass
class Server:
    url: str
    log: Path


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Server]:  # noqa: F811
    workdir = tmp_path_factory.mktemp("quiet")
    with own_redis_server(workdir) as redis_server:
        env = server_env(
            database_url,
            "tests.e2e.scaleout.settings",
            REDIS_URL=redis_server.url,
            CHANNEL_LAYER="redis",
            CHANNEL_LAYER_PREFIX=f"typedws-quiet-{uuid.uuid4().hex[:8]}",
            DJANGO_DEBUG="0",
            TYPEDWS_MAX_SEND_QUEUE_BYTES=str(SEND_QUEUE_BYTES),
        )
        run_manage(env, "migrate", "--noinput")
        log = workdir / "server.log"
        process, url = start_server(env, log, "tests.e2e.scaleout.asgi:application")
        try:
            yield Server(url, log)
        finally:
            stop(process)


@pytest.fixture
async def writer(server: Server) -> AsyncIterator[Client]:
    async with open_client(server.url) as client:
        yield client


async def test_an_idle_subscribed_socket_stays_open(server: Server, writer: Client) -> None:
    async with open_client(server.url) as idle:
        await idle.subscribe("questions", ["create"], request_id="idle")
        await asyncio.sleep(IDLE_SECONDS)  # the idleness under test
        created = await writer.create_question(unique("after-idle"))
        event = await idle.receive_event()
        assert (event["pk"], event["request_id"]) == (created["id"], "idle")
    assert "Timeout reading" not in server.log.read_text()
    assert "channel layer failed" not in server.log.read_text()


async def _frames(connection: Any) -> tuple[list[dict[str, Any]], int | None]:
    """Every frame until the server closes (with its close code), or until a quiet second."""
    frames = []
    try:
        while True:
            frames.append(json.loads(await asyncio.wait_for(connection.recv(), 1)))
    except ConnectionClosed as closed:
        return frames, closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return frames, None


async def test_a_client_too_far_behind_is_closed_as_slow(server: Server, writer: Client) -> None:
    marker = unique("slow")
    for _ in range(PAGE):
        await writer.create_question(marker.ljust(200, "x"))
    request = {"action": "list", "data": {"search": marker, "page_size": PAGE}}
    async with connect_slow(server.url) as connection:
        # Requests (about 30 KB a reply), never reading, until the server gives up: the
        # kernel's socket buffers (up to tcp_wmem's 4 MiB here) fill first.
        sent = 0
        while "as a slow consumer" not in server.log.read_text() and sent < MAX_REQUESTS:
            for number in range(sent, sent + 20):
                payload = {**request, "request_id": number}
                await connection.send(json.dumps({"stream": "questions", "payload": payload}))
            sent += 20
        await _logged(server.log, "as a slow consumer")
        frames, code = await _frames(connection)
    assert code == SLOW_CONSUMER
    # The replies the socket had taken came first, in order; the rest were dropped.
    assert [f["payload"]["request_id"] for f in frames] == list(range(len(frames)))
    assert len(frames) < sent


async def _logged(log: Path, text: str, timeout: float = 120) -> None:
    """Wait until the server's log says ``text`` (the only sign a non-reading client has)."""
    async with asyncio.timeout(timeout):
        while text not in log.read_text():
            await asyncio.sleep(0.1)
