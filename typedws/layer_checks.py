"""System check: a ``RedisChannelLayer`` whose Redis reads time out before its blocking pop.

channels_redis's ``RedisChannelLayer`` waits for messages with a blocking pop of
``brpop_timeout`` seconds (5). redis-py's default socket timeout is also 5 seconds, so on an
idle connection the socket read can time out first: the receive raises ``TimeoutError`` and,
without typedws's :mod:`~typedws.layerlink`, the socket closes; with it, subscriptions stall until
the layer is probed again, and a message popped at that moment can be lost. A host's
``socket_timeout`` (in its URL, ``?socket_timeout=15``, or its dict) must be longer than the
pop, or ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.utils.module_loading import import_string

__all__ = ["check_redis_timeouts", "socket_timeout"]

CORE_LAYER: Final = "channels_redis.core.RedisChannelLayer"
REDIS_PY_SOCKET_TIMEOUT: Final = 5.0
"""redis-py's default ``socket_timeout`` (``redis._defaults.DEFAULT_SOCKET_TIMEOUT``)."""


@register()
def check_redis_timeouts(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for alias, config in (getattr(settings, "CHANNEL_LAYERS", None) or {}).items():
        pop = _blocking_pop(config.get("BACKEND", ""))
        if pop is None:
            continue
        hosts = (config.get("CONFIG") or {}).get("hosts") or [("localhost", 6379)]
        for host in hosts:
            timeout = socket_timeout(host)
            if timeout is not None and timeout <= pop:
                messages.append(_warning(alias, host, timeout, pop))
    return messages


def _blocking_pop(backend: str) -> float | None:
    """The blocking pop's seconds of a ``RedisChannelLayer`` (or subclass) backend, else None."""
    try:
        layer = import_string(backend)
        core = import_string(CORE_LAYER)
    except ImportError:
        return None
    if not (isinstance(layer, type) and issubclass(layer, core)):
        return None
    pop: float = getattr(layer, "brpop_timeout", 5)
    return float(pop)


def socket_timeout(host: Any) -> float | None:
    """The ``socket_timeout`` redis-py will use for a channels_redis ``hosts`` entry."""
    if isinstance(host, dict):
        if "socket_timeout" in host:
            value = host["socket_timeout"]
            return None if value is None else float(value)
        host = host.get("address", "")
    if isinstance(host, str):
        values = parse_qs(urlsplit(host).query).get("socket_timeout")
        if values:
            return float(values[-1])
    return REDIS_PY_SOCKET_TIMEOUT


def _warning(alias: str, host: Any, timeout: float, pop: float) -> Warning:
    return Warning(
        f"CHANNEL_LAYERS[{alias!r}]: Redis host {host!r} has a socket_timeout of {timeout:g} s, "
        f"not longer than RedisChannelLayer's blocking pop ({pop:g} s): idle subscriptions "
        "stall on read timeouts and can lose events.",
        hint="Set a longer timeout: '?socket_timeout=15' in the URL, or "
        "{'address': url, 'socket_timeout': 15} (see docs/subscriptions.md).",
        id="typedws.W002",
    )
