"""System checks: catch a mistyped or ill-typed ``TYPEDWS`` setting at start-up, and say when
subscriptions are delivered within one process only (no ``CHANNEL_LAYERS``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, register

from .explorer.checks import EXPLORER_SETTINGS, explorer_setting_errors
from .layers import layer_configured
from .settings import DEFAULTS

__all__ = ["check_channel_layer", "check_settings", "check_socket_path"]


# Settings that are not positive integers: what they accept, and how to say it.
OTHER_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "DURABLE_EVENTS": (lambda value: isinstance(value, bool), "True or False"),
    "PUBLISH_UNFOLLOWED": (lambda value: isinstance(value, bool), "True or False"),
    "HISTORY": (lambda value: value in ("auto", "redis", "memory"), '"auto", "redis" or "memory"'),
    "HISTORY_REDIS_URL": (lambda value: value is None or isinstance(value, str), "a URL or None"),
    "OUTBOX_GRACE_SECONDS": (
        lambda value: isinstance(value, int | float) and not isinstance(value, bool) and value >= 0,
        "a number of seconds",
    ),
    "OUTBOX_SWEEP_SECONDS": (
        lambda value: isinstance(value, int | float) and not isinstance(value, bool) and value > 0,
        "a positive number of seconds",
    ),
}


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
    if key in OTHER_KINDS:
        allowed, wanted = OTHER_KINDS[key]
        if allowed(setting):
            return []
        return [Error(f"TYPEDWS[{key!r}] must be {wanted}.", id="typedws.E003")]
    if isinstance(setting, int) and not isinstance(setting, bool) and setting >= 1:
        return []
    return [Error(f"TYPEDWS[{key!r}] must be a positive integer.", id="typedws.E003")]


@register()
def check_channel_layer(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    from .subscriptions.registry import subscribed_models

    if not subscribed_models() or layer_configured():
        return []
    return [
        Info(
            "CHANNEL_LAYERS is not configured: subscription events are delivered within one "
            "process only. Several server processes, or writes from a shell or a worker, need "
            "a shared layer (pip install 'typedws[redis]').",
            hint='CHANNEL_LAYERS = {"default": {"BACKEND": '
            '"channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}',
            id="typedws.I001",
        )
    ]


@register()
def check_socket_path(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """An API routed somewhere else than its ``path``: its document and clients would point at
    a URL that does not answer."""
    from .routing import asgi_application, mounts

    return [
        Error(
            f"An API declared at path {mount.api.path!r} is routed at {mount.path!r}: its "
            "AsyncAPI document, the explorer and generated clients would use the wrong URL.",
            hint="Declare the path once: API(path=...) and "
            "URLRouter(api.websocket_urlpatterns) in asgi.py.",
            id="typedws.E010",
        )
        for mount in mounts(asgi_application())
        if mount.path is not None and mount.path != mount.api.path
    ]
