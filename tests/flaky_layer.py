"""An in-memory channel layer that can be taken down and brought back, as Redis can.

``go_down()`` makes every call raise ``ConnectionError`` (the pending ``receive`` too, as
channels_redis's does when Redis dies) and forgets every group (a Redis restarted without
persistence); ``go_up()`` ends the outage. ``joined`` is set by each ``group_add``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.layers import InMemoryChannelLayer


class FlakyLayer(InMemoryChannelLayer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.down = False
        self.outage = asyncio.Event()
        self.joined = asyncio.Event()

    def go_down(self) -> None:
        self.down = True
        self.groups.clear()
        self.outage.set()

    def go_up(self) -> None:
        self.down = False
        self.outage = asyncio.Event()

    def _check(self) -> None:
        if self.down:
            raise ConnectionError("Connection refused (the test's outage)")

    async def new_channel(self, prefix: str = "specific.") -> str:
        self._check()
        name: str = await super().new_channel(prefix)
        return name

    async def receive(self, channel: str) -> Any:
        self._check()
        receiving = asyncio.ensure_future(super().receive(channel))
        outage = asyncio.ensure_future(self.outage.wait())
        await asyncio.wait({receiving, outage}, return_when=asyncio.FIRST_COMPLETED)
        outage.cancel()
        if receiving.done():
            return receiving.result()
        receiving.cancel()
        raise ConnectionError("Connection closed by server (the test's outage)")

    async def group_add(self, group: str, channel: str) -> None:
        self._check()
        await super().group_add(group, channel)
        self.joined.set()

    async def group_discard(self, group: str, channel: str) -> None:
        self._check()
        await super().group_discard(group, channel)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        self._check()
        await super().group_send(group, message)
