"""Seeing that the channel layer dropped messages owed to a connection.

Channel layers drop without a word: ``RedisChannelLayer`` and the in-memory layer over a
channel's ``capacity`` (100), ``RedisChannelLayer`` after ``expiry`` (60 s). That happens when
a server process reads its channels more slowly than writers publish. So each published
message carries its writer (one id per process) and a number that grows by one per message the
writer sent to that group (:func:`stamp`); a connection that sees a number jump
(:class:`GapDetector`) has lost messages, and is closed as a slow consumer: it must refetch.

Numbers are only used up by messages the layer took: a publish that fails (the layer is down)
gives its number back, so an outage alone is no gap (its events are lost, and logged).
Joining a group starts afresh: what came before the join was not owed.

Only layers with a per-channel ``capacity`` are watched (the in-memory layer,
``RedisChannelLayer``). ``RedisPubSubChannelLayer`` keeps every message it received (no
capacity, no expiry); what it misses, it misses while its own Redis connection is down, and a
Redis outage must not close sockets: those events are lost and logged (docs/subscriptions.md).
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["GapDetector", "stamp", "unstamp"]

WRITER: Final = uuid.uuid4().hex
"""This process's id as a writer."""
GROUP_KEY: Final = "group"
WRITER_KEY: Final = "writer"
SEQ_KEY: Final = "seq"

_lock = threading.Lock()
_sent: defaultdict[str, int] = defaultdict(int)


def stamp(group: str, message: dict[str, Any]) -> dict[str, Any]:
    """``message`` with this writer's next number for ``group``."""
    with _lock:
        _sent[group] += 1
        seq = _sent[group]
    return {**message, GROUP_KEY: group, WRITER_KEY: WRITER, SEQ_KEY: seq}


def unstamp(message: Mapping[str, Any]) -> None:
    """Give back the number of a message the layer did not take (the last one stamped: one
    sender per process sends in order)."""
    with _lock:
        group = message.get(GROUP_KEY)
        if isinstance(group, str) and _sent[group] == message.get(SEQ_KEY):
            _sent[group] -= 1


class GapDetector:
    """Per connection: the last number seen from each writer in each group (``layer``: the
    channel layer the messages come through; watched only if it has a ``capacity``)."""

    def __init__(self, layer: Any = None) -> None:
        self.enabled = layer is None or hasattr(layer, "capacity")
        self._last: dict[tuple[str, str], int] = {}

    def missed(self, message: Mapping[str, Any]) -> bool:
        """Whether messages before ``message`` (from its writer, to its group) never came."""
        if not self.enabled:
            return False
        group, writer, seq = (message.get(k) for k in (GROUP_KEY, WRITER_KEY, SEQ_KEY))
        if not (isinstance(group, str) and isinstance(writer, str) and isinstance(seq, int)):
            return False  # not stamped (another sender): nothing to compare
        last = self._last.get((group, writer))
        self._last[(group, writer)] = seq
        return last is not None and seq > last + 1

    def joined(self, groups: set[str] | None = None) -> None:
        """Start afresh for ``groups`` (all of them by default): just joined again."""
        if groups is None:
            self._last.clear()
            return
        for key in [key for key in self._last if key[0] in groups]:
            del self._last[key]
