"""System checks: catch a mistyped or ill-typed ``TYPEDWS`` setting, or subscriptions without
a channel layer, at start-up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from .explorer.checks import EXPLORER_SETTINGS, explorer_setting_errors
from .settings import DEFAULTS

__all__ = ["check_channel_layer", "check_settings"]


@register()
def check_settings(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    value = getattr(settings, "TYPEDWS", None)
    if value is None:
        return []
    if not isinstance(value, dict):
        return [Error("TYPEDWS must be a dict.", id="typedws.E001")]
    errors = [error for key, setting in value.items() for error in _setting_errors(key, setting)]
    if errors:
        return errors
    if value.get("DEFAULT_PAGE_SIZE", DEFAULTS["DEFAULT_PAGE_SIZE"]) > value.get(
        "MAX_PAGE_SIZE", DEFAULTS["MAX_PAGE_SIZE"]
    ):
        errors.append(
            Error(
                "TYPEDWS['DEFAULT_PAGE_SIZE'] is larger than TYPEDWS['MAX_PAGE_SIZE'].",
                id="typedws.E004",
            )
        )
    return errors


def _setting_errors(key: str, setting: Any) -> list[CheckMessage]:
    if key not in DEFAULTS:
        known = ", ".join(sorted(DEFAULTS))
        return [
            Error(f"Unknown TYPEDWS setting {key!r}.", hint=f"Known: {known}.", id="typedws.E002")
        ]
    if key == "API":
        if setting is None or (isinstance(setting, str) and "." in setting):
            return []
        return [
            Error(
                "TYPEDWS['API'] must be the dotted path of an API object.",
                hint='For example "myproject.api.api".',
                id="typedws.E005",
            )
        ]
    if key in EXPLORER_SETTINGS:
        return list(explorer_setting_errors(key, setting))
    if isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1:
        return []
    return [Error(f"TYPEDWS[{key!r}] must be a positive integer.", id="typedws.E003")]


@register()
def check_channel_layer(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from .subscriptions.registry import subscribed_models

    if not subscribed_models() or getattr(settings, "CHANNEL_LAYERS", None):
        return []
    return [
        Warning(
            "Bindings serve subscriptions, but CHANNEL_LAYERS is not configured: subscribe is "
            "answered with a server error and no event is sent.",
            hint="Configure CHANNEL_LAYERS: channels_redis's RedisChannelLayer or "
            "RedisPubSubChannelLayer when several processes serve or write.",
            id="typedws.W001",
        )
    ]
