"""A subscription's place in its stream (``docs/protocol.md``, "Positions and resuming").

The client remembers the last ``{epoch, seq}`` each subscription saw: it resubscribes with
``since`` after a reconnection, drops an event it has seen already, and tells a gap from the
next event by ``prev``. The Python twin of the TypeScript client's ``positions.ts``. Servers
that send no positions (older ones) leave all of this inert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .frames import Payload
from .protocol import EPOCH, PREV, REASON, RECOVERED, SEQ, SINCE

__all__ = ["Ack", "Position", "Verdict", "classify", "position_of", "read_ack", "with_since"]

Verdict = Literal["next", "duplicate", "missed", "lost", "unknown"]
"""What an event is to its subscription: the ``next`` one; a ``duplicate`` (seen already);
one after ``missed`` events the server may still replay (``prev`` is a seq this client did not
see: resume); one after ``lost`` events (``prev`` is null or the epoch changed: the server
could not repair it); ``unknown`` (no position: an older server)."""


@dataclass(frozen=True)
class Position:
    """A position in a stream."""

    epoch: str
    seq: int


@dataclass(frozen=True)
class Ack:
    """What a subscribe's acknowledgement says: its position, and whether ``since`` resumed
    (``None``: it asked for no resume, or the server sends no positions)."""

    position: Position | None
    recovered: bool | None
    reason: str | None


def position_of(fields: Any) -> Position | None:
    """The position an event (or an acknowledgement's ``data``) carries, if any."""
    if not isinstance(fields, dict):
        return None
    epoch, seq = fields.get(EPOCH), fields.get(SEQ)
    if isinstance(epoch, str) and isinstance(seq, int) and not isinstance(seq, bool):
        return Position(epoch, seq)
    return None


def read_ack(data: Any) -> Ack:
    """Read the position fields of an acknowledgement's ``data``; absent ones read as None."""
    fields = data if isinstance(data, dict) else {}
    recovered = fields.get(RECOVERED)
    reason = fields.get(REASON)
    return Ack(
        position_of(fields),
        recovered if isinstance(recovered, bool) else None,
        reason if isinstance(reason, str) else None,
    )


def classify(position: Position | None, event: Payload) -> Verdict:
    """What ``event`` is to a subscription last at ``position``."""
    at = position_of(event)
    if at is None:
        return "unknown"
    if position is None:
        return "next"
    if at.epoch != position.epoch:
        return "lost"
    if at.seq <= position.seq:
        return "duplicate"
    if event.get(PREV) is None:
        return "lost"
    return "next" if event.get(PREV) == position.seq else "missed"


def with_since(data: Payload, position: Position | None) -> Payload:
    """A subscribe's ``data`` resuming after ``position`` (unchanged without one)."""
    if position is None:
        return data
    return {**data, SINCE: {EPOCH: position.epoch, SEQ: position.seq}}
