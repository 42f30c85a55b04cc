"""A subscription: an async iterator of one ``subscribe``'s events, until it is unsubscribed.

The client routes each event frame to its subscription by ``(stream, payload.request_id)``;
the subscription turns the payload into the caller's type (the generated client passes its
pydantic model's validator) and queues it::

    async with await client.subscribe("questions", {"action": ["create", "update"]}) as events:
        async for event in events:
            ...

The iterator ends after ``unsubscribe()`` (the events received before its reply are still
delivered), when the client closes, or with the error that ended it (``ConnectionLost`` once
the reconnect policy gives up, a ``ResponseError`` if a resubscription was refused).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Generic, TypeVar

__all__ = ["Subscription"]

logger = logging.getLogger("typedws_codegen.client")

E = TypeVar("E")
Payload = dict[str, Any]


@dataclass(frozen=True)
class _End:
    error: BaseException | None


class Subscription(Generic[E]):
    """Events of one subscription; created by ``Client.subscribe``, not directly."""

    def __init__(
        self,
        stream: str,
        request_id: str,
        data: Payload,
        parse: Callable[[Payload], E],
        unsubscribe: Callable[[Subscription[Any], float | None], Awaitable[None]],
    ) -> None:
        self.stream = stream
        #: The subscribe frame's ``request_id``: the server's name for this subscription.
        self.request_id = request_id
        #: The subscribe frame's ``data``, resent as is after a reconnect.
        self.data = data
        self._parse = parse
        self._unsubscribe = unsubscribe
        self._queue: asyncio.Queue[E | _End] = asyncio.Queue()
        self._ended = False

    @property
    def active(self) -> bool:
        return not self._ended

    def __aiter__(self) -> Subscription[E]:
        return self

    async def __anext__(self) -> E:
        item = await self._queue.get()
        if isinstance(item, _End):
            # Put it back: every later call ends the same way.
            self._queue.put_nowait(item)
            if item.error is not None:
                raise item.error
            raise StopAsyncIteration
        return item

    async def unsubscribe(self, *, timeout: float | None = None) -> None:
        """Ask the server to stop this subscription; the iterator ends after its reply."""
        await self._unsubscribe(self, timeout)

    async def __aenter__(self) -> Subscription[E]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.active:
            await self.unsubscribe()

    def deliver(self, payload: Payload) -> None:
        """Queue one event payload (the client's reader calls this)."""
        if self._ended:
            return
        try:
            event = self._parse(payload)
        except ValueError:
            # A newer server may send an event this client cannot read (a new action, say):
            # skipping it keeps the subscription alive.
            logger.warning("Skipped an unreadable %s event: %r", self.stream, payload)
            return
        self._queue.put_nowait(event)

    def end(self, error: BaseException | None = None) -> None:
        """End the iterator after the events already queued, with ``error`` if given."""
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(_End(error))
