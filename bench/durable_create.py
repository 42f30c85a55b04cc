"""The cost of history and of durable events on ``create``: N creates, each in its own
transaction, made as a server process makes them (``database_sync_to_async`` from a running
event loop, whose outbox task publishes), timed until the last one is published; in three
modes:

- ``bare``: typedws's signals disconnected (the floor);
- ``unfollowed``: the default, and no connection follows the model (nothing is published);
- ``history``: the model is followed: each batch appended to the history and sent;
- ``durable``: followed, and ``TYPEDWS["DURABLE_EVENTS"]`` on (an outbox INSERT per create,
  a DELETE per batch).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh db> REDIS_URL=redis://... \\
python bench/durable_create.py 2000`` from the checkout (PYTHONPATH with the checkout and
example/); it migrates the database first. Prints microseconds per create for each mode.
Needs a Redis history (``REDIS_URL``): the script sets or clears the model's interest key
there (:mod:`typedws.subscriptions.interest`).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.e2e.scaleout.settings")

import django

django.setup()

from django.db import connections  # noqa: E402

# Persistent connections, as a production deployment has: a new PostgreSQL connection per
# create (the demo's CONN_MAX_AGE 0) would hide everything else.
connections.settings["default"]["CONN_MAX_AGE"] = None

from channels.db import database_sync_to_async  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save  # noqa: E402
from django.test import override_settings  # noqa: E402

from polls.models import Question  # noqa: E402
from typedws.settings import typedws_settings  # noqa: E402
from typedws.subscriptions import changes  # noqa: E402


def create(i: int) -> None:
    with transaction.atomic():
        Question.objects.create(question_text=f"bench {i}")


def creates(n: int, followed: bool = False) -> float:
    """Microseconds per create, ``n`` creates each in its own transaction, until published."""
    return asyncio.run(_creates(n, followed))


async def _creates(n: int, followed: bool) -> float:
    from typedws.subscriptions import interest

    source: Any = interest._source()
    if followed:
        source.declare("polls.question")
    else:
        source.client.delete(source.key("polls.question"))
    source.answers.clear()
    started = time.perf_counter()
    for i in range(n):
        await database_sync_to_async(create)(i)
    await _drained()
    return (time.perf_counter() - started) / n * 1e6


async def _drained() -> None:
    """Until the loop's outbox has announced everything (and deleted the outbox rows)."""
    from typedws.subscriptions import outbox

    queue = outbox._outboxes.get(asyncio.get_running_loop())
    while queue is not None and not queue.empty():
        await asyncio.sleep(0.001)
    # The last message taken off the queue is announced by now, or within a few yields.
    for _ in range(100):
        await asyncio.sleep(0)


def bare(n: int) -> float:
    receivers = [
        (pre_save, changes.pre_save_receiver),
        (post_save, changes.post_save_receiver),
        (pre_delete, changes.pre_delete_receiver),
        (post_delete, changes.post_delete_receiver),
    ]
    for signal, receiver in receivers:
        signal.disconnect(receiver, sender=Question, dispatch_uid="typedws:polls.question")
    try:
        return creates(n)
    finally:
        for signal, receiver in receivers:
            signal.connect(receiver, sender=Question, dispatch_uid="typedws:polls.question")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    call_command("migrate", verbosity=0)
    creates(100)  # warm up connections and caches
    results = {"bare": bare(n), "unfollowed": creates(n), "history": creates(n, followed=True)}
    with override_settings(TYPEDWS={**typedws_settings.user_settings, "DURABLE_EVENTS": True}):
        results["durable"] = creates(n, followed=True)
    floor = results["bare"]
    for mode, micros in results.items():
        print(f"{mode:10s} {micros:8.1f} us/create  {micros / floor:5.2f}x bare")


if __name__ == "__main__":
    main()
