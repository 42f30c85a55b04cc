"""``manage.py typedws_sweep``: publish the durable outbox's rows that their writers left.

Each server process with a connection sweeps the outbox already (:mod:`typedws.subscriptions.
sweeper`). Run this where none does next to the writers (writers that are Celery workers, a
server that only writes): ``--once`` publishes what is due and exits; without it, it sweeps
every ``OUTBOX_SWEEP_SECONDS`` until SIGTERM or SIGINT. Any number may run at once: each row is
taken by one sweeper (``SKIP LOCKED``).
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from channels.layers import InMemoryChannelLayer
from django.core.management.base import BaseCommand, CommandError, CommandParser

from typedws.layers import get_layer
from typedws.subscriptions import durable
from typedws.subscriptions.stores import configured
from typedws.subscriptions.sweeper import sweep_due, sweep_until

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = "Publish the durable outbox's rows their writers left (DURABLE_EVENTS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Publish the rows due now and exit (default: sweep until SIGTERM or SIGINT).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if configured()[0] == "memory" and isinstance(get_layer(), InMemoryChannelLayer):
            # Published there, the rows would be deleted and their events reach no one.
            raise CommandError(
                "typedws_sweep needs a history or a channel layer shared with the server "
                "processes (Redis: CHANNEL_LAYERS with channels_redis, or "
                'TYPEDWS["HISTORY_REDIS_URL"]); this process\'s are in memory.'
            )
        if not durable.enabled():
            # Rows written before it was turned off are still worth publishing.
            self.stderr.write(
                'Warning: TYPEDWS["DURABLE_EVENTS"] is off: writers write no outbox rows.'
            )
        if options["once"]:
            published = asyncio.run(sweep_due())
        else:
            self.stdout.write("Sweeping the outbox until SIGTERM or SIGINT.")
            published = asyncio.run(_sweep_until_signalled())
        self.stdout.write(f"Published {published} outbox row(s).")


async def _sweep_until_signalled() -> int:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stopping.set)
    return await sweep_until(stopping)
