"""How one connection hears of the models it follows.

Following a model means, in this order: holding it (:func:`.interest.hold`: writers publish
its events from then on), then either attaching the connection's :class:`~.feeds.Inbox` to the
model's feed (the history in Redis: :mod:`.feeds`) or joining the model's channel-layer group
(the in-process history). Groups are joined again every ``GROUP_REFRESH_SECONDS``
(channels_redis forgets a member after its ``group_expiry``, silently) and after a layer outage.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from django.db.models import Model

from typedws.settings import typedws_settings

from . import feeds, interest, registry
from .feeds import Inbox
from .stores import carries_events

__all__ = ["Following"]


class Following:
    """The models one connection follows, through feeds or groups."""

    def __init__(self, layer: Any, channel_name: str, inbox: Inbox) -> None:
        self.layer = layer
        self.channel_name = channel_name
        self.inbox = inbox
        self.models: set[type[Model]] = set()
        self._groups: set[str] = set()
        self._fed: set[str] = set()
        self._refresh: asyncio.Task[None] | None = None

    @property
    def groups(self) -> frozenset[str]:
        """The groups joined."""
        return frozenset(self._groups)

    async def follow(self, models: set[type[Model]]) -> None:
        """Follow exactly ``models``. Raises if the layer or the history fails: what did not
        change is changed by the next call."""
        for model in models - self.models:
            await interest.hold(model)  # before the ack: writers then publish its events
        for model in self.models - models:
            interest.release(model)
        self.models = set(models)
        if carries_events():
            await self._feed({model._meta.label_lower for model in models})
        else:
            await self._join({registry.group_name(model) for model in models})
        self._keep_groups()

    async def rejoin(self) -> None:
        """Join every group again (after a layer outage: a restarted Redis forgot them)."""
        for group in sorted(self._groups):
            await self.layer.group_add(group, self.channel_name)

    async def _join(self, groups: set[str]) -> None:
        for group in sorted(groups - self._groups):
            await self.layer.group_add(group, self.channel_name)
            self._groups.add(group)
        for group in sorted(self._groups - groups):
            await self.layer.group_discard(group, self.channel_name)
            self._groups.discard(group)

    async def _feed(self, labels: set[str]) -> None:
        for label in sorted(labels - self._fed):
            await feeds.attach(label, self.inbox)
            self._fed.add(label)
        for label in sorted(self._fed - labels):
            feeds.detach(label, self.inbox)
            self._fed.discard(label)

    def _keep_groups(self) -> None:
        if self._groups and self._refresh is None:
            self._refresh = asyncio.ensure_future(self._refreshing())
        elif not self._groups and self._refresh is not None:
            self._refresh.cancel()
            self._refresh = None

    async def _refreshing(self) -> None:
        while True:
            await asyncio.sleep(typedws_settings.GROUP_REFRESH_SECONDS)
            for group in sorted(self._groups):
                with contextlib.suppress(Exception):
                    await self.layer.group_add(group, self.channel_name)
