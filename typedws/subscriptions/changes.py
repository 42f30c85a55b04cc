"""Recording changes in the writer's transaction, coalesced per object, sent on commit.

Model signals (``post_save``, ``pre_delete``/``post_delete``, and ``pre_save`` for models whose
subscriptions filter) and :func:`notify` record each change in the open transaction's
:class:`Batch`, which is itself the transaction's ``on_commit`` callback: a rolled-back
transaction drops it, and a committed one publishes one event per object, from the state of
the object before the transaction and after it:

============  ==================  ==========================================================
before        after               event
============  ==================  ==========================================================
absent        present             ``create`` with the final state (create + updates)
present       present             ``update`` with the final state (several saves: one event)
present       absent              ``delete`` with the last state (updates + delete)
absent        absent              nothing (created and deleted in the same transaction)
============  ==================  ==========================================================

Outside a transaction (autocommit) each change is published at once. With durable events
(:mod:`.durable`) each object's first change, and each delete, is also written to the outbox
table in the transaction.

Savepoints: Django drops the ``on_commit`` callbacks of a savepoint that is rolled back, so a
batch registered in the transaction's first changed savepoint is dropped with everything
recorded after it. A change first made in a *deeper* savepoint than the batch's might be undone
without the batch knowing: it is marked uncertain, its state before is read (one query), and
on commit the database tells what remains (nothing, if the row is as it was).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable
from typing import Any, Final

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from typedws.protocol import EVENT_ACTIONS

from . import durable, interest, registry
from .entries import CREATE, DELETE, UPDATE, Capture, Entry, Kind
from .publish import capture, publish
from .state import instance_state, jsonable

__all__ = ["Batch", "notify"]

logger = logging.getLogger("typedws")

UNKNOWN: Final[Any] = None
"""Old filter values that nobody captured (an update announced with :func:`notify`)."""

# Between a pre_ signal and its post_ signal: the old filter values and the delete captures.
_local = threading.local()
_NOT_READ: Final = (UNKNOWN, None)  # (old, before) of a save whose pre_save read nothing


class Batch:
    """The changes of one transaction on one database; called by Django on commit.

    Made on every write, subscribed or not (a subscriber may arrive before the commit), so it
    is kept cheap: its id is drawn only when something is published or written to the outbox.
    """

    __slots__ = ("_id", "alias", "entries", "rows", "sids")

    def __init__(self, alias: str, sids: frozenset[str] = frozenset()) -> None:
        self.alias = alias
        self.sids = sids
        self.entries: dict[tuple[type[Model], Any], Entry] = {}
        self.rows: dict[str, list[int]] = {}
        """The outbox rows written for each model (durable events only)."""
        self._id: str | None = None

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = uuid.uuid4().hex
        return self._id

    def record(
        self,
        model: type[Model],
        pk: Any,
        kind: Kind,
        *,
        instance: Model | None = None,
        old: dict[str, Any] | None = UNKNOWN,
        before: dict[str, Any] | None = None,
        capture: Capture | None = None,
        uncertain: bool = False,
    ) -> None:
        entry = self.entries.get((model, pk))
        new = entry is None
        if entry is None:
            entry = Entry(model, pk, kind != CREATE, None if kind == CREATE else old)
            entry.before = before
            self.entries[(model, pk)] = entry
        entry.deleted = kind == DELETE
        entry.instance = instance
        if kind == DELETE:
            entry.capture = capture
        entry.uncertain = entry.uncertain or uncertain
        if (new or kind == DELETE) and durable.enabled():
            row = durable.write(self.alias, self.id, entry, entry.capture)
            self.rows.setdefault(model._meta.label_lower, []).append(row)

    def __call__(self) -> None:
        try:
            # Durable events are all published (their rows are in the outbox); others only
            # for models someone follows now.
            entries = list(self.entries.values()) if self.rows else self._wanted()
            if entries:
                publish(entries, self.alias, self.id, self.rows)
        except Exception:
            # The write is committed: a failure to announce it must not fail the writer.
            logger.exception("typedws could not publish the changes of a transaction")

    def _wanted(self) -> list[Entry]:
        """The entries of models someone follows, asked again now: a subscriber who arrived
        during the transaction gets its events."""
        wanted: dict[type[Model], bool] = {}
        entries = []
        for entry in self.entries.values():
            model = entry.model
            followed = wanted.get(model)
            if followed is None:
                followed = wanted[model] = interest.anyone(model)
            if followed:
                entries.append(entry)
        return entries


def record(
    using: str,
    model: type[Model],
    pk: Any,
    kind: Kind,
    *,
    instance: Model | None = None,
    old: dict[str, Any] | None = UNKNOWN,
    before: dict[str, Any] | None = None,
    capture: Capture | None = None,
) -> None:
    """Add a change to the open transaction's batch; outside one, publish it now."""
    connection = connections[using]  # transaction.get_connection(using), a call less
    if not connection.in_atomic_block:
        now = Batch(using)
        now.record(model, pk, kind, instance=instance, old=old, before=before, capture=capture)
        now()
        return
    batch = open_batch(connection)
    if batch is None:
        batch = Batch(using, frozenset(connection.savepoint_ids))
        connection.on_commit(batch)  # transaction.on_commit(), minus finding the connection
    deeper = bool(connection.savepoint_ids) and not batch.sids.issuperset(connection.savepoint_ids)
    batch.record(
        model,
        pk,
        kind,
        instance=instance,
        old=old,
        before=before,
        capture=capture,
        uncertain=deeper,
    )


def open_batch(connection: BaseDatabaseWrapper) -> Batch | None:
    """The batch registered in this transaction, if it is still to be called.

    Reads ``run_on_commit``, the list Django keeps of ``(savepoint ids, callback, robust)``
    (its ``TestCase.captureOnCommitCallbacks`` reads it too): a rollback removes the batch
    from it, so a batch found there is always the live one.
    """
    for registered in connection.run_on_commit:
        func = registered[1]
        if isinstance(func, Batch):
            return func
    return None


def _pending(name: str) -> dict[tuple[str, type[Model], Any], Any]:
    pending: dict[tuple[str, type[Model], Any], Any] | None = getattr(_local, name, None)
    if pending is None:
        pending = {}
        setattr(_local, name, pending)
    return pending


def pre_save_receiver(
    sender: type[Model], instance: Model, raw: bool = False, using: str = "default", **kwargs: Any
) -> None:
    """Read what an update needs to know of the row before it, with one query, only for an
    object's first change in the transaction: the filter columns (for models whose
    subscriptions filter) or the whole state (first changed in a deeper savepoint)."""
    if raw or instance._state.adding or instance.pk is None or not interest.anyone(sender):
        return
    connection = transaction.get_connection(using)
    batch = open_batch(connection) if connection.in_atomic_block else None
    if batch is not None and (sender, instance.pk) in batch.entries:
        return
    deeper = batch is not None and not set(connection.savepoint_ids) <= batch.sids
    attnames = registry.filter_attnames(sender)
    if not (attnames or deeper):
        return
    rows = sender._base_manager.using(using).filter(pk=instance.pk)
    row = rows.first() if deeper else rows.values(*attnames).first()
    state = _row_state(sender, row)
    old = None if state is None else {name: state[name] for name in attnames}
    _pending("old")[(using, sender, instance.pk)] = (old, state if deeper else None)


def _row_state(model: type[Model], row: Model | dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    if isinstance(row, Model):
        return instance_state(row)
    fields = {field.attname: field for field in model._meta.concrete_fields}
    return {name: jsonable(fields[name], value) for name, value in row.items()}


def post_save_receiver(
    sender: type[Model],
    instance: Model,
    created: bool,
    raw: bool = False,
    using: str = "default",
    **kwargs: Any,
) -> None:
    pk = instance.pk
    pending = getattr(_local, "old", None)  # what pre_save read, if it read anything
    old, before = pending.pop((using, sender, pk), _NOT_READ) if pending else _NOT_READ
    if not registry.filter_attnames(sender):
        old = {}
    kind: Kind = CREATE if created else UPDATE
    record(using, sender, pk, kind, instance=instance, old=old, before=before)


def pre_delete_receiver(
    sender: type[Model], instance: Model, using: str = "default", **kwargs: Any
) -> None:
    """Capture the object's last state while its row still exists (with no subscriber, the
    state only: no query; should one arrive before the commit, its process asks)."""
    if interest.anyone(sender):
        captured = capture(sender, instance, using)
    else:
        captured = Capture(state=instance_state(instance), member={})
    _pending("deleting")[(using, sender, instance.pk)] = captured


def post_delete_receiver(
    sender: type[Model], instance: Model, using: str = "default", **kwargs: Any
) -> None:
    captured = _pending("deleting").pop((using, sender, instance.pk), None)
    if captured is None:
        return
    old = {name: captured.state.get(name) for name in registry.filter_attnames(sender)}
    record(using, sender, instance.pk, DELETE, capture=captured, old=old, before=captured.state)


def notify(
    model: type[Model], pks: Iterable[Any], action: Kind, *, using: str | None = None
) -> None:
    """Announce changes that bypassed model signals, so subscribers hear of them.

    - after ``bulk_create()``: ``notify(Choice, [c.pk for c in created], "create")``;
    - after ``QuerySet.update()``: ``notify(Choice, pks, "update")``. The old values of filter
      fields are unknown then: a subscriber whose filter the object matches now gets an
      ``update``, others nothing (no enter or leave);
    - before a delete that sends no signal (raw SQL): ``notify(Choice, pks, "delete")``, in
      the same transaction, while the rows still exist to be read.

    Inside a transaction the events are sent on commit and coalesced with the transaction's
    other changes of the same objects; outside one, at once. ``QuerySet.delete()`` needs no
    call: it sends ``pre_delete``/``post_delete`` for models typedws watches.
    """
    if action not in EVENT_ACTIONS:
        raise ValueError(f"action must be one of {', '.join(EVENT_ACTIONS)}, not {action!r}.")
    if not registry.bindings_for(model):
        return
    using = using or router.db_for_write(model)
    keys = [model._meta.pk.to_python(pk) for pk in pks]
    if action != DELETE:
        for pk in keys:
            record(using, model, pk, action, old=UNKNOWN)
        return
    for instance in model._base_manager.using(using).filter(pk__in=keys):
        captured = capture(model, instance, using)
        old = {name: captured.state.get(name) for name in registry.filter_attnames(model)}
        record(using, model, instance.pk, DELETE, capture=captured, old=old)
