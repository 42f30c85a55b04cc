"""Connecting the writer's model signals, for the models some subscribable binding serves."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from . import changes

__all__ = ["connect_signals"]

_connected: set[type[Model]] = set()


def connect_signals(models: Iterable[type[Model]]) -> None:
    """Connect the writer's receivers for ``models`` (idempotent), for those models only:
    saves and deletes. Nothing on ``post_init``: loading objects costs nothing."""
    for model in models:
        if model not in _connected:
            uid = f"typedws:{model._meta.label_lower}"
            pre_save.connect(changes.pre_save_receiver, sender=model, dispatch_uid=uid)
            post_save.connect(changes.post_save_receiver, sender=model, dispatch_uid=uid)
            pre_delete.connect(changes.pre_delete_receiver, sender=model, dispatch_uid=uid)
            post_delete.connect(changes.post_delete_receiver, sender=model, dispatch_uid=uid)
            _connected.add(model)
