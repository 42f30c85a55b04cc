"""System check typedws.W002: Redis reads that time out before RedisChannelLayer's pop."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import registry
from django.test import override_settings

from typedws.layer_checks import check_redis_timeouts

CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"


def layers(backend: str, hosts: Any = None) -> dict[str, Any]:
    config = {} if hosts is None else {"hosts": hosts}
    return {"default": {"BACKEND": backend, "CONFIG": config}}


@pytest.mark.parametrize(
    ("backend", "hosts", "ids"),
    [
        # redis-py's default socket_timeout (5 s) equals the 5 s blocking pop.
        (CORE, ["redis://127.0.0.1:6379/0"], ["typedws.W002"]),
        (CORE, None, ["typedws.W002"]),
        (CORE, [("127.0.0.1", 6379)], ["typedws.W002"]),
        (CORE, ["redis://127.0.0.1:6379/0?socket_timeout=5"], ["typedws.W002"]),
        (CORE, [{"address": "redis://h:6379/0", "socket_timeout": 3}], ["typedws.W002"]),
        (CORE, ["redis://127.0.0.1:6379/0?socket_timeout=15"], []),
        (CORE, [{"address": "redis://h:6379/0", "socket_timeout": 15}], []),
        (CORE, [{"host": "h", "port": 6379, "socket_timeout": None}], []),
        # The pub/sub layer reads with its own short timeouts.
        (PUBSUB, ["redis://127.0.0.1:6379/0"], []),
        ("channels.layers.InMemoryChannelLayer", None, []),
    ],
)
def test_short_socket_timeouts_are_warned_of(backend: str, hosts: Any, ids: list[str]) -> None:
    with override_settings(CHANNEL_LAYERS=layers(backend, hosts)):
        assert [m.id for m in check_redis_timeouts()] == ids


def test_the_check_is_registered() -> None:
    assert check_redis_timeouts in registry.registry.get_checks()


def test_the_demo_settings_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import demo.settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = importlib.reload(demo.settings)
    try:
        with override_settings(CHANNEL_LAYERS=settings.CHANNEL_LAYERS):
            assert check_redis_timeouts() == []
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(demo.settings)
