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
gives it its position (``epoch`` and ``first``, added to the message): one outbox sends a
process's messages in commit order, and the history orders all processes' messages.

A message still in an outbox when the process stops is lost (its transaction committed, but
no subscriber hears of it, and the history does not hold it), unless it is durable
(:mod:`.durable`): its outbox rows are deleted only after it is announced, and a sweeper
publishes what is left (:mod:`.sweeper`). A delete that fails (a table lock, a dropped
connection) is tried again a few times, within the sweeper's grace, then left to the sweeper:
it publishes the batch again under the same id, which no connection handles twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any
from weakref import WeakKeyDictionary

from asgiref.sync import SyncToAsync, async_to_sync
from channels.db import database_sync_to_async

from typedws.gaps import stamp, unstamp
from typedws.layerlink import unpublished
from typedws.layers import get_layer

from . import durable
from .history import Stored
from .stores import carries_events, get_history

__all__ = ["announce", "send"]

logger = logging.getLogger("typedws")

# The group, the message, and a durable message's outbox rows ({"using", "rows"}) or None.
Message = tuple[str, dict[str, Any], dict[str, Any] | None]
_outboxes: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Queue[Message]] = (
    WeakKeyDictionary()
)
# The pauses (s) before each new try of a failed delete: 1.3 s in all, within the default
# OUTBOX_GRACE_SECONDS (2), after which a sweeper would publish the rows again.
FORGET_PAUSES = (0.05, 0.25, 1.0)
_forgetting: set[asyncio.Task[None]] = set()


def send(group: str, message: dict[str, Any]) -> None:
    """Send ``message`` to ``group``: queued on this thread's event loop, or sent now."""
    rows = message.pop("outbox", None)
    loop = _server_loop()
    if loop is None:
        try:
            async_to_sync(announce)(group, message, rows is not None)
        except Exception:
            # The write is committed: a layer outage loses its events, not the write (a
            # durable batch keeps its rows: the sweeper publishes them).
            logger.exception("typedws could not send subscription events to the channel layer")
            return
        if rows is not None:
            durable.forget(rows["using"], rows["rows"])
        return
    loop.call_soon_threadsafe(_post, loop, (group, message, rows))


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
        group, message, rows = await queue.get()
        try:
            await announce(group, message, rows is not None)
        except Exception as exc:
            unpublished(get_layer(), group, exc)
            continue
        if rows is not None:
            # Off the writers' thread, and out of this queue: the next message does not wait
            # for a delete.
            forgetting = asyncio.create_task(_forget(rows["using"], rows["rows"]))
            _forgetting.add(forgetting)
            forgetting.add_done_callback(_forgetting.discard)


async def announce(group: str, message: dict[str, Any], once: bool = False) -> None:
    """Append the message to its model's history; unless the history carries live events
    itself (Redis, :mod:`.feeds`), send it, with its position and its writer's stamp
    (:mod:`typedws.gaps`), to ``group``. ``once``: a durable message, whose history entry is
    made once per id."""
    stored = Stored(0, message["id"], message["using"], message["body"], message["count"])
    appended = await get_history().append(message["model"], stored, once)
    if carries_events():
        return  # every process following the model reads it from the history
    # Sent even when the history had it (a sweeper publishing a batch its writer appended
    # before dying): connections drop a seq they have handled.
    stamped = stamp(group, {**message, "epoch": appended.epoch, "first": appended.first})
    try:
        await get_layer().group_send(group, stamped)
    except Exception:
        unstamp(stamped)
        raise


async def _forget(using: str, rows: list[int]) -> None:
    """Delete a published batch's rows; after the last failed try, leave them to a sweeper."""
    for pause in (*FORGET_PAUSES, None):
        try:
            await database_sync_to_async(durable.forget, thread_sensitive=False)(using, rows)
        except Exception:
            if pause is None:
                logger.exception(
                    "typedws could not delete published outbox rows: a sweep will publish"
                    " them again, under the same id"
                )
                return
            await asyncio.sleep(pause)
        else:
            return
