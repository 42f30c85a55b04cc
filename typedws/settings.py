"""The ``TYPEDWS`` settings namespace.

Read lazily on each access and reloaded when Django's ``setting_changed`` fires, so
``override_settings(TYPEDWS={...})`` works in tests and nothing is frozen at import time::

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
        if name not in DEFAULTS:
            raise AttributeError(f"Invalid typedws setting: {name!r}")
        if self._cache is None:
            self._cache = {**DEFAULTS, **self.user_settings}
        return self._cache[name]

    def reload(self) -> None:
        self._cache = None


typedws_settings = TypedWSSettings()


@receiver(setting_changed)
def _reload_settings(*, setting: str, **kwargs: Any) -> None:
    if setting == "TYPEDWS":
        typedws_settings.reload()
