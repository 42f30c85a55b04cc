"""Handing a committed batch's message to the channel layer without holding up the writer.

A server process writes in a thread (``database_sync_to_async`` for a binding's action,
Django's ``sync_to_async`` for a view): Django runs them all on one thread, while the event
loop serves the sockets. Waiting there for the layer (``async_to_sync(group_send)``) would hold
that thread until the busy loop got to the send: every write would pay for it. So when the
writing thread is one of asgiref's, whose event loop runs in this process, the message is put
in that loop's outbox, one task that sends messages in the order they were committed, and the
writer goes on at once. Elsewhere (a shell, a management command, a worker without an event
loop) the message is sent before the commit returns.

Before it is sent, each message is appended to its model's history (:mod:`.history`), which
gives it its position (``epoch`` and ``seq``, added to the message): one outbox sends a
process's messages in commit order, and the history orders all processes' messages.

A message still in an outbox when the process stops is lost (its transaction committed, but
no subscriber hears of it, and the history does not hold it).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any
from weakref import WeakKeyDictionary

from asgiref.sync import SyncToAsync, async_to_sync

from typedws.layers import get_layer

from .history import Stored
from .stores import get_history

__all__ = ["announce", "send"]

logger = logging.getLogger("typedws")

Message = tuple[str, dict[str, Any]]
_outboxes: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue[Message]] = (
    WeakKeyDictionary()
)


def send(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group``: queued on this thread's event loop, or sent now."""
    loop = _server_loop()
    if loop is None:
        async_to_sync(announce)(group, message)
        return
    loop.call_soon_threadsafe(_post, loop, (group, message))


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop this (sync) thread was called from by asgiref, if any."""
    threadlocal = SyncToAsync.threadlocal
    if getattr(threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    loop: asyncio.AbstractEventLoop | None = getattr(threadlocal, "main_event_loop", None)
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def _post(loop: asyncio.AbstractEventLoop, message: Message) -> None:
    """On the loop: queue the message, starting the loop's outbox on first use."""
    queue = _outboxes.get(loop)
    if queue is None:
        queue = _outboxes[loop] = asyncio.Queue()
        loop.create_task(_deliver(queue), name="typedws-outbox")
    queue.put_nowait(message)


async def _deliver(queue: asyncio.Queue[Message]) -> None:
    while True:
        group, message = await queue.get()
        try:
            await announce(group, message)
        except Exception:
            logger.exception("typedws could not send subscription events to the channel layer")


async def announce(group: str, message: dict[str, Any]) -> None:
    """Append the message to its model's history, then send it, with its position, to
    ``group``."""
    layer = get_layer()
    stored = Stored(0, message["id"], message["using"], message["body"], message["count"])
    epoch, first = await get_history().append(message["model"], stored)
    await layer.group_send(group, {**message, "epoch": epoch, "seq": first})
