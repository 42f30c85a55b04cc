"""The requests waiting for their reply, matched by ``request_id`` (as ``pending.ts`` does for
the TypeScript client).

A reply that could echo no ``request_id`` (a frame over the server's size limit) belongs to the
oldest request: the server answers one connection's frames in order. When the socket drops,
every waiting request fails with an exception of its own: it may have run on the server, so
it is never sent again.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from .errors import ConnectionLost
from .frames import Payload
from .protocol import REQUEST_ID

__all__ = ["PendingRequests"]


@dataclass
class _Pending:
    future: asyncio.Future[Payload]
    stream: str
    action: str


class PendingRequests:
    def __init__(self) -> None:
        self._waiting: dict[str, _Pending] = {}

    def add(self, request_id: str, stream: str, action: str) -> asyncio.Future[Payload]:
        """The future the reply to ``request_id`` resolves."""
        future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = _Pending(future, stream, action)
        return future

    def discard(self, request_id: str) -> None:
        self._waiting.pop(request_id, None)

    def resolve(self, payload: Payload) -> None:
        """Hand a reply's payload to the request it answers, if one waits for it."""
        request_id = payload.get(REQUEST_ID)
        pending = self._waiting.get(request_id) if isinstance(request_id, str) else None
        if pending is None and request_id is None and self._waiting:
            pending = next(iter(self._waiting.values()))
        if pending is not None and not pending.future.done():
            pending.future.set_result(payload)

    def fail_all(self, error: type[ConnectionLost], message: str) -> None:
        """Fail every request waiting for a reply, each with an exception of its own."""
        for request_id, pending in self._waiting.items():
            if not pending.future.done():
                pending.future.set_exception(
                    error(f"{pending.stream}.{pending.action} ({request_id}): {message}")
                )
        self._waiting.clear()
