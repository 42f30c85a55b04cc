"""Whether anyone, in any process, is subscribed to a model: the writer's first question.

A write pays for subscriptions (a query for the old values of filter fields, the state of a
deleted object, the event, the channel layer) only when some connection somewhere may want it.
Readers *hold* a model while one of their connections subscribes to it (:func:`hold`, awaited
before the ``subscribe`` ack; :func:`release` when the last one leaves); writers ask
:func:`anyone`, once at the start of each signal receiver and once more when the transaction
commits, before publishing. The knowledge is the channel layer's to share:

- this process's holds answer first, exactly (the in-process ``InMemoryChannelLayer`` cannot
  reach another process anyway, so with it that is the whole answer);
- with a history in Redis (:mod:`.stores`: the default with channels_redis), a reader process
  also keeps the key ``<prefix>:typedws:interest:<app_label.model>`` alive on the history's
  Redis (``SET ... PX``, renewed every ``LEASE_SECONDS / 3``; never deleted: it
  expires :func:`retention` seconds after the last renewal; set again as soon as the model's
  feed sees its history start a new epoch, since a Redis that lost the history lost the key
  too: :func:`redeclare`). A writer trusts the key's presence or absence for
  ``ANSWER_SECONDS``, timed from before it asked;
- with any other layer, or when Redis cannot answer: everyone is assumed subscribed.

This is the one answer to "does anyone follow this model?": the history appends, and the live
feeds carry, only what a writer published after asking it.

A model stays of interest for :func:`retention` after its last subscriber left (the history's
retention, ``HISTORY_TTL``: a client that left may come back and resume from its position, so
the events it missed must be recorded). Stale answers err on the side of publishing. A "no" is
never trusted past the arrival of a subscriber: the first hold of a model in a process sets the
key (which records, in Redis's clock, when it was created) and, unless the key is already
``ANSWER_SECONDS`` old, waits until it is before the ack, so every "no" read before the key
existed has expired by then (a client resubscribing to a followed model is not kept waiting),
and the commit-time question of every transaction committed after the ack reads the key. Such a
transaction may have started before the subscriber arrived, its receivers told "no": its events
are then published from what was recorded without the extra reads (the old values of filter
fields unknown, as after :func:`~.changes.notify`; a deleted object's membership asked by the
reader).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Final, cast
from weakref import WeakKeyDictionary

from channels.layers import channel_layers
from django.db.models import Model

from typedws.layers import DEFAULT_CHANNEL_LAYER, get_layer
from typedws.settings import typedws_settings

from . import stores

__all__ = [
    "ANSWER_SECONDS",
    "LEASE_SECONDS",
    "anyone",
    "forget",
    "hold",
    "redeclare",
    "release",
    "retention",
]

logger = logging.getLogger("typedws")

ANSWER_SECONDS: Final = 0.5
"""How long a writer trusts an answer from Redis; also how long a process's first subscriber
to a model waits for its ack."""
LEASE_SECONDS: Final = 30.0
"""How long a reader's key outlives its last renewal."""

_held: dict[str, int] = {}  # label -> this process's connections subscribed to it
# label -> the current declaration of the key (set, and waited for): whether writers may have
# trusted a "no" until it was done
_ready: dict[str, asyncio.Future[bool]] = {}
_renewing: dict[str, asyncio.Task[None]] = {}
_released: dict[str, float] = {}  # label -> when this process's last subscriber left


def anyone(model: type[Model]) -> bool:
    """Whether some connection, in some process, may be subscribed to ``model`` (or was, within
    the history's retention: a client that left may resume that long, so its events are
    recorded)."""
    if typedws_settings.PUBLISH_UNFOLLOWED:
        return True  # every write is published, followed or not
    label = _labels.get(model)
    if label is None:
        label = _labels[model] = model._meta.label_lower  # a property: formatted per read
    return _held.get(label, 0) > 0 or _recently_held(label) or _source().anyone(label)


_labels: dict[type[Model], str] = {}  # as registry's caches: models live as long


def retention() -> float:
    """How long a model stays of interest after its last subscriber: the history's retention
    (a client that left may resume that long) plus a lease's renewal period."""
    return float(typedws_settings.HISTORY_TTL) + LEASE_SECONDS


def forget() -> None:
    """Forget the models this process's connections left (tests start from a quiet process)."""
    _released.clear()


def _recently_held(label: str) -> bool:
    released = _released.get(label)
    return released is not None and time.monotonic() - released < retention()


async def hold(model: type[Model]) -> None:
    """One more connection of this process subscribes to ``model``: returns once every writer
    knows it (call before the ``subscribe`` ack)."""
    label = model._meta.label_lower
    _held[label] = _held.get(label, 0) + 1
    if _held[label] == 1:
        _ready[label] = asyncio.ensure_future(_declare(label))
    await asyncio.shield(_ready[label])


def release(model: type[Model]) -> None:
    """One connection of this process no longer subscribes to ``model``."""
    label = model._meta.label_lower
    _held[label] = max(_held.get(label, 0) - 1, 0)
    if not _held[label]:
        _released[label] = time.monotonic()


def redeclare(label: str) -> asyncio.Future[bool] | None:
    """The model's history started a new epoch (Redis restarted without persistence, or
    flushed): its interest key may be gone with it, and writers in other processes would then
    publish nothing until the next renewal. Set it again now, if this process holds the model
    (``None`` if not); a subscriber arriving meanwhile waits for it, as for a first hold.

    The future says, once every "no" read before the key was back has expired, whether the
    key was missing: then writes committed until then may have gone unpublished."""
    if not _held.get(label):
        return None
    declared = _ready[label] = asyncio.ensure_future(_declare(label))
    return declared


async def _declare(label: str) -> bool:
    source = _source()
    if not isinstance(source, _Redis):
        return False
    unsure = await asyncio.to_thread(source.declare, label)
    renewing = _renewing.get(label)
    if renewing is None or renewing.done():
        _renewing[label] = asyncio.ensure_future(_renew(source, label))
    if unsure:  # writers may trust a "no" that long: wait it out before the ack
        await asyncio.sleep(unsure)
    return unsure > 0


async def _renew(source: _Redis, label: str) -> None:
    while True:
        await asyncio.sleep(LEASE_SECONDS / 3)
        if not _held.get(label):
            return
        await asyncio.to_thread(source.declare, label)


class _Local:
    """The in-process layer, or another process's: this process's holds are everything."""

    def anyone(self, label: str) -> bool:
        return False


class _Unknown:
    """A layer typedws cannot ask: everyone may be subscribed."""

    def anyone(self, label: str) -> bool:
        return True


class _Redis:
    """The interest keys on a channels_redis layer's first host."""

    def __init__(self, client: Any, prefix: str) -> None:
        import redis  # channels_redis's dependency

        self.client = client
        self.prefix = prefix
        self.errors = redis.RedisError
        self.answers: dict[str, tuple[float, bool]] = {}  # label -> (trusted until, answer)

    def key(self, label: str) -> str:
        return f"{self.prefix}:typedws:interest:{label}"

    def anyone(self, label: str) -> bool:
        now = time.monotonic()  # before asking: a "no" expires before a subscriber's ack
        cached = self.answers.get(label)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            answer = bool(self.client.exists(self.key(label)))
        except self.errors:
            logger.warning("typedws: Redis cannot say who subscribes; publishing", exc_info=True)
            answer = True
        self.answers[label] = (now + ANSWER_SECONDS, answer)
        return answer

    def declare(self, label: str) -> float:
        """Keep the model's key alive; how long a writer may still trust a "no" it read before
        the key existed (0 once the key is ``ANSWER_SECONDS`` old)."""
        try:
            age = float(self.client.eval(_DECLARE, 1, self.key(label), int(retention() * 1000)))
        except self.errors:
            logger.exception("typedws: cannot tell other processes of a subscription to %s", label)
            return ANSWER_SECONDS
        return ANSWER_SECONDS if age < 0 else max(ANSWER_SECONDS - age, 0.0)


# KEYS: the interest key. ARGV: its lifetime in ms. The key holds when it was created (Redis's
# clock); renewing keeps that. Returns the key's age in seconds, or -1 if it was just created.
_DECLARE: Final = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local created = tonumber(redis.call('GET', KEYS[1]))
if created then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return tostring(t - created)
end
redis.call('SET', KEYS[1], tostring(t), 'PX', ARGV[1])
return '-1'
"""


Source = _Local | _Unknown | _Redis
_sources: WeakKeyDictionary[Any, tuple[tuple[str, str | None, str], Source]] = WeakKeyDictionary()


def _source() -> Source:
    config = stores.configured()
    # Every write asks: the last answer first, while the layer and configuration are the same.
    last = _last_source
    if last and last[0] is channel_layers.backends.get(DEFAULT_CHANNEL_LAYER) and last[1] == config:
        return cast(Source, last[2])
    layer = get_layer()
    known = _sources.get(layer)
    if known is None or known[0] != config:
        known = _sources[layer] = (config, _source_for(layer, config))
    _last_source[:] = [layer, config, known[1]]
    return known[1]


_last_source: list[Any] = []  # [layer, configuration, source] of the last _source()


def _source_for(layer: Any, config: tuple[str, str | None, str]) -> Source:
    from channels.layers import InMemoryChannelLayer

    kind, url, prefix = config
    if kind == "redis" and url is not None:
        import redis  # channels_redis's dependency

        return _Redis(redis.Redis.from_url(url), prefix)
    if isinstance(layer, InMemoryChannelLayer):
        return _Local()
    return _Unknown()
