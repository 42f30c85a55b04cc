"""The floor of the fan-out benchmark: a bare Channels ``group_send`` of the payload a typedws
event carries, to consumers that send it on as JSON (no database write, no check, no
rendering).

Channels' own ``AsyncConsumer.dispatch`` makes a thread hop (``close_old_connections``) for
every message, group messages included: with K subscribers in one process that is K hops
queued on one thread per event. A floor does the least a fan-out needs, so this one skips that
hop, as typedws's consumer does (DCRF's consumers make it).
"""

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

FLOOR_GROUP = "bench.floor"


class FloorConsumer(AsyncJsonWebsocketConsumer):
    """``{"action": "subscribe"}`` joins the group; ``{"action": "publish", "payload": {...}}``
    sends the payload to it with one ``group_send``; both are answered ``{"ok": <action>}``."""

    async def dispatch(self, message: Any) -> None:
        await getattr(self, get_handler_name(message))(message)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        action = content.get("action")
        if action == "subscribe":
            await self.channel_layer.group_add(FLOOR_GROUP, self.channel_name)
        elif action == "publish":
            message = {"type": "floor.event", "payload": content["payload"]}
            await self.channel_layer.group_send(FLOOR_GROUP, message)
        await self.send_json({"ok": action})

    async def floor_event(self, message: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "event", "stream": "questions", "payload": message["payload"]}
        )

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(FLOOR_GROUP, self.channel_name)
