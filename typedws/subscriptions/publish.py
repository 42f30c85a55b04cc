"""Publishing a committed batch: one message per model to the model's group.

Each object's change becomes one event carrying the object's state, not its rendering: the
writer cannot know which bindings have subscribers (in any process), and rendering for every
binding serving the model would make every write pay for serializers nobody reads. Each
server process with subscribers renders an event once per binding (:mod:`.visibility`). The
message is::

    {"type": "typedws.events", "id": "<hex>", "model": "polls.choice", "using": "default",
     "body": "<JSON list of events>", "count": <len(events)>}

to which the outbox adds the batch's position in the model's history, ``epoch`` and
``first`` (its first event's seq; ``seq`` is the writer's stamp, :mod:`typedws.gaps`). A
durable batch's message (:mod:`.durable`) also names its outbox rows, ``"outbox": {"using":
..., "rows": [...]}``, which the outbox deletes once it is announced (and takes out of the
message first).

and each event::

    {"id": "<hex>", "kind": "create" | "update" | "delete", "pk": 7,
     "state": {<concrete column values>}, "old": {<filter columns before>} | null,
     "member": {<binding key>: bool}}

``member`` says, for bindings whose queryset is the same for everyone but filtered, whether it
holds the object (decided here once, for all readers; for a delete, just before it); ``body``
is JSON text, so that every layer carries it as one string (the in-memory layer deep-copies
each message per subscriber).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from django.db.models import Model

from typedws.encoding import dumps

from . import durable, outbox, registry
from .entries import CREATE, DELETE, UPDATE, Capture, Entry
from .state import instance_state, jsonable

__all__ = ["MESSAGE_TYPE", "capture", "message", "model_events", "publish", "shared_members"]

logger = logging.getLogger("typedws")

MESSAGE_TYPE: Final = "typedws.events"

# (existed before the transaction, exists after it) -> the event.
_KINDS: Final = {(False, True): CREATE, (True, True): UPDATE, (True, False): DELETE}


def publish(
    entries: Iterable[Entry],
    using: str,
    batch: str = "",
    rows: Mapping[str, Sequence[int]] | None = None,
) -> None:
    """Send the events of a committed transaction's entries, one message per model; ``rows``:
    the outbox rows of a durable batch, by model label."""
    by_model: dict[type[Model], list[Entry]] = defaultdict(list)
    for entry in entries:
        by_model[entry.model].append(entry)
    for model, model_entries in by_model.items():
        events = model_events(model, model_entries, using)
        model_rows = (rows or {}).get(model._meta.label_lower)
        if events:
            built = message(model, events, using)
            if model_rows:
                built["id"] = durable.message_id(batch, model._meta.label_lower, model_rows)
                built["outbox"] = {"using": using, "rows": list(model_rows)}
            outbox.send(registry.group_name(model), built)
        elif model_rows:
            # Nothing to announce (created and deleted in the transaction): nothing to keep.
            durable.forget(using, model_rows)


def model_events(model: type[Model], entries: list[Entry], using: str) -> list[dict[str, Any]]:
    bindings = registry.bindings_for(model)
    if not bindings:
        return []
    resolved = _resolve(model, entries, using)
    saved = [pk for kind, pk, _, _ in resolved if kind != DELETE]
    members = shared_members(bindings, model, saved, using)
    pk_field = model._meta.pk
    events = []
    for kind, pk, old, instance_or_capture in resolved:
        if isinstance(instance_or_capture, Capture):
            state, member = instance_or_capture.state, instance_or_capture.member
        else:
            state = instance_state(instance_or_capture)
            member = {key: pk in pks for key, pks in members.items()}
        events.append(
            {
                "id": uuid.uuid4().hex,
                "kind": kind,
                "pk": jsonable(pk_field, pk),
                "state": state,
                "old": old,
                "member": member,
            }
        )
    return events


def _resolve(
    model: type[Model], entries: list[Entry], using: str
) -> list[tuple[str, Any, dict[str, Any] | None, Any]]:
    """``(kind, pk, old filter values, instance or capture)`` of each entry that is an event.

    The final state comes from the database when the instance is unknown (:func:`notify`),
    holds expressions (``F("votes") + 1``), or a savepoint may have undone the change.
    """
    ask = {e.pk for e in entries if e.uncertain or (not e.deleted and _needs_fetch(e.instance))}
    rows = model._base_manager.using(using).filter(pk__in=ask) if ask else []
    fetched = {row.pk: row for row in rows}
    resolved = []
    for entry in entries:
        instance = fetched.get(entry.pk) if entry.pk in ask else entry.instance
        exists = instance is not None if entry.pk in ask else not entry.deleted
        kind = _KINDS.get((entry.existed_before, exists))
        if kind is None or (kind == DELETE and entry.capture is None):
            continue
        if kind == UPDATE and _undone(entry, instance):
            continue
        old = None if kind == CREATE else entry.old
        resolved.append((kind, entry.pk, old, entry.capture if kind == DELETE else instance))
    return resolved


def _undone(entry: Entry, instance: Model | None) -> bool:
    """Whether savepoint rollbacks undid every change of an object that still exists."""
    return (
        entry.before is not None
        and instance is not None
        and (instance_state(instance) == entry.before)
    )


def _needs_fetch(instance: Model | None) -> bool:
    if instance is None:
        return True
    return any(hasattr(value, "resolve_expression") for value in instance.__dict__.values())


def capture(model: type[Model], instance: Model, using: str) -> Capture:
    """``instance`` as subscribers may see it for the last time, before it is deleted."""
    members = shared_members(registry.bindings_for(model), model, [instance.pk], using)
    return Capture(
        state=instance_state(instance),
        member={key: instance.pk in pks for key, pks in members.items()},
    )


def shared_members(
    bindings: Mapping[str, type[Any]], model: type[Model], pks: Iterable[Any], using: str
) -> dict[str, set[Any]]:
    """For each binding whose queryset is everyone's but filtered (``Question.objects.filter(
    published=True)``): which of ``pks`` it holds. One query per such binding; none for an
    unfiltered queryset, which holds every object."""
    pks = list(pks)
    members: dict[str, set[Any]] = {}
    if not pks:
        return members
    for key, binding in bindings.items():
        if not registry.is_shared(binding) or not registry.filters_shared_queryset(binding):
            continue
        queryset = binding.queryset.all()
        if queryset.query.is_sliced:
            held = {pk for pk in queryset.values_list("pk", flat=True) if pk in pks}
        else:
            held = set(queryset.using(using).filter(pk__in=pks).values_list("pk", flat=True))
        members[key] = held
    return members


def message(model: type[Model], events: list[dict[str, Any]], using: str) -> dict[str, Any]:
    """The channel-layer message announcing ``events`` of ``model``."""
    return {
        "type": MESSAGE_TYPE,
        "id": uuid.uuid4().hex,
        "model": model._meta.label_lower,
        "using": using,
        "body": dumps(events),
        "count": len(events),
    }
