"""typedws: Django REST Framework resources served live over one WebSocket, as a typed contract.

The public names are importable from here; they load on first use, so that importing
``typedws`` (as Django does for ``INSTALLED_APPS``) stays cheap and needs no app registry.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = [
    "API",
    "GenericBinding",
    "ReadOnlyResourceBinding",
    "ResourceBinding",
    "SubscribeModelMixin",
    "action",
    "binding_for_viewset",
    "notify",
]

_EXPORTS = {
    "API": "typedws.api",
    "GenericBinding": "typedws.generics",
    "ReadOnlyResourceBinding": "typedws.bindings",
    "ResourceBinding": "typedws.bindings",
    "SubscribeModelMixin": "typedws.subscriptions.mixins",
    "action": "typedws.actions",
    "binding_for_viewset": "typedws.bindings",
    "notify": "typedws.subscriptions.changes",
}

if TYPE_CHECKING:
    from .actions import action
    from .api import API
    from .bindings import ReadOnlyResourceBinding, ResourceBinding, binding_for_viewset
    from .generics import GenericBinding
    from .subscriptions.changes import notify
    from .subscriptions.mixins import SubscribeModelMixin


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'typedws' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
