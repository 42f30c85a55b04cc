"""Test helpers: talk to an API in-process, through Channels' ``WebsocketCommunicator``.

::

    async def test_create(api):
        async with connected(api.as_asgi()) as client:
            reply = await client.request("questions", "create", data={"question_text": "?"})
            assert reply["response_status"] == 201

    async def test_update_event(api):
        async with connected(api.as_asgi()) as client:
            await client.subscribe("questions", ["update"], request_id="s1")
            ...  # change a question
            event = (await client.receive_event())["payload"]
            assert (event["action"], event["request_id"]) == ("update", "s1")
            assert await client.receive_nothing()
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from channels.testing import WebsocketCommunicator

from .protocol import (
    DATA,
    EVENT,
    PAYLOAD,
    REPLY,
    REQUEST_ID,
    RESPONSE_STATUS,
    STREAM,
    SUBSCRIBE,
    TYPE,
    request,
)

__all__ = ["APICommunicator", "connected"]


class APICommunicator(WebsocketCommunicator):
    """A ``WebsocketCommunicator`` that speaks typedws frames.

    ``user`` is put in the scope as Channels' ``AuthMiddleware`` would.
    """

    def __init__(
        self,
        application: Any,
        path: str = "/ws/",
        *,
        user: Any = None,
        headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:
        super().__init__(application, path, headers=headers)
        if user is not None:
            self.scope["user"] = user  # type: ignore[typeddict-unknown-key]
        self._ids = itertools.count(1)

    async def request(
        self,
        stream: str,
        action: str,
        *,
        data: Any = None,
        request_id: str | int | None = None,
        timeout: float = 3,
        **payload: Any,
    ) -> dict[str, Any]:
        """Send one request and return its reply's payload (checked to be the reply)."""
        request_id = request_id if request_id is not None else f"test-{next(self._ids)}"
        await self.send_json_to(request(stream, action, request_id, data, **payload))
        return await self.receive_reply(stream, request_id, timeout=timeout)

    async def subscribe(
        self, stream: str, actions: str | list[str], *, request_id: str | int, **data: Any
    ) -> dict[str, Any]:
        """Subscribe (``data`` may hold ``pk`` and ``filter``); return the acknowledgement's
        data, checked to be a ``201``."""
        data = {"action": actions, **data}
        reply = await self.request(stream, SUBSCRIBE, data=data, request_id=request_id)
        if reply[RESPONSE_STATUS] != 201:
            raise AssertionError(f"the subscription was refused: {reply!r}")
        acknowledged: dict[str, Any] = reply[DATA]
        return acknowledged

    async def receive_event(self, timeout: float = 3) -> dict[str, Any]:
        """The next frame, checked to be an event frame (``type``, ``stream``, ``payload``)."""
        frame: dict[str, Any] = await self.receive_json_from(timeout)
        if frame.get(TYPE) != EVENT:
            raise AssertionError(f"expected an event, got {frame!r}")
        return frame

    async def send_raw(self, text: str, timeout: float = 3) -> dict[str, Any]:
        """Send any text (even an empty frame) and return the whole reply frame."""
        await self.send_input({"type": "websocket.receive", "text": text})
        frame: dict[str, Any] = await self.receive_json_from(timeout)
        return frame

    async def receive_reply(
        self, stream: str, request_id: str | int, timeout: float = 3
    ) -> dict[str, Any]:
        frame = await self.receive_json_from(timeout)
        if frame.get(TYPE) != REPLY or frame.get(STREAM) != stream:
            raise AssertionError(f"expected a reply on {stream!r}, got {frame!r}")
        payload: dict[str, Any] = frame[PAYLOAD]
        if payload.get(REQUEST_ID) != request_id:
            raise AssertionError(f"expected the reply to {request_id!r}, got {frame!r}")
        return payload


@asynccontextmanager
async def connected(
    application: Any, path: str = "/ws/", **kwargs: Any
) -> AsyncIterator[APICommunicator]:
    """An :class:`APICommunicator`, connected, and disconnected on exit."""
    communicator = APICommunicator(application, path, **kwargs)
    accepted, _ = await communicator.connect()
    if not accepted:
        raise AssertionError(f"the connection to {path} was refused")
    try:
        yield communicator
    finally:
        await communicator.disconnect()
