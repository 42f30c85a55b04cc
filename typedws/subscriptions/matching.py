"""A subscription, and the rule that says what a change is from its point of view.

Without a filter, a change is what it is. With a filter, the subscriber follows a filtered
list, so an object moving in or out of it is a ``create`` or a ``delete`` for this subscriber
(the filter is compared with the object's values before and after the change):

=====================  =====================  =========================================
before the change      after it               the subscriber gets
=====================  =====================  =========================================
matched                matches                ``update``
did not match          matches                ``create`` (entered the list)
matched                does not match         ``delete`` (left it; ``data`` is current)
did not match          does not match         nothing
created                matches                ``create``
matched                deleted                ``delete``
unknown (``notify``)   matches                ``update``
unknown (``notify``)   does not match         nothing
=====================  =====================  =========================================

The subscriber then gets the event only if it subscribed to that action (and to that pk,
when it named one), and only if it may see the object (:mod:`.visibility`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

from django.db.models import Model

from typedws.encoding import dumps
from typedws.protocol import EPOCH, EVENT_ACTIONS, REASON, RECOVERED, SEQ, RequestId

from . import registry
from .membership import Membership

__all__ = ["Subscription", "seen_as"]

_TRANSITIONS: Final[Mapping[tuple[bool, bool], str | None]] = {
    (True, True): "update",
    (False, True): "create",
    (True, False): "delete",
    (False, False): None,
}


@dataclass(frozen=True, slots=True, eq=False)
class Subscription:
    """One ``subscribe`` of one connection, checked and normalized (equal only to itself)."""

    stream: str
    binding: type[Any]
    request_id: RequestId | None
    actions: frozenset[str]
    pk: Any = None
    """The object's primary key as the model holds it, or ``None`` for any object."""
    raw_pk: Any = None
    """The pk as the client sent it: events echo it with the same JSON type."""
    filter: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """Column attribute name -> the value, as the model holds it."""
    filter_wire: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The filter as the client sent it (field name -> JSON value)."""
    dcrf: bool = False
    """Made with ``subscribe_instance``: events take djangochannelsrestframework's shape."""
    membership: Membership | None = None
    """For a per-user queryset: its SQL, compiled for the subscriber when it subscribed."""
    since: tuple[str, int] | None = None
    """The position ``(epoch, seq)`` the client asked to resume after."""
    model: type[Model] = field(init=False)
    # Pre-encoded JSON pieces of every event frame of this subscription.
    stream_json: str = field(init=False)
    request_id_json: str = field(init=False)
    raw_pk_json: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", registry.model_of(self.binding))
        object.__setattr__(self, "stream_json", dumps(self.stream))
        object.__setattr__(self, "request_id_json", dumps(self.request_id))
        object.__setattr__(self, "raw_pk_json", dumps(self.raw_pk))

    def describe(self) -> dict[str, Any]:
        """The subscription as its acknowledgement reports it; the connection fills in the
        position and the recovery when it starts the subscription."""
        return {
            "request_id": self.request_id,
            "action": [action for action in EVENT_ACTIONS if action in self.actions],
            "pk": self.raw_pk,
            "filter": dict(self.filter_wire),
            EPOCH: None,
            SEQ: None,
            RECOVERED: None,
            REASON: None,
        }


def seen_as(
    subscription: Subscription,
    kind: str,
    pk: Any,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> str | None:
    """What a change is for ``subscription`` (whichever actions it asked for), or ``None``.

    ``old`` and ``new`` are the filter columns' values before and after the change, as the
    model holds them; ``old`` is ``None`` when unknown or created, ``new`` for a delete.
    """
    if subscription.pk is not None and subscription.pk != pk:
        return None
    wanted = subscription.filter
    if not wanted:
        return kind
    if kind == "delete":
        return "delete" if old is not None and _matches(wanted, old) else None
    now = new is not None and _matches(wanted, new)
    if kind == "create" or old is None:
        return kind if now else None
    return _TRANSITIONS[(_matches(wanted, old), now)]


def _matches(wanted: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return all(values.get(name) == value for name, value in wanted.items())
