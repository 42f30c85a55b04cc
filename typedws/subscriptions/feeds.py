"""Live events read from the history: one feed per followed model per process.

When the history has every process's batches (in Redis, :mod:`.redis_history`; or in this
process, with Channels' in-memory layer: :func:`.stores.carries_events`), a published batch
reaches subscribers from the model's history, not through the channel layer. Each process with
connections following a model runs one feed for it: a task that reads the history's new entries
(``XREAD BLOCK`` on the model's Redis Stream, or a wait for the next append in memory) and puts
each batch in every following connection's :class:`Inbox`, in the history's order, which is the
seq order whichever process wrote. So a batch costs one read per process however many
connections follow it, and nothing can drop or expire on the way (no channel ``capacity``, no
``group_expiry``): what the history holds is what is delivered.

A feed starts at the history's head, read when its first connection attaches (before that
connection reads its own cursor: :mod:`.positions`), and stops when its last one detaches.
It notices a new epoch (Redis flushed, or restarted without persistence) by an entry naming it,
or by the head it reads whenever a read waits :data:`BLOCK_SECONDS` for nothing, and then reads
the new epoch from its start: connections see the change as lost events (``prev: null``), and
the model's interest key, lost with the history, is set again (:func:`.interest.redeclare`).
Writers may have trusted its absence until then and left writes unpublished: once every such
"no" has expired, the feed queues :data:`LOST` for its connections, and the next event of each
of their subscriptions of the model says events may be missing; and it ends that epoch in the
history (``restart``: of several processes' feeds, one does; a feed whose connections all left
meanwhile still does it), so a client resuming from one of
its positions is told the history was lost (``epoch_changed``) instead of being replayed a
history without those writes. The feed then reads the next epoch as any new one (the key is
there by then: nothing more to tell). When Redis fails, the feed logs it once and asks again,
waiting 0.1 s, then twice as long each time, up to 1 s.

A feed hands a batch straight to an idle connection (:meth:`Inbox.offer`): the feed's task
runs the connection's delivery itself, one connection after another, which spares each
connection a wake-up of its consumer loop. A connection that is busy (serving a frame, or with
batches still waiting) gets the batch in its inbox, which its consumer loop reads in order;
the inbox's lock, held by the consumer around everything it handles, is what keeps an event
from overtaking a reply (a ``subscribe``'s acknowledgement comes first; nothing follows an
``unsubscribe``'s reply). An inbox holds at most :data:`INBOX_BATCHES` batches: a connection
that far behind is told :data:`OVERFLOWED` and closed as a slow consumer, as its send queue
would close it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, Final
from weakref import WeakKeyDictionary

from . import interest
from .positions import message_of
from .stores import get_history

__all__ = [
    "BLOCK_SECONDS",
    "INBOX_BATCHES",
    "LOST",
    "OVERFLOWED",
    "Feed",
    "Inbox",
    "attach",
    "detach",
]

logger = logging.getLogger("typedws")

BLOCK_SECONDS: Final = 1.0
"""How long one read waits for a new entry before the feed checks the history's epoch."""
INBOX_BATCHES: Final = 1000
"""Batches a connection may have waiting for its loop before it is closed as slow."""
OVERFLOWED: Final = "typedws.inbox_overflow"
"""The type of the message an inbox hands its connection once it overflowed."""
LOST: Final = "typedws.events_lost"
"""The type of the message a feed queues for its connections when writes of the model may have
gone unpublished (``{"type": LOST, "model": label}``)."""
FIRST_RETRY: Final = 0.1
LAST_RETRY: Final = 1.0
HANDED_PER_TURN: Final = 100
"""Connections a feed delivers to before it lets the event loop run other work."""


class Inbox:
    """One connection's batches, waiting for its consumer loop (one of the loop's sources), or
    handed straight to ``handler`` while the connection is idle."""

    def __init__(
        self,
        limit: int | None = None,
        handler: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self.limit = INBOX_BATCHES if limit is None else limit
        self.handler = handler
        self.overflowed = False
        # Held by the consumer around each message it handles, and by a feed handing a batch.
        self.lock = asyncio.Lock()
        # A batch the consumer loop took and has not handled yet.
        self.taken = False
        self._tell = False
        self._batches: deque[dict[str, Any]] = deque()
        self._ready = asyncio.Event()

    async def offer(self, message: dict[str, Any]) -> None:
        """Deliver ``message`` now if the connection is idle and nothing waits before it;
        otherwise queue it for the consumer loop."""
        busy = self._batches or self.taken or self.lock.locked() or self.overflowed
        if busy or self.handler is None:
            self.put(message)
            return
        async with self.lock:
            await self.handler(message)

    def put(self, message: dict[str, Any]) -> None:
        if self.overflowed:
            return
        if len(self._batches) >= self.limit:
            self.overflowed = self._tell = True
            self._batches.clear()
        else:
            self._batches.append(message)
        self._ready.set()

    async def get(self) -> dict[str, Any]:
        """The next batch's message, or :data:`OVERFLOWED` (once) if the inbox overflowed."""
        while not self._batches and not self._tell:
            self._ready.clear()
            await self._ready.wait()
        if self._tell:
            self._tell = False
            return {"type": OVERFLOWED}
        self.taken = True  # until the consumer handled it (it clears this)
        return self._batches.popleft()

    def __len__(self) -> int:
        return len(self._batches)


class Feed:
    """One model's live events in this process, handed to the inboxes attached to it."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.inboxes: set[Inbox] = set()
        self.epoch = ""
        self.last = 0
        self.task: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self._failing = False
        self._delay = FIRST_RETRY

    async def start(self) -> None:
        """Start reading at the history's head (raises if the history cannot say where)."""
        async with self._starting:
            if self.task is None or self.task.done():
                self.epoch, self.last = await get_history().head(self.label)
                if self.inboxes:  # not all detached meanwhile
                    self.task = asyncio.ensure_future(self._run())

    def stop(self) -> None:
        """Stop reading. What a new epoch asked of the feed still runs (:meth:`_tell_lost`):
        clients that resume from that epoch's positions are owed its end even if nobody in
        this process follows the model any more."""
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def _run(self) -> None:
        while self.inboxes:
            history = get_history()  # a new store after the settings change (or stores.reset())
            try:
                entries = await history.tail(self.label, self.last, BLOCK_SECONDS)
                if not entries:
                    self._moved(*await history.head(self.label))
            except Exception as exc:
                await self._outage(exc)
                continue
            self._recovered()
            for epoch, stored in entries:
                if epoch is not None and epoch != self.epoch:
                    self._moved(epoch, 0)
                    break  # the new epoch is read from its start
                self.last = stored.first + stored.count - 1
                await self._hand(message_of(self.label, self.epoch, stored))

    async def _hand(self, message: dict[str, Any]) -> None:
        for handed, inbox in enumerate(list(self.inboxes), 1):
            try:
                await inbox.offer(message)
            except Exception:
                logger.exception("typedws: could not deliver events of %s", self.label)
            if handed % HANDED_PER_TURN == 0:
                await asyncio.sleep(0)

    def _moved(self, epoch: str, head: int) -> None:
        """What the history says now: a new epoch is read from its start."""
        if epoch != self.epoch:
            logger.warning("typedws: the history of %s starts a new epoch", self.label)
            self.epoch, self.last = epoch, 0
            declared = interest.redeclare(self.label)  # a Redis that lost the history lost its key
            if declared is not None:
                telling = asyncio.ensure_future(self._tell_lost(declared, epoch))
                _telling.add(telling)
                telling.add_done_callback(_telling.discard)

    async def _tell_lost(self, declared: asyncio.Future[bool], epoch: str) -> None:
        """Once the interest key is back and every writer's "no" has expired: if the key was
        missing, writes committed until now may be in no history, so each connection's next
        event of the model says events may be missing (``prev: null``), and ``epoch`` ends
        (no resume from its positions replays a history with a hole in it)."""
        if not await asyncio.shield(declared):
            return
        for inbox in list(self.inboxes):
            inbox.put({"type": LOST, "model": self.label})
        try:
            await get_history().restart(self.label, epoch)
        except Exception as exc:
            logger.warning(
                "typedws: cannot end the epoch of %s that writes may be missing from (%s: %s)",
                self.label,
                type(exc).__name__,
                exc,
            )

    async def _outage(self, exc: Exception) -> None:
        if not self._failing:
            logger.warning(
                "typedws: cannot read the live events of %s (%s: %s); retrying",
                self.label,
                type(exc).__name__,
                exc,
            )
        self._failing = True
        await asyncio.sleep(self._delay)
        self._delay = min(self._delay * 2, LAST_RETRY)

    def _recovered(self) -> None:
        if self._failing:
            logger.warning("typedws: reading the live events of %s again", self.label)
        self._failing = False
        self._delay = FIRST_RETRY


_feeds: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Feed]] = WeakKeyDictionary()
# The feeds' _tell_lost tasks, held until done (a stopped feed's too: see Feed.stop).
_telling: set[asyncio.Task[None]] = set()


def _loop_feeds() -> dict[str, Feed]:
    return _feeds.setdefault(asyncio.get_running_loop(), {})


async def attach(label: str, inbox: Inbox) -> None:
    """Hand ``inbox`` the model's batches from now on: from the feed's position, which is at or
    before the history's head once this returns."""
    feeds = _loop_feeds()
    feed = feeds.get(label)
    if feed is None:
        feed = feeds[label] = Feed(label)
    feed.inboxes.add(inbox)
    try:
        await feed.start()
    except BaseException:
        detach(label, inbox)
        raise


def detach(label: str, inbox: Inbox) -> None:
    """``inbox`` no longer follows the model; the feed stops with its last inbox."""
    feeds = _loop_feeds()
    feed = feeds.get(label)
    if feed is None:
        return
    feed.inboxes.discard(inbox)
    if not feed.inboxes:
        feed.stop()
        del feeds[label]
