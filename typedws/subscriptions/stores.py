"""Which history store this process uses: ``TYPEDWS["HISTORY"]`` and friends, and whether
live events are read from it.

``"auto"`` (the default) is Redis when ``HISTORY_REDIS_URL`` is set or the default channel
layer is channels_redis's (its first host), else the in-process ring buffer.

Live events are read from the history (:mod:`.feeds`) when every process that writes appends
to it: the history is in Redis, or it is in this process and so is the channel layer
(Channels' ``InMemoryChannelLayer``, configured or installed by :mod:`typedws.layers`). Only an
in-process history next to another layer (channels_redis with ``"HISTORY": "memory"``, a layer
of your own) sends them through the layer's groups.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from typedws.settings import typedws_settings

from .history import History, MemoryHistory

__all__ = ["carries_events", "configured", "get_history", "reset"]

REDIS_LAYERS: Final = (
    "channels_redis.core.RedisChannelLayer",
    "channels_redis.pubsub.RedisPubSubChannelLayer",
)
IN_MEMORY_LAYER: Final = "channels.layers.InMemoryChannelLayer"

_stores: dict[tuple[str, str | None, str], History] = {}


def get_history() -> History:
    """The history store the settings name (one per process and configuration)."""
    kind, url, prefix = configured()
    store = _stores.get((kind, url, prefix))
    if store is None:
        store = _redis(url or "", prefix) if kind == "redis" else MemoryHistory()
        _stores[(kind, url, prefix)] = store
    return store


def carries_events() -> bool:
    """Whether live events travel through the history (:mod:`.feeds`) rather than the channel
    layer's groups."""
    return configured()[0] == "redis" or bool(_default_layer().get("BACKEND") == IN_MEMORY_LAYER)


def _default_layer() -> dict[str, Any]:
    """The default channel layer's setting: Channels' in-memory layer when ``CHANNEL_LAYERS``
    names none (:func:`typedws.layers.get_layer` installs it)."""
    layers = getattr(settings, "CHANNEL_LAYERS", None) or {}
    layer: dict[str, Any] = layers.get("default", {"BACKEND": IN_MEMORY_LAYER})
    return layer


def reset() -> None:
    """Forget every in-process history (a new epoch for each); for tests."""
    _stores.clear()


def _redis(url: str, prefix: str) -> History:
    # Imported here: without a Redis history typedws needs no redis package (channels_redis
    # brings it).
    from .redis_history import RedisHistory

    return RedisHistory(url, prefix)


def configured() -> tuple[str, str | None, str]:
    """The history's kind (``"redis"`` or ``"memory"``), its Redis URL and its key prefix
    (read once, and again after the settings change: every write asks)."""
    if not _configuration:
        _configuration.append(_read_configuration())
    return _configuration[0]


_configuration: list[tuple[str, str | None, str]] = []


def _forget_configuration(*, setting: str, **kwargs: Any) -> None:
    if setting in ("TYPEDWS", "CHANNEL_LAYERS"):
        _configuration.clear()


setting_changed.connect(_forget_configuration, weak=False, dispatch_uid="typedws.stores")


def _read_configuration() -> tuple[str, str | None, str]:
    kind = typedws_settings.HISTORY
    url = typedws_settings.HISTORY_REDIS_URL
    layer = _default_layer()
    if kind == "auto":
        kind = "redis" if url or layer.get("BACKEND") in REDIS_LAYERS else "memory"
    if kind not in ("redis", "memory"):
        raise ImproperlyConfigured(
            f'TYPEDWS["HISTORY"] must be "auto", "redis" or "memory", not {kind!r}.'
        )
    if kind == "redis" and url is None:
        url = _layer_url(layer)
    # Projects sharing a Redis keep their histories apart as their channel layers do.
    return kind, url, str(layer.get("CONFIG", {}).get("prefix", "asgi"))


def _layer_url(layer: dict[str, Any]) -> str:
    hosts = layer.get("CONFIG", {}).get("hosts") or []
    host = hosts[0] if hosts else None
    if isinstance(host, dict):
        host = host.get("address")
    if isinstance(host, str):
        return host
    if isinstance(host, tuple | list) and len(host) == 2:
        return f"redis://{host[0]}:{host[1]}/0"
    raise ImproperlyConfigured(
        'TYPEDWS["HISTORY"] is "redis": set TYPEDWS["HISTORY_REDIS_URL"] (the channel '
        "layer names no Redis host it can use)."
    )
