"""The channel layer as a connection sees it: failures contained, recovery with backoff.

Requests never need the channel layer; only subscriptions do. Channels' own consumer loop
(``await_many_dispatch`` over the socket and ``channel_layer.receive``) ends, and closes the
socket, the first time the layer raises (Redis restarting, unreachable, a read timeout). Here:

- :class:`LayerHealth` (one per layer and event loop) knows whether the layer is up. Any failed
  layer call marks it down; while down, one probe task per process retries a harmless
  ``group_send`` with exponential backoff (:data:`FIRST_RETRY` to :data:`LAST_RETRY` seconds)
  until it succeeds, and marks it up again.
- :class:`LayerLink` (one per connection) is what the consumer's loop awaits instead of
  ``channel_layer.receive``. It never raises: when the layer goes down it waits until it is up
  and then hands the consumer a :data:`RECOVERED` message, on which the consumer joins its
  groups again (:meth:`~typedws.subscriptions.connection.ConnectionSubscriptions.rejoin`).
- :meth:`LayerLink.serve` runs one request: a ``subscribe`` while the layer is down is
  refused with :class:`LayerUnavailable` (503) and changes nothing; any other action's group
  changes are kept and applied when the layer is back.

Both channels_redis layers are served: ``RedisChannelLayer`` raises from ``receive``;
``RedisPubSubChannelLayer`` reconnects its own subscriber and is seen down by the probe and by
``group_add``/``group_send`` failures.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any, Final, TypeVar
from weakref import WeakKeyDictionary

from rest_framework import status
from rest_framework.exceptions import APIException

from .gaps import GapDetector
from .protocol import ErrorCode

__all__ = [
    "FIRST_RETRY",
    "LAST_RETRY",
    "RECOVERED",
    "LayerHealth",
    "LayerLink",
    "LayerUnavailable",
    "health_of",
    "unpublished",
]

logger = logging.getLogger("typedws")
_T = TypeVar("_T")

FIRST_RETRY: Final = 0.1
"""Seconds before the first probe of a layer that failed; doubled up to :data:`LAST_RETRY`."""
LAST_RETRY: Final = 1.0
"""The longest wait between probes: a layer that is back is seen within about a second."""
RECOVERED: Final = "typedws.layer_recovered"
"""The type of the message :class:`LayerLink` hands the consumer when the layer is back."""
PROBE_GROUP: Final = "typedws.probe"
SUBSCRIBING: Final = frozenset({"subscribe", "subscribe_instance"})
"""Actions that need the layer now: refused with 503 while it is down."""


class LayerUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = ErrorCode.LAYER_UNAVAILABLE
    default_detail = "Subscriptions are unavailable: the channel layer is unreachable. Retry later."


class LayerHealth:
    """Whether one channel layer is reachable, as this process last saw it."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.loop = asyncio.get_running_loop()
        self.up = True
        self.outages = 0
        self._up = asyncio.Event()
        self._up.set()
        self._down = asyncio.Event()
        self._probe: asyncio.Task[None] | None = None

    def failed(self, exc: BaseException) -> None:
        """A layer call raised: mark the layer down and start probing it."""
        if not self.up:
            return
        self.up = False
        self.outages += 1
        self._up.clear()
        self._down.set()
        logger.warning(
            "typedws: the channel layer failed (%s: %s); subscriptions are suspended until it "
            "answers again",
            type(exc).__name__,
            exc,
        )
        self._probe = self.loop.create_task(self._recover(), name="typedws-probe")

    def succeeded(self) -> None:
        if self.up:
            return
        self.up = True
        self._down.clear()
        self._up.set()
        logger.warning("typedws: the channel layer answers again; subscriptions resume")

    async def wait_down(self) -> None:
        await self._down.wait()

    async def wait_up(self) -> None:
        await self._up.wait()

    async def _recover(self) -> None:
        delay = FIRST_RETRY
        while not self.up:
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))
            try:
                # Harmless on both channels_redis layers: nobody is in the group.
                await self.layer.group_send(PROBE_GROUP, {"type": "typedws.probe"})
            except Exception:
                delay = min(delay * 2, LAST_RETRY)
                continue
            self.succeeded()


_healths: WeakKeyDictionary[Any, LayerHealth] = WeakKeyDictionary()


def health_of(layer: Any) -> LayerHealth:
    """The health of ``layer`` on the running event loop."""
    health = _healths.get(layer)
    if health is None or health.loop is not asyncio.get_running_loop():
        health = _healths[layer] = LayerHealth(layer)
    return health


def unpublished(layer: Any, group: str, exc: BaseException) -> None:
    """A batch of events could not be sent (on the server's loop): say so, once per batch,
    without a traceback; the outage itself is logged once by :class:`LayerHealth`."""
    health_of(layer).failed(exc)
    logger.warning(
        "typedws: subscription events to %s were lost: the channel layer failed (%s)",
        group,
        type(exc).__name__,
    )


class LayerLink:
    """One connection's channel and its receiving side, failures contained."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.health = health_of(layer)
        self.channel_name = ""
        self._receiving: asyncio.Task[Any] | None = None
        self._down: asyncio.Task[None] | None = None
        self.gaps = GapDetector(layer)

    async def open(self) -> str:
        """Ask the layer for the connection's channel; "" if it is down (asked again later)."""
        if self.health.up:
            try:
                self.channel_name = await self.layer.new_channel()
            except Exception as exc:
                self.health.failed(exc)
        return self.channel_name

    @property
    def ready(self) -> bool:
        return self.health.up and bool(self.channel_name)

    async def receive(self) -> dict[str, Any]:
        """The next message for the connection; :data:`RECOVERED` after an outage."""
        while not self.channel_name:
            await self.health.wait_up()
            if await self.open():
                return {"type": RECOVERED}
        if self._receiving is None:
            self._receiving = asyncio.ensure_future(self.layer.receive(self.channel_name))
        if self._down is None:
            # One watcher for many messages: a task per message would cost every event.
            self._down = asyncio.ensure_future(self.health.wait_down())
        await asyncio.wait({self._receiving, self._down}, return_when=asyncio.FIRST_COMPLETED)
        if self._down.done():
            self._down = None
        if self._receiving.done():
            received, self._receiving = self._receiving, None
            try:
                message: dict[str, Any] = received.result()
            except Exception as exc:
                self.health.failed(exc)
            else:
                return message
        # The layer went down: the pending receive (if any) is kept, not cancelled, since
        # cancelling RedisPubSubChannelLayer.receive unsubscribes the channel.
        await self.health.wait_up()
        return {"type": RECOVERED}

    async def close(self) -> None:
        if self._down is not None:
            self._down.cancel()
            self._down = None
        if self._receiving is not None:
            self._receiving.cancel()
            with suppress(BaseException):
                await self._receiving
            self._receiving = None

    async def call(self, call: Callable[[], Awaitable[None]]) -> bool:
        """Run a layer call; ``False`` (and the layer marked down) if it failed."""
        try:
            await call()
        except Exception as exc:
            self.health.failed(exc)
            return False
        return True

    async def serve(self, action: str, subscriptions: Any, call: Callable[[], Awaitable[_T]]) -> _T:
        """Run one request (``call``): refuse a ``subscribe`` while the layer is down, then
        apply the request's group changes, or keep them for :meth:`rejoin` if the layer
        fails. (A plain coroutine, not a context manager: every frame comes through here.)"""
        subscribing = action in SUBSCRIBING
        if subscribing and not self.ready:
            raise LayerUnavailable()
        # The channel may have been opened after an outage while the RECOVERED message still
        # waits in the loop's queue behind this request: the link's name is the current one.
        subscriptions.channel_name = self.channel_name
        saved = {s: dict(subs) for s, subs in subscriptions.streams.items()} if subscribing else {}
        joined = subscriptions.groups
        result = await call()
        synced = await self.call(subscriptions.sync)
        if subscriptions.groups != joined:
            self.gaps.joined(set(subscriptions.groups - joined))
        if synced or not subscribing:
            return result
        subscriptions.streams.clear()
        subscriptions.streams.update(saved)
        subscriptions.mark_changed()
        raise LayerUnavailable()

    async def rejoin(self, subscriptions: Any) -> None:
        """After an outage: join every group the subscriptions need (Redis may have lost
        them), and leave those they no longer need."""
        subscriptions.channel_name = self.channel_name
        self.gaps.joined()
        await self.call(subscriptions.rejoin)

    async def leave(self, subscriptions: Any) -> None:
        """On disconnect: leave every group; a layer that is down forgets them by itself
        (``group_expiry``) or never had them (a restarted Redis)."""
        if self.channel_name:
            await self.call(subscriptions.close)
