"""A published batch as one server process holds it, shared by all its connections.

Every subscribed connection of the process receives the same message; the first to look
decodes it, and all of them then share the decoded events, each event's rebuilt instance, and
per binding the verdicts and renderings (:mod:`.visibility`). Batches are kept in a small LRU,
by message id.
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
    verdicts: dict[type[Any], asyncio.Future[Any]] = field(default_factory=dict)


_batches: OrderedDict[str, ReceivedBatch] = OrderedDict()


def received(message: Mapping[str, Any]) -> ReceivedBatch | None:
    """The batch a ``typedws.events`` message carries, decoded once per process."""
    batch_id = message.get("id")
    batch = _batches.get(batch_id) if isinstance(batch_id, str) else None
    if batch is not None:
        return batch
    try:
        batch = _decode(message)
    except (LookupError, ValueError, TypeError):
        logger.exception("typedws: an undecodable subscription message was ignored")
        return None
    _batches[batch.id] = batch
    while len(_batches) > CACHED_BATCHES:
        _batches.popitem(last=False)
    return batch


def _decode(message: Mapping[str, Any]) -> ReceivedBatch:
    model = apps.get_model(message["model"])
    using = message.get("using") or "default"
    events = [_event(model, using, event) for event in decode(message["body"])]
    return ReceivedBatch(message["id"], model, events, dumps(model._meta.label_lower))


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
    for batch_id in list(_batches) if batches is None else batches:
        _batches.pop(batch_id, None)
