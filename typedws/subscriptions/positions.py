"""Where one connection is in each followed model's history: batches delivered in seq order,
duplicates dropped, gaps repaired from the history.

A connection follows a model from the moment it joins the model's feed (or group): its cursor
starts at the history's head then (the writers know of the follower by then:
:func:`.interest.hold` is awaited first). A batch may arrive twice (a resubscription's race),
late (another process published first, through a channel layer), or not at all (channels_redis
drops messages over a channel's ``capacity``): a batch at or before the cursor is dropped; one
after a gap brings the missing batches from the history first, in order. A gap the history
cannot fill (its epoch changed, it was trimmed) is *lost*: the connection tells its
subscriptions' next events so (``prev: null``) and goes on from the batch received.

``since`` replays read the history the same way, decoded afresh (visibility is decided at
replay time), up to the cursor: later batches reach the subscription live.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from .history import Stored
from .publish import MESSAGE_TYPE
from .received import ReceivedBatch, received
from .stores import get_history

logger = logging.getLogger("typedws")

__all__ = ["Cursor", "Positions", "message_of"]


@dataclass
class Cursor:
    """The last event of a model this connection has handled."""

    epoch: str
    last: int


class Positions:
    """One connection's cursors, by model."""

    def __init__(self) -> None:
        self.cursors: dict[type[Model], Cursor] = {}

    async def follow(self, model: type[Model]) -> Cursor:
        """The model's cursor, started at the history's head if new (after the group join)."""
        cursor = self.cursors.get(model)
        if cursor is None:
            epoch, seq = await get_history().head(model._meta.label_lower)
            cursor = self.cursors[model] = Cursor(epoch, seq)
        return cursor

    def forget(self, model: type[Model]) -> None:
        self.cursors.pop(model, None)

    async def order(self, batch: ReceivedBatch) -> tuple[list[ReceivedBatch], bool]:
        """The batches to handle now for ``batch``, in seq order, and whether events were
        lost before them."""
        cursor = self.cursors.get(batch.model)
        if cursor is None:
            return [], False
        if batch.epoch == cursor.epoch:
            if batch.last <= cursor.last:
                return [], False
            if batch.first == cursor.last + 1:
                cursor.last = batch.last
                return [batch], False
        label = batch.model._meta.label_lower
        found = await get_history().read(label, cursor.epoch, cursor.last)
        if isinstance(found, str):
            cursor.epoch, cursor.last = batch.epoch, batch.last
            return [batch], True
        batches = [b for b in (_decoded(label, cursor.epoch, s) for s in found) if b is not None]
        ordered = []
        for each in sorted([*batches, batch], key=lambda b: (b.epoch != cursor.epoch, b.first)):
            if each.epoch == cursor.epoch and each.last <= cursor.last:
                continue
            lost = each.epoch != cursor.epoch or each.first != cursor.last + 1
            cursor.epoch, cursor.last = each.epoch, each.last
            ordered.append(each)
            if lost:
                return ordered, True
        return ordered, False

    async def replay(
        self, model: type[Model], since: tuple[str, int]
    ) -> tuple[list[ReceivedBatch], str | None]:
        """The batches after ``since`` up to the cursor, decoded afresh, or why there are
        none (the reason of ``recovered: false``)."""
        cursor = await self.follow(model)
        epoch, after = since
        label = model._meta.label_lower
        found = await get_history().read(label, epoch, after)
        if isinstance(found, str):
            return [], found
        if epoch != cursor.epoch:
            return [], "epoch_changed"
        replayed = []
        for stored in found:
            if stored.first <= cursor.last:
                batch = received(message_of(label, epoch, stored), shared=False)
                if batch is not None:
                    replayed.append(batch)
        return replayed, None


def message_of(label: str, epoch: str, stored: Stored) -> dict[str, Any]:
    """The channel-layer message a history entry was published as."""
    return {
        "type": MESSAGE_TYPE,
        "id": stored.id,
        "model": label,
        "using": stored.using,
        "body": stored.body,
        "count": stored.count,
        "epoch": epoch,
        "first": stored.first,
    }


def _decoded(label: str, epoch: str, stored: Stored) -> ReceivedBatch | None:
    message: Mapping[str, Any] = message_of(label, epoch, stored)
    return received(message)
