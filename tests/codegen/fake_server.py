"""A scripted typedws peer on a real loopback socket, for the client runtime's unit tests.

It speaks only the wire protocol (docs/protocol.md): every frame it receives is queued for the
test to inspect, and ``respond`` (replaceable per test) decides the reply, if any. Tests drive
the cases a real server produces rarely: replies out of order, unknown frames, dropped
sockets, silence.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

__all__ = ["Frame", "Peer", "echo", "event", "reply", "running_peer"]

Frame = dict[str, Any]
# A test's await on the peer never hangs the suite.
WAIT = 10.0


def reply(frame: Frame, status: int = 200, data: Any = None, errors: Any = ()) -> Frame:
    """The reply to ``frame`` a typedws server would send."""
    payload = frame["payload"]
    return {
        "type": "reply",
        "stream": frame["stream"],
        "payload": {
            "action": payload["action"],
            "request_id": payload.get("request_id"),
            "response_status": status,
            "data": data,
            "errors": list(errors),
        },
    }


def event(stream: str, request_id: str, action: str, pk: int, data: Any) -> Frame:
    return {
        "type": "event",
        "stream": stream,
        "payload": {
            "action": action,
            "pk": pk,
            "data": data,
            "model": "polls.question",
            "request_id": request_id,
        },
    }


def echo(frame: Frame) -> Frame | None:
    """201 for subscribe, 200 with the request's data echoed otherwise."""
    payload = frame["payload"]
    if payload["action"] == "subscribe":
        return reply(frame, 201, {"request_id": payload["request_id"]})
    return reply(frame, 200, payload.get("data"))


class Peer:
    def __init__(self) -> None:
        self.respond: Callable[[Frame], Frame | None] = echo
        self.frames: asyncio.Queue[tuple[ServerConnection, Frame]] = asyncio.Queue()
        self.connections: asyncio.Queue[ServerConnection] = asyncio.Queue()
        self.url = ""

    async def handler(self, ws: ServerConnection) -> None:
        self.connections.put_nowait(ws)
        async for message in ws:
            frame = json.loads(message)
            self.frames.put_nowait((ws, frame))
            answer = self.respond(frame)
            if answer is not None:
                await ws.send(json.dumps(answer))

    async def next_frame(self) -> tuple[ServerConnection, Frame]:
        async with asyncio.timeout(WAIT):
            return await self.frames.get()

    async def next_connection(self) -> ServerConnection:
        async with asyncio.timeout(WAIT):
            return await self.connections.get()


@asynccontextmanager
async def running_peer() -> AsyncIterator[tuple[Peer, Any]]:
    """A peer serving on a free loopback port, and its websockets server (to stop it)."""
    peer = Peer()
    async with serve(peer.handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        peer.url = f"ws://127.0.0.1:{port}/ws/"
        yield peer, server
