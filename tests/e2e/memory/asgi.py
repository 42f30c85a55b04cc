"""The demo, plus ``GET /debug/live`` for the memory test: after a full garbage collection, how
many per-connection objects the server process still holds, and its resident memory."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

from demo.asgi import application as demo_application
from typedws.consumer import APIConsumer
from typedws.gaps import GapDetector
from typedws.layerlink import LayerLink
from typedws.request import ConnectionContext
from typedws.sendqueue import SendQueue
from typedws.subscriptions.connection import ConnectionSubscriptions

PER_CONNECTION = (
    APIConsumer,
    ConnectionContext,
    ConnectionSubscriptions,
    LayerLink,
    SendQueue,
    GapDetector,
)


def live() -> dict[str, Any]:
    gc.collect()
    counts = dict.fromkeys((kind.__name__ for kind in PER_CONNECTION), 0)
    for obj in gc.get_objects():
        for kind in PER_CONNECTION:
            if isinstance(obj, kind):
                counts[kind.__name__] += 1
    from channels.layers import get_channel_layer

    layer: Any = get_channel_layer()
    counts["layer channels"] = len(getattr(layer, "channels", {}))
    counts["layer groups"] = sum(len(members) for members in getattr(layer, "groups", {}).values())
    status = Path("/proc/self/status").read_text()
    rss = next(line for line in status.splitlines() if line.startswith("VmRSS"))
    return {"objects": counts, "rss_kib": int(rss.split()[1])}


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http" and scope["path"] == "/debug/live":
        body = json.dumps(live()).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await demo_application(scope, receive, send)  # type: ignore[arg-type]
