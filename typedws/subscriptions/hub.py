"""The reader's hub: this process's subscribed connections, by binding, and the verdicts they
share.

Every subscribed connection of a process receives the same published batch. The first one to
ask for a binding's verdicts computes them (:func:`.visibility.compute`, in one thread hop) for
every user subscribed through that binding in this process; the others await the same future.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from typing import Any, Protocol
from weakref import WeakSet

from channels.db import database_sync_to_async

from .received import ReceivedBatch
from .visibility import Outcome, Rendered, Viewer, Visible, compute

__all__ = ["Subscriber", "local_subscribers", "verdicts"]

logger = logging.getLogger("typedws")


class Subscriber(Protocol):
    """What the hub needs of a connection: whose it is, and how that user sees a binding."""

    @property
    def user_key(self) -> Hashable: ...

    def viewer(self, binding: type[Any]) -> Viewer: ...


_local: dict[type[Any], WeakSet[Any]] = {}


def local_subscribers(binding: type[Any]) -> WeakSet[Any]:
    """The connections of this process subscribed through ``binding``."""
    return _local.setdefault(binding, WeakSet())


async def verdicts(
    batch: ReceivedBatch, binding: type[Any], asker: Subscriber, *, alone: bool = False
) -> tuple[dict[str, Visible], dict[str, Rendered]]:
    """The verdict on each event of ``batch`` for ``asker``'s user, by event id, and the
    renderings of the events; ``alone``: decided for the asker only (a replayed batch, which
    no other connection shares)."""
    future = batch.verdicts.get(binding)
    if future is None:
        subscribers = () if alone else local_subscribers(binding)
        users = {c.user_key: c.viewer(binding) for c in subscribers}
        users[asker.user_key] = asker.viewer(binding)
        future = asyncio.ensure_future(_compute(binding, batch, users))
        batch.verdicts[binding] = future
    # Shielded: a connection closing while it waits must not cancel the others' answer.
    outcome: Outcome = future.result() if future.done() else await asyncio.shield(future)
    mine = outcome.verdicts.get(asker.user_key)
    if mine is None:  # subscribed after the computation started
        extra = await _compute(binding, batch, {asker.user_key: asker.viewer(binding)})
        outcome.verdicts.update(extra.verdicts)
        outcome.data.update(extra.data)
        mine = extra.verdicts.get(asker.user_key, {})
    return mine, outcome.data


async def _compute(
    binding: type[Any], batch: ReceivedBatch, users: dict[Hashable, Viewer]
) -> Outcome:
    try:
        return await _compute_sync(binding, batch, users)
    except Exception:
        # Fail closed: nobody sees what could not be checked.
        logger.exception("typedws: visibility check failed for %s", binding.__qualname__)
        return Outcome({user: {} for user in users}, {})


_compute_sync = database_sync_to_async(compute)
