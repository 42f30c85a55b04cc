"""Each stream's history: the position of every published batch, and the batches, for resuming.

The writer appends each batch before it announces it (:mod:`.outbox`): the history gives the
batch its position, ``{epoch, seq}`` (``docs/protocol.md``, "Positions and resuming"), one seq
per event. Readers ask it for the current position (a ``subscribe``'s acknowledgement) and for
the batches after a position (a ``since`` replay, or a gap in what a process received).

Two stores with the same semantics, chosen by ``TYPEDWS["HISTORY"]`` (:mod:`.stores`):

- Redis (:mod:`.redis_history`, the default when the channel layer is channels_redis): one
  Redis Stream per model, shared by every process;
- in this process (:class:`MemoryHistory`, the default otherwise): a ring buffer per model,
  for a single-process server (the demo); its epoch is new at each start.

Both give live readers the batches after a seq, waiting for the next one (``tail``,
:mod:`.feeds`), and end an epoch on a feed's word (``restart``: writes may be missing from it).

A model's events are appended only while some connection follows it, or did within the
retention (:mod:`.interest` answers the writer; ``PUBLISH_UNFOLLOWED`` appends them all).

A history keeps at most ``HISTORY_SIZE`` batches per model, and forgets entries older than
``HISTORY_TTL`` seconds. A batch appended ``once`` (a durable batch, :mod:`.durable`, which a
writer and a sweeper may both publish) is stored once per message id within ``HISTORY_TTL``:
appending it again returns the position it was given first.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Final, NamedTuple, Protocol

from typedws.settings import typedws_settings

__all__ = [
    "EPOCH_CHANGED",
    "HISTORY_TRIMMED",
    "INVALID_POSITION",
    "TAIL_COUNT",
    "Appended",
    "History",
    "MemoryHistory",
    "Stored",
    "covering",
    "new_epoch",
]

# Why a position cannot be resumed from (the acknowledgement's ``reason``).
EPOCH_CHANGED: Final = "epoch_changed"
HISTORY_TRIMMED: Final = "history_trimmed"
INVALID_POSITION: Final = "invalid_position"

TAIL_COUNT: Final = 500
"""Batches one ``tail`` (a live feed's read) returns at most."""


@dataclass(frozen=True, slots=True)
class Stored:
    """A batch as the history holds it: its first seq, its message id, database and body."""

    first: int
    id: str
    using: str
    body: str
    count: int


class Appended(NamedTuple):
    """Where an appended batch sits: its epoch, its first event's seq, and whether it had been
    appended already (a ``once`` batch seen before; nothing was stored)."""

    epoch: str
    first: int
    duplicate: bool = False


class History(Protocol):
    """What a history store does; every method is a coroutine of the server's event loop."""

    async def append(self, label: str, stored: Stored, once: bool = False) -> Appended:
        """Store a batch of ``stored.count`` events (``stored.first`` is ignored); return its
        position. With ``once``, a batch whose ``id`` was appended before in this epoch is
        not stored again."""

    async def head(self, label: str) -> tuple[str, int]:
        """The model's current position: its epoch and the seq of its last event (0: none)."""

    async def read(self, label: str, epoch: str, after: int) -> list[Stored] | str:
        """The batches holding the events after ``after`` in ``epoch``, in order, or the
        reason they cannot all be read (:data:`EPOCH_CHANGED`, ...)."""

    async def tail(self, label: str, after: int, block: float) -> list[tuple[str | None, Stored]]:
        """Up to :data:`TAIL_COUNT` batches appended after seq ``after``, each with its epoch
        (``None``: not known), waiting up to ``block`` seconds for the first."""

    async def restart(self, label: str, epoch: str) -> None:
        """Start a new epoch, with no batches, if the history is still in ``epoch``; otherwise
        do nothing (another process restarted it already, or it moved on). Positions of
        ``epoch`` can no longer be resumed from (:data:`EPOCH_CHANGED`)."""


def new_epoch() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class _Log:
    epoch: str
    seq: int = 0
    entries: deque[tuple[float, Stored]] = field(default_factory=deque)
    once: dict[str, tuple[float, int]] = field(default_factory=dict)
    # Live readers waiting for the next append (:meth:`MemoryHistory.tail`).
    waiters: set[asyncio.Future[None]] = field(default_factory=set)


class MemoryHistory:
    """A ring buffer per model in this process: the history of a server without Redis."""

    def __init__(self) -> None:
        self._logs: dict[str, _Log] = {}

    def _log(self, label: str) -> _Log:
        log = self._logs.get(label)
        if log is None:
            log = self._logs[label] = _Log(new_epoch())
        return log

    async def append(self, label: str, stored: Stored, once: bool = False) -> Appended:
        log = self._log(label)
        now = time.monotonic()
        if once:
            seen = log.once.get(stored.id)
            if seen is not None and seen[0] >= now - typedws_settings.HISTORY_TTL:
                return Appended(log.epoch, seen[1], duplicate=True)
        first = log.seq + 1
        log.seq += stored.count
        entry = Stored(first, stored.id, stored.using, stored.body, stored.count)
        log.entries.append((now, entry))
        while len(log.entries) > typedws_settings.HISTORY_SIZE:
            log.entries.popleft()
        if once:
            log.once[stored.id] = (now, first)
            _forget_before(log.once, now - typedws_settings.HISTORY_TTL)
        _wake(log.waiters)
        return Appended(log.epoch, first)

    async def head(self, label: str) -> tuple[str, int]:
        log = self._log(label)
        return log.epoch, log.seq

    async def read(self, label: str, epoch: str, after: int) -> list[Stored] | str:
        log = self._log(label)
        oldest = time.monotonic() - typedws_settings.HISTORY_TTL
        kept = [stored for at, stored in log.entries if at >= oldest]
        return covering(log.epoch, log.seq, kept, epoch, after)

    async def tail(self, label: str, after: int, block: float) -> list[tuple[str | None, Stored]]:
        log = self._log(label)
        # Registered before the look: an append from another thread in between still wakes it.
        waiter = asyncio.get_running_loop().create_future()
        log.waiters.add(waiter)
        try:
            if log.seq <= after:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(waiter, block)
        finally:
            log.waiters.discard(waiter)
        found: list[tuple[str | None, Stored]] = []
        for _, stored in reversed(log.entries):  # the newest last: read back to ``after``
            if stored.first <= after:
                break
            found.append((log.epoch, stored))
        return found[::-1][:TAIL_COUNT]

    async def restart(self, label: str, epoch: str) -> None:
        log = self._logs.get(label)
        if log is None or log.epoch != epoch:
            return
        log.epoch, log.seq = new_epoch(), 0
        log.entries.clear()
        log.once.clear()
        _wake(log.waiters)  # a live reader looks at the head again


def _wake(waiters: set[asyncio.Future[None]]) -> None:
    """Wake the readers waiting in :meth:`MemoryHistory.tail`: at once on this loop (the
    server's outbox appends there), else on their own (a writer outside the server, a
    shell's ``async_to_sync``, appends from another thread)."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for waiter in list(waiters):
        loop = waiter.get_loop()
        if loop is running:
            _done(waiter)
            continue
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody to wake
            loop.call_soon_threadsafe(_done, waiter)


def _done(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def _forget_before(once: dict[str, tuple[float, int]], oldest: float) -> None:
    """Drop the ids appended before ``oldest`` (the dict is in append order)."""
    for key in [key for key, (at, _) in once.items() if at < oldest]:
        del once[key]


def covering(
    current_epoch: str, head: int, entries: list[Stored], epoch: str, after: int
) -> list[Stored] | str:
    """The entries holding the events after ``after``, or why they cannot all be given."""
    if epoch != current_epoch:
        return EPOCH_CHANGED
    if after > head:
        return INVALID_POSITION
    if after == head:
        return []
    needed = [stored for stored in entries if stored.first + stored.count - 1 > after]
    if not needed or needed[0].first > after + 1:
        return HISTORY_TRIMMED
    return needed
