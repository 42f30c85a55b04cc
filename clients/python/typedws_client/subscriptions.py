"""A subscription: an async iterator of one ``subscribe``'s events, until it is unsubscribed.

The client routes each event frame to its subscription by ``(stream, payload.request_id)``;
the subscription turns the payload into the caller's type (the generated client passes its
pydantic model's validator) and queues it. ``Client.subscribe`` returns a :class:`Subscribing`:
iterate it directly (it subscribes on the first step), or await it for the acknowledged
:class:`Subscription`::

    async for event in client.subscribe("questions", {"action": ["create", "update"]}):
        ...

    subscription = await client.subscribe("questions", {"action": "update", "pk": 1})
    async with subscription:  # leaving it unsubscribes
        async for event in subscription:
            ...

Each subscription keeps its :attr:`~Subscription.position` (the last ``{epoch, seq}`` seen):
after a reconnection it resubscribes with ``since`` and the server replays what it missed;
events seen already are dropped; events the server could not replay are reported as a
:class:`~typedws_client.reconnect.Gap` to ``on_connection_event`` and counted in
:attr:`~Subscription.gaps` (refetch then).

The iterator ends after ``unsubscribe()`` (the events received before its reply are still
delivered), when the client closes, or with the error that ended it (``ConnectionLost`` once
the reconnect policy gives up, a ``ResponseError`` if a resubscription was refused).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .frames import Payload
from .positions import Position

__all__ = ["Subscribing", "Subscription"]

logger = logging.getLogger("typedws_client")

E = TypeVar("E")


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
        #: The last position seen (the acknowledgement's, then each event's); None from a
        #: server that sends no positions.
        self.position: Position | None = None
        #: Whether the last ``since`` resumed (None: none was asked, or no positions).
        self.recovered: bool | None = None
        #: Gaps reported so far: each a reason (``missed_events``, ``epoch_changed``, ...).
        self.gaps: list[str] = []
        #: A resubscription with ``since`` is on its way (events not following on are held
        #: back until its replay).
        self.resuming = False

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

    async def __aexit__(self, *exc_info: object) -> None:
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


class Subscribing(Generic[E]):
    """A subscription on its way: what ``Client.subscribe`` returns.

    ``await`` it for the acknowledged :class:`Subscription` (a refusal raises its
    ``ResponseError``), or iterate it directly: the first step subscribes, then it yields the
    events. However it is used, the subscribe frame goes out once.
    """

    def __init__(self, start: Callable[[], Awaitable[Subscription[E]]]) -> None:
        self._start = start
        self._subscription: asyncio.Future[Subscription[E]] | None = None

    async def _acknowledged(self) -> Subscription[E]:
        if self._subscription is None:
            self._subscription = asyncio.ensure_future(self._start())
        return await self._subscription

    def __await__(self) -> Generator[Any, None, Subscription[E]]:
        return self._acknowledged().__await__()

    def __aiter__(self) -> Subscribing[E]:
        return self

    async def __anext__(self) -> E:
        subscription = await self._acknowledged()
        return await subscription.__anext__()

    async def unsubscribe(self, *, timeout: float | None = None) -> None:
        """Unsubscribe (see :meth:`Subscription.unsubscribe`); nothing if never started."""
        if self._subscription is not None:
            await (await self._acknowledged()).unsubscribe(timeout=timeout)

    async def __aenter__(self) -> Subscription[E]:
        return await self._acknowledged()

    async def __aexit__(self, *exc_info: object) -> None:
        await (await self._acknowledged()).__aexit__(*exc_info)
