"""A published batch as one server process holds it, shared by all its connections.

Every subscribed connection of the process receives the same message; the first to look
decodes it, and all of them then share the decoded events, each event's rebuilt instance, and
per binding the verdicts and renderings (:mod:`.visibility`). Batches are kept in a small LRU,
by message id. A batch's events have consecutive positions in the model's history: the
message's ``seq`` is its first event's (:mod:`.history`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.apps import apps
from django.db.models import Model

from typedws.encoding import dumps
from typedws.protocol import decode

from .state import python_value, rebuild, values_of

__all__ = ["ReceivedBatch", "ReceivedEvent", "received"]

logger = logging.getLogger("typedws")

CACHED_BATCHES: Final = 256
CACHED_BODY_BYTES: Final = 2 * 1024 * 1024
"""The cache also stops at this many bytes of message bodies: a decoded, rendered event takes
about ten times its share of the body, and batches of big transactions would otherwise hold
hundreds of MiB. Every connection of the process takes a batch within moments of the others;
one that lags further decodes it again."""


@dataclass(eq=False)
class ReceivedEvent:
    """One change, decoded; its derived values are computed once per process."""

    model: type[Model]
    using: str
    id: str
    kind: str
    wire_pk: Any
    state: dict[str, Any]
    old: dict[str, Any] | None
    member: dict[str, bool]
    seq: int = 0
    pk: Any = None
    pk_json: str = ""
    _instance: Model | None = None
    _values: dict[tuple[bool, tuple[str, ...]], dict[str, Any] | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.pk = python_value(self.model._meta.pk, self.wire_pk)
        self.pk_json = dumps(self.wire_pk)

    @property
    def instance(self) -> Model:
        """The object as the event left it (its last state, for a delete), not queried."""
        if self._instance is None:
            self._instance = rebuild(self.model, self.state, self.using)
        return self._instance

    def filter_values(self, attnames: tuple[str, ...]) -> tuple[Any, Any]:
        """``(old, new)`` values of the filter columns, or ``None`` where unknown/absent."""
        old = self._cached(True, attnames, self.old)
        new = None if self.kind == "delete" else self._cached(False, attnames, self.state)
        return old, new

    def _cached(
        self, old: bool, attnames: tuple[str, ...], source: Mapping[str, Any] | None
    ) -> dict[str, Any] | None:
        key = (old, attnames)
        if key not in self._values:
            values = None if source is None else values_of(self.model, source, attnames)
            self._values[key] = values
        return self._values[key]


@dataclass(eq=False)
class ReceivedBatch:
    id: str
    model: type[Model]
    events: list[ReceivedEvent]
    model_json: str
    epoch: str = ""
    first: int = 0
    """The seq of the first event; the others follow it one by one."""
    verdicts: dict[type[Any], asyncio.Future[Any]] = field(default_factory=dict)
    epoch_json: str = field(init=False)

    def __post_init__(self) -> None:
        self.epoch_json = dumps(self.epoch)
        for offset, event in enumerate(self.events):
            event.seq = self.first + offset

    @property
    def last(self) -> int:
        """The seq of the last event."""
        return self.first + len(self.events) - 1


class _Cache:
    """The decoded batches, newest last, bounded by count and by bytes of body."""

    def __init__(self) -> None:
        self.batches: OrderedDict[str, tuple[ReceivedBatch, int]] = OrderedDict()
        self.body_bytes = 0

    def get(self, batch_id: str) -> ReceivedBatch | None:
        cached = self.batches.get(batch_id)
        return None if cached is None else cached[0]

    def add(self, batch: ReceivedBatch, size: int) -> None:
        """Keep ``batch`` (its body ``size`` bytes), dropping the oldest over either bound."""
        self.batches[batch.id] = (batch, size)
        self.body_bytes += size
        while len(self.batches) > 1 and (
            len(self.batches) > CACHED_BATCHES or self.body_bytes > CACHED_BODY_BYTES
        ):
            self.drop(next(iter(self.batches)))

    def drop(self, batch_id: str) -> None:
        cached = self.batches.pop(batch_id, None)
        if cached is not None:
            self.body_bytes -= cached[1]


_cache = _Cache()


def received(message: Mapping[str, Any], *, shared: bool = True) -> ReceivedBatch | None:
    """The batch a ``typedws.events`` message carries, decoded once per process; with
    ``shared=False`` a batch of its own, whose verdicts are decided afresh (a replay)."""
    batch_id = message.get("id")
    batch = _cache.get(batch_id) if isinstance(batch_id, str) and shared else None
    if batch is not None:
        return batch
    try:
        batch = _decode(message)
    except (LookupError, ValueError, TypeError):
        logger.exception("typedws: an undecodable subscription message was ignored")
        return None
    if shared:
        _cache.add(batch, len(message["body"]))
    return batch


def _decode(message: Mapping[str, Any]) -> ReceivedBatch:
    model = apps.get_model(message["model"])
    using = message.get("using") or "default"
    events = [_event(model, using, event) for event in decode(message["body"])]
    label_json = dumps(model._meta.label_lower)
    epoch, first = str(message.get("epoch", "")), int(message.get("first", 0))
    return ReceivedBatch(message["id"], model, events, label_json, epoch, first)


def _event(model: type[Model], using: str, event: Mapping[str, Any]) -> ReceivedEvent:
    return ReceivedEvent(
        model=model,
        using=using,
        id=event["id"],
        kind=event["kind"],
        wire_pk=event["pk"],
        state=event["state"],
        old=event.get("old"),
        member=event.get("member") or {},
    )


def forget(batches: Iterable[str] | None = None) -> None:
    """Drop cached batches (all of them by default); for tests."""
    for batch_id in list(_cache.batches) if batches is None else batches:
        _cache.drop(batch_id)
