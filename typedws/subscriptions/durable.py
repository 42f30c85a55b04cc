"""Durable events: each change also written to typedws's outbox table, in the write's transaction.

With ``TYPEDWS["DURABLE_EVENTS"]`` on, the first change of each object in a transaction (and
each delete, which carries the object's last state) writes an :class:`~typedws.models.OutboxRow`
in that same transaction. After the commit the writer publishes the batch as usual; the
history appends it ``once`` under an id made of the batch and its rows (:func:`message_id`),
and the rows are deleted once the batch is announced. Rows whose writer died before that are
published by a live server process (:mod:`.sweeper`) under the same id: the history stores a
batch once, whoever publishes it, and each connection drops a seq it has handled.

A write outside a transaction (autocommit) commits before its row: a process dying between
the two loses that event, as without durable events. A binding's actions always write in a
transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from django.db.models import Model

from typedws.encoding import dumps
from typedws.models import OutboxRow
from typedws.settings import typedws_settings

from .entries import Capture, Entry
from .state import jsonable

__all__ = ["enabled", "entry_of", "forget", "message_id", "write"]


def enabled() -> bool:
    """Whether changes are written to the outbox table (``TYPEDWS["DURABLE_EVENTS"]``)."""
    return bool(typedws_settings.DURABLE_EVENTS)


def write(using: str, batch: str, entry: Entry, capture: Capture | None) -> int:
    """Write one change of ``entry``'s object to the outbox, in the open transaction of
    ``using``; return the row's id."""
    model = entry.model
    row = OutboxRow.objects.using(using).create(
        batch=batch,
        label=model._meta.label_lower,
        object_pk=dumps(jsonable(model._meta.pk, entry.pk)),
        existed_before=entry.existed_before,
        capture=None if capture is None else [capture.state, capture.member],
        old=entry.old,
    )
    return int(row.pk)


def entry_of(model: type[Model], rows: Sequence[OutboxRow]) -> Entry:
    """What one transaction did to one object, from its rows (oldest first), to be asked of
    the database: its state now tells whether it exists and what it holds."""
    first = rows[0]
    pk = model._meta.pk.to_python(json.loads(first.object_pk))
    entry = Entry(model, pk, existed_before=first.existed_before, old=first.old, uncertain=True)
    for row in rows:
        if row.capture is not None:
            state, member = row.capture
            entry.capture = Capture(state, member)
            entry.deleted = True
    return entry


def message_id(batch: str, label: str, rows: Sequence[int]) -> str:
    """The id a durable batch's message for one model has, whoever publishes it."""
    text = f"{batch}:{label}:{','.join(map(str, sorted(rows)))}"
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:32]


def forget(using: str, rows: Sequence[int]) -> None:
    """Delete published rows."""
    OutboxRow.objects.using(using).filter(pk__in=rows).delete()
