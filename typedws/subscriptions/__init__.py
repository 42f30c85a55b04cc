"""Live subscriptions: model changes pushed to the clients that may see them.

Two sides, possibly in different processes, joined by the channel layer:

- the **writer** (any process that saves models: the server, a shell, a worker) records each
  change of a model some binding serves (:mod:`.changes`), and on ``transaction.on_commit``
  coalesces them per object, renders each once per binding and sends one message per model
  to that model's group (:mod:`.publish`);
- the **reader** (each server process) keeps each connection's subscriptions
  (:mod:`.connection`), matches every change against them (:mod:`.matching`), decides once per
  event and user whether it may be seen (:mod:`.visibility`), and sends event frames
  (:mod:`.events`).

Bindings get the ``subscribe`` actions from :class:`~.mixins.SubscribeModelMixin`; writes
that bypass model signals are announced with :func:`~.changes.notify`.

The public names load on first use: the contract (:mod:`typedws.schema.subscriptions`) imports
:mod:`.registry` from here before any binding is defined.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__all__ = ["SubscribeModelMixin", "notify"]

_EXPORTS = {
    "SubscribeModelMixin": "typedws.subscriptions.mixins",
    "notify": "typedws.subscriptions.changes",
}

if TYPE_CHECKING:
    from .changes import notify
    from .mixins import SubscribeModelMixin


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'typedws.subscriptions' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
