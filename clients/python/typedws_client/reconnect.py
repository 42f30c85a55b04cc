"""When the client reconnects, and what it tells its owner about the connection.

The policy is a plain object with one method, so an application can replace it (a fixed delay,
no reconnection at all, a limit on attempts) without subclassing the client::

    Client(url, reconnect=ExponentialBackoff(initial=0.1, maximum=5, max_attempts=20))
    Client(url, reconnect=None)          # a dropped socket stays dropped

The connection events are small frozen dataclasses handed to ``on_connection_event``; match
them with ``isinstance`` or ``match``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "Connected",
    "ConnectionEvent",
    "Disconnected",
    "ExponentialBackoff",
    "Gap",
    "GaveUp",
    "ReconnectPolicy",
    "Reconnecting",
    "Resubscribed",
]


class ReconnectPolicy(Protocol):
    def delay(self, attempt: int) -> float | None:
        """Seconds to wait before reconnection attempt ``attempt`` (1, 2, ...); None: give up."""


@dataclass(frozen=True)
class ExponentialBackoff:
    """``initial * factor ** (attempt - 1)`` seconds, capped at ``maximum``, each spread by
    ``± jitter`` (a fraction) so that many clients of one restarted server do not reconnect in
    lockstep. ``max_attempts=None`` retries for ever."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 30.0
    jitter: float = 0.1
    max_attempts: int | None = None

    def delay(self, attempt: int) -> float | None:
        if self.max_attempts is not None and attempt > self.max_attempts:
            return None
        base = min(self.maximum, self.initial * self.factor ** (attempt - 1))
        return base * (1 + random.uniform(-self.jitter, self.jitter))


@dataclass(frozen=True)
class Connected:
    """The socket is open; ``reconnected`` is False for the first connection."""

    url: str
    reconnected: bool


@dataclass(frozen=True)
class Disconnected:
    """The socket closed. ``code`` is the close code, if a close frame was exchanged."""

    code: int | None
    reason: str
    will_reconnect: bool


@dataclass(frozen=True)
class Reconnecting:
    """Attempt ``attempt`` starts after ``delay`` seconds; ``error`` is why the last failed."""

    attempt: int
    delay: float
    error: str | None


@dataclass(frozen=True)
class Resubscribed:
    """A live subscription was renewed, with its original ``request_id``, after a reconnect,
    resuming after its last position: ``recovered`` says whether the server replays what was
    missed (False: a :class:`Gap` follows; None: the server sends no positions)."""

    stream: str
    request_id: str
    recovered: bool | None = None


@dataclass(frozen=True)
class Gap:
    """Events of a subscription were missed and will not be replayed: refetch what it shows.
    ``reason``: the acknowledgement's (``epoch_changed``, ``history_trimmed``,
    ``invalid_position``), or ``missed_events`` (an event arrived whose ``prev`` the server
    could not fill, or from a new epoch)."""

    stream: str
    request_id: str
    reason: str


@dataclass(frozen=True)
class GaveUp:
    """The policy stopped reconnecting; live subscriptions end with ``ConnectionLost``."""

    attempts: int
    error: str


ConnectionEvent = Connected | Disconnected | Reconnecting | Resubscribed | Gap | GaveUp
