"""The benchmark server's settings (``benchproj.settings``) for the fan-out workload: plus the
per-user ``fanoutapp``, and the channel layer named by ``BENCH_LAYER``: ``memory`` (Channels'
in-memory layer, the default), ``redis`` (channels_redis's ``RedisChannelLayer``) or ``pubsub``
(its ``RedisPubSubChannelLayer``) on ``BENCH_REDIS_URL``."""

import os
from typing import Any

from benchproj.settings import *  # noqa: F403
from benchproj.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "fanoutapp"]
ASGI_APPLICATION = "benchproj.fanout_asgi.application"

_LAYERS = {
    "redis": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}


def _channel_layers(layer: str) -> Any:
    if layer == "memory":
        # 500 subscribers: the default capacity (100 per channel) is plenty, one event at a time.
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": _LAYERS[layer],
            "CONFIG": {
                "hosts": [os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")],
                "prefix": os.environ.get("BENCH_LAYER_PREFIX", "bench"),
            },
        }
    }


CHANNEL_LAYERS = _channel_layers(os.environ.get("BENCH_LAYER", "memory"))
