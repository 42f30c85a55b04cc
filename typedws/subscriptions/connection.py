"""One connection's subscriptions: changed by the binding's actions, fed by the
models' feeds or groups (:mod:`.following`).

The consumer creates a :class:`ConnectionSubscriptions` at connect and puts it in the scope,
where the ``subscribe`` actions find it (``request.scope``). An action changes it in its
thread hop while the consumer awaits; the consumer then calls :meth:`sync` (follow the models
now needed, and only those) *before* it sends the action's reply, so the acknowledgement
precedes every event, and after an ``unsubscribe`` reply nothing more arrives for it.
:meth:`sync` also starts new subscriptions at their position (filling in the acknowledgement's
``epoch``, ``seq``, ``recovered`` and ``reason``); the consumer calls :meth:`replay` after the
reply, which sends what a ``since`` resumed. Batches are handled in seq order, gaps repaired
from the history (:mod:`.positions`). Disconnecting leaves every feed and group (:meth:`close`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final

from django.core.exceptions import ImproperlyConfigured
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound

from typedws.protocol import EPOCH, REASON, RECOVERED, SEQ, ErrorCode, RequestId, position_text
from typedws.request import ConnectionContext
from typedws.settings import typedws_settings

from . import registry, sweeper
from .events import dcrf_frame, event_frame
from .feeds import Inbox
from .following import Following
from .hub import local_subscribers, verdicts
from .matching import Subscription, seen_as
from .membership import Membership
from .positions import Positions
from .received import ReceivedBatch, ReceivedEvent, received
from .visibility import SEEN

__all__ = ["SCOPE_KEY", "ConnectionSubscriptions", "TooManySubscriptions", "subscriptions_of"]

logger = logging.getLogger("typedws")

SCOPE_KEY: Final = "typedws.subscriptions"
KNOWN_PER_STREAM: Final = 10_000
"""How many visible pks a connection remembers per per-user stream (for deletes)."""


class TooManySubscriptions(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = ErrorCode.TOO_MANY_SUBSCRIPTIONS
    default_detail = "This connection holds as many subscriptions as it may."


def subscriptions_of(request: Any) -> ConnectionSubscriptions:
    """The subscriptions of the connection a request came on."""
    subscriptions = (getattr(request, "scope", None) or {}).get(SCOPE_KEY)
    if not isinstance(subscriptions, ConnectionSubscriptions):
        raise ImproperlyConfigured(
            "Subscriptions are served by typedws's APIConsumer: mount the API with "
            "`api.as_asgi()` (or `api.websocket_urlpatterns`)."
        )
    return subscriptions


def user_key(user: Any) -> Hashable:
    """What visibility verdicts are shared by: the user's pk, or one key for anonymous."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "anonymous"
    return ("user", user.pk)


class ConnectionSubscriptions:
    def __init__(
        self,
        layer: Any,
        channel_name: str,
        send: Callable[[str], Awaitable[None]],
        connection: ConnectionContext,
        inbox: Inbox | None = None,
    ) -> None:
        if layer is None:
            raise ImproperlyConfigured("typedws subscriptions need CHANNEL_LAYERS configured.")
        self.connection = connection
        self.user_key = user_key(connection.user)
        self.streams: dict[str, dict[Hashable, Subscription]] = {}
        self._send = send
        self._known: dict[str, OrderedDict[Any, None]] = {}
        # With a Redis history, batches come through the models' feeds into the inbox.
        self.inbox = inbox if inbox is not None else Inbox()
        self.following = Following(layer, channel_name, self.inbox)
        self._bindings: set[type[Any]] = set()
        self._dirty = False
        self.positions = Positions()
        # Per subscription: the seq of the last event sent (or its starting position); None
        # when events may have been lost since.
        self._sent: dict[Subscription, int | None] = {}
        self._starting: list[tuple[Subscription, dict[str, Any] | None]] = []
        self._replays: list[tuple[Subscription, list[ReceivedBatch]]] = []
        # A process serving sockets publishes the durable events a dead writer left.
        sweeper.start()

    @property
    def groups(self) -> frozenset[str]:
        """The groups joined."""
        return self.following.groups

    @property
    def channel_name(self) -> str:
        return self.following.channel_name

    @channel_name.setter
    def channel_name(self, name: str) -> None:
        self.following.channel_name = name

    @property
    def count(self) -> int:
        return sum(len(subscriptions) for subscriptions in self.streams.values())

    def viewer(self, binding: type[Any]) -> tuple[ConnectionContext, Membership | None]:
        """What deciding visibility for this connection's user needs: its request, and the
        SQL of its per-user queryset (from its latest subscription through ``binding``)."""
        membership = None
        for subscriptions in self.streams.values():
            for subscription in subscriptions.values():
                if subscription.binding is binding and subscription.membership is not None:
                    membership = subscription.membership
        return self.connection, membership

    # --- Called by the binding's actions, in their thread hop -------------------------------

    def add(
        self, subscription: Subscription, *, seen: Any = None, ack: dict[str, Any] | None = None
    ) -> None:
        """Add (or, with the same ``request_id`` on the stream, replace) a subscription;
        ``seen`` is a pk the subscriber was just shown to be allowed to see; ``ack`` is the
        acknowledgement's data, whose position :meth:`sync` fills in."""
        subscriptions = self.streams.setdefault(subscription.stream, {})
        key: Hashable = subscription.request_id
        if key is None:
            key = object()  # several subscriptions without a request_id accumulate
        limit = typedws_settings.MAX_SUBSCRIPTIONS
        if key not in subscriptions and self.count >= limit:
            raise TooManySubscriptions(
                f"This connection already holds {limit} subscriptions (MAX_SUBSCRIPTIONS); "
                "unsubscribe first."
            )
        replaced = subscriptions.pop(key, None)
        if replaced is not None:
            self._sent.pop(replaced, None)
        subscriptions[key] = subscription
        self._starting.append((subscription, ack))
        self._dirty = True
        if seen is not None:
            self._learn(subscription.stream, seen, True)

    def remove(self, stream: str, request_id: RequestId | None = None) -> int:
        """Remove the stream's subscription ``request_id``, or all of them."""
        subscriptions = self.streams.get(stream, {})
        if request_id is None:
            removed = len(subscriptions)
            for subscription in subscriptions.values():
                self._sent.pop(subscription, None)
            subscriptions.clear()
        elif request_id in subscriptions:
            self._sent.pop(subscriptions.pop(request_id), None)
            removed = 1
        else:
            raise NotFound(f"No subscription {request_id!r} on stream {stream!r}.")
        self._prune(stream)
        return removed

    def remove_instance(self, stream: str, lookup: Any) -> int:
        """Remove the stream's ``subscribe_instance`` subscriptions to ``lookup``."""
        subscriptions = self.streams.get(stream, {})
        keys = [k for k, s in subscriptions.items() if s.dcrf and str(s.raw_pk) == str(lookup)]
        for key in keys:
            self._sent.pop(subscriptions.pop(key), None)
        self._prune(stream)
        return len(keys)

    def _prune(self, stream: str) -> None:
        self._dirty = True
        if not self.streams.get(stream):
            self.streams.pop(stream, None)
            self._known.pop(stream, None)

    # --- On the event loop --------------------------------------------------------------------

    async def sync(self) -> None:
        """Follow the models the subscriptions need, and only those."""
        if not self._dirty:
            return
        bindings = {s.binding for subs in self.streams.values() for s in subs.values()}
        for binding in bindings - self._bindings:
            local_subscribers(binding).add(self)
        for binding in self._bindings - bindings:
            local_subscribers(binding).discard(self)
        self._bindings = bindings
        models = {s.model for subs in self.streams.values() for s in subs.values()}
        # ``_dirty`` stays set until every call below succeeded (the layer may fail).
        await self.following.follow(models)
        for model in set(self.positions.cursors) - models:
            self.positions.forget(model)
        self._dirty = False
        await self._start()

    def mark_changed(self) -> None:
        """Make the next :meth:`sync` look at the groups again (after ``streams`` was restored
        or a sync failed half-way)."""
        self._dirty = True

    async def rejoin(self) -> None:
        """Join every group the subscriptions need, even those joined before: after a channel
        layer outage (a restarted Redis has forgotten them)."""
        self._dirty = True
        await self.sync()
        await self.following.rejoin()

    async def _start(self) -> None:
        """Start each new subscription at its position; a ``since`` replays up to it."""
        starting, self._starting = self._starting, []
        for subscription, ack in starting:
            if not self._holds(subscription):
                continue  # replaced or removed before it started
            cursor = await self.positions.follow(subscription.model)
            epoch, seq, recovered, reason = cursor.epoch, cursor.last, None, None
            if subscription.since is not None:
                model, since = subscription.model, subscription.since
                batches, reason = await self.positions.replay(model, since)
                recovered = reason is None
                if recovered:
                    epoch, seq = subscription.since
                    self._replays.append((subscription, batches))
            self._sent[subscription] = seq
            if ack is not None:
                ack.update({EPOCH: epoch, SEQ: seq, RECOVERED: recovered, REASON: reason})

    def _holds(self, subscription: Subscription) -> bool:
        return any(s is subscription for s in self.streams.get(subscription.stream, {}).values())

    async def replay(self) -> None:
        """Send what the subscriptions just started with ``since`` missed (after their
        acknowledgement)."""
        replays, self._replays = self._replays, []
        for subscription, batches in replays:
            for batch in batches:
                if self._holds(subscription):
                    await self._deliver(batch, subscription.stream, [subscription], fresh=True)

    async def close(self) -> None:
        """Forget every subscription and leave every group (on disconnect)."""
        self.streams.clear()
        self._known.clear()
        self._sent.clear()
        self._dirty = True
        await self.sync()

    async def deliver(self, message: dict[str, Any]) -> None:
        """Send the event frames a published batch means for this connection."""
        batch = received(message)
        if batch is None:
            return
        batches, lost = await self.positions.order(batch)
        if lost:
            logger.warning("typedws: events of %s lost before seq %d", batch.model, batch.first)
            self.lost(batch.model._meta.label_lower)
        for each in batches:
            for stream, subscriptions in list(self.streams.items()):
                found = list(subscriptions.values())
                if found and found[0].model is each.model:
                    await self._deliver(each, stream, found)

    def lost(self, label: str) -> None:
        """Events of the model ``label`` may be missing: the next event of each of its
        subscriptions says so (``prev: null``)."""
        for subscription in self._sent:
            if subscription.model._meta.label_lower == label:
                self._sent[subscription] = None

    async def _deliver(
        self,
        batch: ReceivedBatch,
        stream: str,
        subscriptions: list[Subscription],
        fresh: bool = False,
    ) -> None:
        binding = subscriptions[0].binding
        plan = _plan(batch, subscriptions, track=self._tracks(binding, subscriptions))
        if not plan:
            return
        visible, rendered = await verdicts(batch, binding, self, alone=fresh)
        for event, hits in plan:
            verdict = visible.get(event.id, False)
            if verdict == SEEN:
                verdict = event.pk in self._known.get(stream, ())
            if self._tracks(binding, subscriptions):
                self._learn(stream, event.pk, bool(verdict) and event.kind != "delete")
            if not verdict:
                continue
            data = rendered.get(event.id)
            if data is None:
                continue  # it could not be rendered (logged)
            for subscription, action in hits:
                prev = self._sent.get(subscription)
                if prev is not None and event.seq <= prev:
                    continue  # sent already (a resume overlapping live events)
                self._sent[subscription] = event.seq
                position = position_text(batch.epoch_json, event.seq, prev)
                await self._send(_frame(batch, event, subscription, action, data, position))

    @staticmethod
    def _tracks(binding: type[Any], subscriptions: list[Subscription]) -> bool:
        """Whether deletes on this stream depend on what the connection has seen."""
        return not registry.is_shared(binding) and any("delete" in s.actions for s in subscriptions)

    def _learn(self, stream: str, pk: Any, visible: bool) -> None:
        known = self._known.setdefault(stream, OrderedDict())
        if visible:
            known[pk] = None
            known.move_to_end(pk)
            if len(known) > KNOWN_PER_STREAM:
                known.popitem(last=False)
        else:
            known.pop(pk, None)


Plan = list[tuple[ReceivedEvent, list[tuple[Subscription, str]]]]


def _plan(batch: ReceivedBatch, subscriptions: list[Subscription], track: bool) -> Plan:
    """Each event some subscription wants (or that tells what the connection may see), with
    the subscriptions it goes to and what it is for each."""
    attnames = _filtered(subscriptions)
    plan: Plan = []
    for event in batch.events:
        old, new = event.filter_values(attnames) if attnames else (None, None)
        hits: list[tuple[Subscription, str]] = []
        observed = False
        for subscription in subscriptions:
            action = seen_as(subscription, event.kind, event.pk, old, new)
            if action is not None:
                observed = True
                if action in subscription.actions:
                    hits.append((subscription, action))
        if hits or (observed and track):
            plan.append((event, hits))
    return plan


def _filtered(subscriptions: list[Subscription]) -> tuple[str, ...]:
    """The fields the subscriptions filter on (usually none: nothing to compute)."""
    if not any(subscription.filter for subscription in subscriptions):
        return ()
    return tuple(sorted({name for s in subscriptions for name in s.filter}))


def _frame(
    batch: ReceivedBatch,
    event: ReceivedEvent,
    subscription: Subscription,
    action: str,
    data: tuple[Any, str],
    position: str,
) -> str:
    if subscription.dcrf:
        return dcrf_frame(subscription, action, data[0], data[1], position)
    return event_frame(subscription, action, event.pk_json, data[1], batch.model_json, position)
