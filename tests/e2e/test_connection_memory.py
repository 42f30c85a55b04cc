"""5,000 connections opened and closed against a real server process leave no per-connection
object behind (counted in the server after a full collection, ``GET /debug/live``).

Each connection subscribes, so its groups and channel are exercised too. Resident memory before
and after is printed (``-s``): with no object left, what stays is the allocator's retention.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.servers import run_manage, server_env, start_server, stop
from tests.e2e.wsclient import open_client

pytestmark = pytest.mark.e2e

CONNECTIONS = 5000
AT_ONCE = 250


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("memory")
    env = server_env(f"sqlite:///{workdir / 'db.sqlite3'}", DJANGO_DEBUG="0")
    run_manage(env, "migrate", "--noinput")
    process, url = start_server(env, workdir / "server.log", "tests.e2e.memory.asgi:application")
    try:
        yield url
    finally:
        stop(process)


def _live(url: str) -> dict[str, Any]:
    http = url.replace("ws://", "http://").replace("/ws/", "/debug/live")
    with urllib.request.urlopen(http, timeout=30) as response:
        found: dict[str, Any] = json.loads(response.read())
        return found


async def _one(url: str, number: int) -> None:
    async with open_client(url) as client:
        await client.subscribe("questions", ["create"], request_id=f"s{number}")


async def _round(url: str) -> dict[str, Any]:
    """Open and close :data:`CONNECTIONS` connections; the server's counts once it is done."""
    for start in range(0, CONNECTIONS, AT_ONCE):
        await asyncio.gather(*(_one(url, n) for n in range(start, start + AT_ONCE)))
    # The server finishes each disconnect after the client's close: ask until it has.
    async with asyncio.timeout(60):
        while True:
            after = await asyncio.to_thread(_live, url)
            if not any(after["objects"].values()):
                return after
            await asyncio.sleep(0.2)


async def test_closed_connections_leave_nothing_behind(server_url: str) -> None:
    await _one(server_url, 0)  # first use: lazily built things are not per connection
    before = await asyncio.to_thread(_live, server_url)
    first = await _round(server_url)
    assert first["objects"] == dict.fromkeys(before["objects"], 0)
    # Memory the allocator kept is reused: a second round grows far less than the first.
    second = await _round(server_url)
    grew = [first["rss_kib"] - before["rss_kib"], second["rss_kib"] - first["rss_kib"]]
    print(
        f"RSS {before['rss_kib']} KiB; after {CONNECTIONS} connections {first['rss_kib']} KiB; "
        f"after {CONNECTIONS} more {second['rss_kib']} KiB"
    )
    assert grew[1] < grew[0] / 2, grew
