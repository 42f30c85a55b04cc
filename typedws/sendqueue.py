"""One connection's outgoing frames: queued without blocking, bounded, never dropped silently.

The ASGI server's ``send`` waits while the client's socket is not drained (uvicorn pauses on
its transport's high-water mark). Awaiting it in the consumer would stall the connection's
loop, and with it the channel layer's receiving: ``RedisChannelLayer`` then drops messages
over its per-channel ``capacity`` and ``RedisPubSubChannelLayer`` queues them without a bound.
So the consumer puts frames here (:meth:`SendQueue.put`, never waits) and one task per
connection hands them to the server in order. When the frames waiting exceed
``TYPEDWS["MAX_SEND_QUEUE_BYTES"]`` the client is too slow: the frames are dropped, the
connection is closed with :attr:`~typedws.protocol.CloseCode.SLOW_CONSUMER`, and the close is
logged and counted (:data:`counters`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any, Final

from .protocol import CloseCode
from .settings import typedws_settings

__all__ = ["SLOW_CONSUMERS", "SendQueue", "counters"]

logger = logging.getLogger("typedws")

SLOW_CONSUMERS: Final = "slow_consumers_closed"
counters: Counter[str] = Counter()
"""Process-wide counts: ``counters[SLOW_CONSUMERS]`` connections closed as slow consumers."""

Send = Callable[[dict[str, Any]], Awaitable[None]]


def _size(text: str) -> int:
    """UTF-8 length of ``text`` (frames are mostly ASCII: no copy for those)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class SendQueue:
    """Text frames for one socket, sent in order by :meth:`run`."""

    def __init__(self, send: Send, limit: int | None = None, name: str = "") -> None:
        self._send = send
        self.limit = typedws_settings.MAX_SEND_QUEUE_BYTES if limit is None else limit
        self.name = name
        self.queued = 0
        self.closed = False
        self._frames: deque[tuple[str, int]] = deque()
        self._ready = asyncio.Event()

    def put(self, text: str) -> None:
        """Queue a frame; over the limit, give the connection up as a slow consumer."""
        if self.closed:
            return
        size = _size(text)
        self.queued += size
        if self.queued > self.limit:
            self.give_up(
                f"{self.queued} bytes waiting to be sent, more than MAX_SEND_QUEUE_BYTES "
                f"({self.limit})"
            )
            return
        self._frames.append((text, size))
        self._ready.set()

    def give_up(self, reason: str) -> None:
        """Close the connection as a slow consumer (after the frames the server took)."""
        if self.closed:
            return
        counters[SLOW_CONSUMERS] += 1
        logger.warning(
            "typedws: closing %s as a slow consumer: %s", self.name or "a connection", reason
        )
        self.closed = True
        self._frames.clear()
        self.queued = 0
        self._ready.set()

    async def run(self) -> None:
        """Send the queued frames until the queue gives up; then close the socket."""
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                while self._frames and not self.closed:
                    text, size = self._frames[0]
                    await self._send({"type": "websocket.send", "text": text})
                    # Counted until the server took it: a frame in a paused send is still held.
                    if not self.closed:
                        self._frames.popleft()
                        self.queued -= size
                if self.closed:
                    await self._send({"type": "websocket.close", "code": CloseCode.SLOW_CONSUMER})
                    return
        except OSError:
            return  # the client went away (uvicorn's ClientDisconnected): nothing to send to
