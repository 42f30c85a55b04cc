"""Publishing the outbox rows a writer left behind (durable events, :mod:`.durable`).

Each server process with a connection runs one sweeper task on its event loop (started by
:func:`start`) while ``TYPEDWS["DURABLE_EVENTS"]`` is on. Every ``OUTBOX_SWEEP_SECONDS`` it
looks, in each database the outbox table lives in, for rows older than
``OUTBOX_GRACE_SECONDS`` (their writer died between commit and publish, or could not reach
Redis), locks them (``SELECT ... FOR UPDATE SKIP LOCKED``: two processes never take the same
rows), publishes each batch as its writer would have, under the same message id, and deletes
them in the same transaction. A sweeper dying before its commit leaves the rows to the next
one; the history stores a batch once per id (``once``), so no event is published twice.

Where no server process with connections runs next to the writers (Celery workers writing, say),
``manage.py typedws_sweep`` runs the same sweeps on its own: :func:`sweep_due` once
(``--once``), or :func:`sweep_until` a signal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from datetime import timedelta
from typing import Final
from weakref import WeakKeyDictionary

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.apps import apps
from django.db import connections, router, transaction
from django.utils import timezone

from typedws.models import OutboxRow
from typedws.settings import typedws_settings

from . import durable, outbox, registry
from .publish import message, model_events

__all__ = ["start", "sweep", "sweep_all", "sweep_due", "sweep_until"]

logger = logging.getLogger("typedws")

LIMIT: Final = 500
"""Rows one sweep takes, at most (whole batches)."""

_tasks: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]] = WeakKeyDictionary()


def start() -> None:
    """Start this event loop's sweeper, if durable events are on and it is not running."""
    if not durable.enabled():
        return
    loop = asyncio.get_running_loop()
    task = _tasks.get(loop)
    if task is None or task.done():
        _tasks[loop] = loop.create_task(_sweep_forever(), name="typedws-outbox-sweeper")


async def _sweep_forever() -> None:
    sweep_async = database_sync_to_async(sweep_all, thread_sensitive=False)
    while durable.enabled():
        # Spread: processes started together do not all look at once.
        await asyncio.sleep(typedws_settings.OUTBOX_SWEEP_SECONDS * random.uniform(0.5, 1.5))
        try:
            await sweep_async()
        except Exception:
            logger.exception("typedws could not publish the outbox's rows")


async def sweep_due() -> int:
    """Publish every row due now, :data:`LIMIT` at a time, from this event loop; how many.
    Rows another sweeper holds are left to it."""
    sweep_async = database_sync_to_async(sweep_all, thread_sensitive=False)
    total = 0
    while published := await sweep_async():
        total += published
    return total


async def sweep_until(stopping: asyncio.Event) -> int:
    """:func:`sweep_due` every ``OUTBOX_SWEEP_SECONDS`` until ``stopping`` is set (between two
    sweeps: a sweep under way finishes, its transaction committed); how many rows published."""
    total = 0
    while not stopping.is_set():
        try:
            total += await sweep_due()
        except Exception:
            logger.exception("typedws could not publish the outbox's rows")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), typedws_settings.OUTBOX_SWEEP_SECONDS)
    return total


def sweep_all() -> int:
    """:func:`sweep` each database the outbox table is in; the number of rows published."""
    aliases = [alias for alias in connections if router.allow_migrate_model(alias, OutboxRow)]
    return sum(sweep(alias) for alias in aliases)


def sweep(using: str) -> int:
    """Publish and delete the rows of ``using`` older than the grace period; how many."""
    cutoff = timezone.now() - timedelta(seconds=typedws_settings.OUTBOX_GRACE_SECONDS)
    with transaction.atomic(using=using):
        rows = list(
            OutboxRow.objects.using(using)
            .select_for_update(skip_locked=True)
            .filter(created__lt=cutoff)
            .order_by("id")[:LIMIT]
        )
        if len(rows) == LIMIT and rows[0].batch != rows[-1].batch:
            # The last batch may go on past the limit: it waits for the next sweep, whole.
            rows = [row for row in rows if row.batch != rows[-1].batch]
        batches: dict[tuple[str, str], list[OutboxRow]] = defaultdict(list)
        for row in rows:
            batches[(row.batch, row.label)].append(row)
        for (batch, label), batch_rows in batches.items():
            _publish(using, batch, label, batch_rows)
        OutboxRow.objects.using(using).filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def _publish(using: str, batch: str, label: str, rows: list[OutboxRow]) -> None:
    model = apps.get_model(label)
    by_object: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_object[row.object_pk].append(row)
    entries = [durable.entry_of(model, object_rows) for object_rows in by_object.values()]
    events = model_events(model, entries, using)
    if not events:
        return
    built = message(model, events, using)
    built["id"] = durable.message_id(batch, label, [row.pk for row in rows])
    async_to_sync(outbox.announce)(registry.group_name(model), built, True)
