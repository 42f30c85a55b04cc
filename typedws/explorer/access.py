"""Who may open the explorer: two settings, read on every request.

``TYPEDWS["EXPLORER_ENABLED"]``
    ``None`` (the default) follows ``DEBUG``; ``True`` serves the page in production too (to
    the users the permission allows); ``False`` never serves it. A disabled page is a 404, as
    if the URL did not exist.
``TYPEDWS["EXPLORER_PERMISSION"]``
    The dotted path of a callable ``(request) -> bool``; default
    ``"typedws.explorer.access.debug_or_staff"``. A refused user gets a 403.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string

from typedws.settings import typedws_settings

__all__ = ["Permission", "debug_or_staff", "explorer_enabled", "explorer_permitted"]

Permission = Callable[[HttpRequest], bool]


def debug_or_staff(request: HttpRequest) -> bool:
    """The default permission: anyone while ``DEBUG`` is on, otherwise active staff users."""
    if settings.DEBUG:
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)


def explorer_enabled() -> bool:
    """Whether the page exists at all: the setting, or ``DEBUG`` when the setting is ``None``."""
    enabled = typedws_settings.EXPLORER_ENABLED
    return bool(settings.DEBUG if enabled is None else enabled)


def explorer_permitted(request: HttpRequest) -> bool:
    """Whether the permission named by ``EXPLORER_PERMISSION`` lets this request in."""
    permission: Permission = import_string(typedws_settings.EXPLORER_PERMISSION)
    return bool(permission(request))
