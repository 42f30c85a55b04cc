"""The ``TYPEDWS`` settings namespace.

Read lazily, each setting kept once read, and reloaded when Django's ``setting_changed``
fires, so ``override_settings(TYPEDWS={...})`` works in tests and nothing is frozen at import
time::

    TYPEDWS = {"DEFAULT_PAGE_SIZE": 50, "MAX_FRAME_BYTES": 32 * 1024}

    from typedws.settings import typedws_settings
    typedws_settings.DEFAULT_PAGE_SIZE  # 50
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

__all__ = ["DEFAULTS", "typedws_settings"]

DEFAULTS: dict[str, Any] = {
    # Page size of ``list`` when the request names none.
    "DEFAULT_PAGE_SIZE": 25,
    # Upper bound for a ``page_size`` asked for by a client.
    "MAX_PAGE_SIZE": 100,
    # Text frames longer than this (UTF-8 bytes) are answered with 413, unparsed. Sized so that
    # the costliest frame of this size parses and validates in ~15 ms (docs/protocol.md).
    "MAX_FRAME_BYTES": 64 * 1024,
    # Error items one reply lists; one final item says how many more were left out.
    "MAX_ERRORS": 100,
    # Live subscriptions one connection may hold; the next ``subscribe`` is answered with 429.
    "MAX_SUBSCRIPTIONS": 100,
    # Bytes of frames (replies, events) one connection may have waiting to be sent; a client
    # that falls further behind is closed with CloseCode.SLOW_CONSUMER (docs/protocol.md).
    "MAX_SEND_QUEUE_BYTES": 1024 * 1024,
    # Where each stream's history lives (docs/subscriptions.md, "Resuming"): "auto" (Redis
    # when the channel layer is channels_redis's or HISTORY_REDIS_URL is set, else this
    # process), "redis" or "memory".
    "HISTORY": "auto",
    # The Redis of the history; None: the default channel layer's first host.
    "HISTORY_REDIS_URL": None,
    # Batches of events kept per model (a transaction's changes of one model are one batch).
    "HISTORY_SIZE": 10_000,
    # Seconds an entry stays resumable; a model's history expires this long after its last event.
    "HISTORY_TTL": 600,
    # Publish the events of a model no connection has followed within HISTORY_TTL: each write
    # then pays a history append (and, with the in-process history, a channel-layer send)
    # that nobody reads. Off: such a write costs no Redis call (docs/subscriptions.md, "What
    # writes pay"); a process's first subscriber to a model waits 0.5 s for its ack.
    "PUBLISH_UNFOLLOWED": False,
    # Seconds between re-joins of a connection's channel-layer groups, when events travel
    # through them (the in-process history; channels_redis forgets a group member after its
    # group_expiry, one day by default).
    "GROUP_REFRESH_SECONDS": 3600,
    # Record each change in the write's own transaction (typedws's outbox table) and publish it
    # after the commit, so a process dying in between loses no event (docs/subscriptions.md,
    # "Durable events"). Costs one INSERT per changed object and a DELETE per batch.
    "DURABLE_EVENTS": False,
    # Outbox rows older than this many seconds are published by any live server process (their
    # writer died, or could not publish).
    "OUTBOX_GRACE_SECONDS": 2,
    # Seconds between two looks at the outbox table, in each server process.
    "OUTBOX_SWEEP_SECONDS": 1,
    # Dotted path of the project's API object ("polls.api.api"), for manage.py typedws_schema.
    "API": None,
    # The explorer page (docs/explorer.md): None serves it only while DEBUG is on.
    "EXPLORER_ENABLED": None,
    # Dotted path of a callable (request) -> bool: who may open the explorer.
    "EXPLORER_PERMISSION": "typedws.explorer.access.debug_or_staff",
}


class TypedWSSettings:
    """Attribute access to ``settings.TYPEDWS`` merged over :data:`DEFAULTS`."""

    # Declared for type checkers; the values come from ``__getattr__``.
    DEFAULT_PAGE_SIZE: int
    MAX_PAGE_SIZE: int
    MAX_FRAME_BYTES: int
    MAX_ERRORS: int
    MAX_SUBSCRIPTIONS: int
    MAX_SEND_QUEUE_BYTES: int
    HISTORY: str
    HISTORY_REDIS_URL: str | None
    HISTORY_SIZE: int
    HISTORY_TTL: int
    GROUP_REFRESH_SECONDS: int
    PUBLISH_UNFOLLOWED: bool
    DURABLE_EVENTS: bool
    OUTBOX_GRACE_SECONDS: float
    OUTBOX_SWEEP_SECONDS: float
    API: str | None
    EXPLORER_ENABLED: bool | None
    EXPLORER_PERMISSION: str

    def __init__(self) -> None:
        self._cache: dict[str, Any] | None = None

    @property
    def user_settings(self) -> dict[str, Any]:
        value = getattr(settings, "TYPEDWS", None) or {}
        return dict(value)

    def __getattr__(self, name: str) -> Any:
        # Only called for a setting not read since the last reload: the value is then kept as
        # an instance attribute, which later reads find without coming here (every frame
        # reads several settings).
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid typedws setting: {name!r}")
        if self._cache is None:
            self._cache = {**DEFAULTS, **self.user_settings}
        value = self._cache[name]
        setattr(self, name, value)
        return value

    def reload(self) -> None:
        for name in DEFAULTS:
            self.__dict__.pop(name, None)
        self._cache = None


typedws_settings = TypedWSSettings()


@receiver(setting_changed)
def _reload_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "TYPEDWS":
        typedws_settings.reload()
