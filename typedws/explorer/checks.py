"""System checks of the explorer's settings, called by :func:`typedws.checks.check_settings`."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error
from django.utils.module_loading import import_string

__all__ = ["EXPLORER_SETTINGS", "explorer_setting_errors"]

EXPLORER_SETTINGS = frozenset({"EXPLORER_ENABLED", "EXPLORER_PERMISSION"})


def explorer_setting_errors(key: str, value: Any) -> list[CheckMessage]:
    """The problems of ``TYPEDWS[key]``, one of :data:`EXPLORER_SETTINGS`."""
    if key == "EXPLORER_ENABLED":
        if value is None or isinstance(value, bool):
            return []
        return [
            Error(
                "TYPEDWS['EXPLORER_ENABLED'] must be None, True or False.",
                hint="None serves the explorer only while DEBUG is on.",
                id="typedws.E101",
            )
        ]
    return _permission_errors(value)


def _permission_errors(value: Any) -> list[CheckMessage]:
    hint = 'For example "typedws.explorer.access.debug_or_staff": a callable (request) -> bool.'
    if not (isinstance(value, str) and "." in value):
        message = "TYPEDWS['EXPLORER_PERMISSION'] must be the dotted path of a callable."
        return [Error(message, hint=hint, id="typedws.E102")]
    try:
        permission = import_string(value)
    except ImportError as exc:
        message = f"TYPEDWS['EXPLORER_PERMISSION']: cannot import {value!r}: {exc}"
        return [Error(message, hint=hint, id="typedws.E102")]
    if not callable(permission):
        message = f"TYPEDWS['EXPLORER_PERMISSION']: {value!r} is not callable."
        return [Error(message, hint=hint, id="typedws.E102")]
    return []
