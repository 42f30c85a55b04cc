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

A history keeps at most ``HISTORY_SIZE`` batches per model, and forgets entries older than
``HISTORY_TTL`` seconds.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Final, Protocol

from typedws.settings import typedws_settings

__all__ = [
    "EPOCH_CHANGED",
    "HISTORY_TRIMMED",
    "INVALID_POSITION",
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


@dataclass(frozen=True, slots=True)
class Stored:
    """A batch as the history holds it: its first seq, its message id, database and body."""

    first: int
    id: str
    using: str
    body: str
    count: int


class History(Protocol):
    """What a history store does; every method is a coroutine of the server's event loop."""

    async def append(self, label: str, stored: Stored) -> tuple[str, int]:
        """Store a batch of ``stored.count`` events (``stored.first`` is ignored); return the
        epoch and the seq of its first event."""

    async def head(self, label: str) -> tuple[str, int]:
        """The model's current position: its epoch and the seq of its last event (0: none)."""

    async def read(self, label: str, epoch: str, after: int) -> list[Stored] | str:
        """The batches holding the events after ``after`` in ``epoch``, in order, or the
        reason they cannot all be read (:data:`EPOCH_CHANGED`, ...)."""


def new_epoch() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class _Log:
    epoch: str
    seq: int = 0
    entries: deque[tuple[float, Stored]] = field(default_factory=deque)


class MemoryHistory:
    """A ring buffer per model in this process: the history of a server without Redis."""

    def __init__(self) -> None:
        self._logs: dict[str, _Log] = {}

    def _log(self, label: str) -> _Log:
        log = self._logs.get(label)
        if log is None:
            log = self._logs[label] = _Log(new_epoch())
        return log

    async def append(self, label: str, stored: Stored) -> tuple[str, int]:
        log = self._log(label)
        first = log.seq + 1
        log.seq += stored.count
        entry = Stored(first, stored.id, stored.using, stored.body, stored.count)
        log.entries.append((time.monotonic(), entry))
        while len(log.entries) > typedws_settings.HISTORY_SIZE:
            log.entries.popleft()
        return log.epoch, first

    async def head(self, label: str) -> tuple[str, int]:
        log = self._log(label)
        return log.epoch, log.seq

    async def read(self, label: str, epoch: str, after: int) -> list[Stored] | str:
        log = self._log(label)
        oldest = time.monotonic() - typedws_settings.HISTORY_TTL
        kept = [stored for at, stored in log.entries if at >= oldest]
        return covering(log.epoch, log.seq, kept, epoch, after)


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
