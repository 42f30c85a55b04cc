"""Whether a subscriber may see a change: what ``retrieve`` would let it see, decided once per
event, binding and user in each process (the hub, :mod:`.hub`, runs it in one thread hop).

:func:`compute` is a pure function of a received batch, a binding and the viewers (each
user's request and per-user queryset SQL): it touches no connection.

A subscriber sees an event about an object only if, at that moment, it could ``retrieve`` it
through the binding: the binding's permissions (``has_permission`` with ``self.action ==
"retrieve"``), ``filter_queryset(get_queryset())`` for its user holding the object, and the
object permissions (``has_object_permission``) on the object's state. Otherwise nothing is
sent: no error, no data.

What it costs:

- *Shared querysets* (``get_queryset()`` not overridden, filter backends that ignore an empty
  request): the writer already decided membership once for everyone (free for an unfiltered
  queryset), and permissions run in Python on the instance rebuilt from the event. No query.
- *Per-user querysets* (``get_queryset()`` overridden): each subscriber's queryset SQL is
  compiled when it subscribes (:mod:`.membership`); one query per event batch and process
  answers for up to 100 users at once, not one per subscriber.
- Verdicts depend on the user only: every connection of a user in a process shares them.

A deleted object can no longer be queried. For a per-user queryset, the binding's
``deleted_in_queryset(instance)`` may answer from the last state; by default the connection's
own knowledge decides: it gets the delete if it saw the object visible through this
subscription (it subscribed to its pk, or an earlier create/update event showed it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404
from rest_framework.exceptions import APIException

from typedws.actions import RETRIEVE
from typedws.encoding import dumps

from . import registry
from .membership import Membership, shared_membership, user_members
from .received import ReceivedBatch, ReceivedEvent

if TYPE_CHECKING:
    from typedws.request import ConnectionContext

__all__ = ["SEEN", "Outcome", "Rendered", "Viewer", "Visible", "compute", "render", "viewer"]

logger = logging.getLogger("typedws")

SEEN: Final = "seen"
Visible = bool | Literal["seen"]
Verdicts = dict[Any, dict[str, Visible]]  # user key -> event id -> verdict
Rendered = tuple[Any, str]  # an event's data, and its JSON
Viewer = tuple["ConnectionContext", Membership | None]  # a user's request, its queryset's SQL


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one thread hop decided for a batch and a binding."""

    verdicts: Verdicts
    data: dict[str, Rendered]
    """Each event someone may see, rendered once (``get_event_data``), by event id."""


def compute(binding: type[Any], batch: ReceivedBatch, users: dict[Any, Viewer]) -> Outcome:
    """The verdicts of every user on every event of the batch, and the rendering of each
    event someone may see (sync: one hop)."""
    key = registry.binding_key(binding)
    views = {user: viewer(binding, connection) for user, (connection, _) in users.items()}
    permitted = {user: view for user, view in views.items() if _permitted(view)}
    shared, gone = None, frozenset[Any]()
    members: dict[Any, set[Any]] = {}
    if registry.is_shared(binding):
        shared = shared_membership(binding, key, batch.events)
    else:
        saved = [event.pk for event in batch.events if event.kind != "delete"]
        memberships = {user: membership for user, (_, membership) in users.items()}
        members, existing = user_members(batch.model, permitted, memberships, saved)
        gone = frozenset(saved) - existing
    result: Verdicts = {}
    for user in views:
        view = permitted.get(user)
        result[user] = {
            event.id: view is not None and _visible(view, event, shared, members.get(user), gone)
            for event in batch.events
        }
    seen = {event_id for verdict in result.values() for event_id, v in verdict.items() if v}
    return Outcome(result, render(binding, [e for e in batch.events if e.id in seen]))


def render(binding: type[Any], events: list[ReceivedEvent]) -> dict[str, Rendered]:
    """Each event's ``data``: the binding's ``get_event_data`` on the object's state (its last
    one for a delete), as ``retrieve`` renders, without a request. Once per event, binding
    and process, not per subscriber."""
    view = binding.for_action(RETRIEVE)
    rendered: dict[str, Rendered] = {}
    for event in events:
        try:
            data = view.get_event_data(event.instance)
            rendered[event.id] = (data, dumps(data))
        except Exception:
            logger.exception("typedws: %s could not render an event", binding.__qualname__)
    return rendered


def viewer(binding: type[Any], connection: ConnectionContext) -> Any:
    """A binding instance set up as for a ``retrieve`` by the connection's user."""
    return binding.for_action(RETRIEVE, connection.request(RETRIEVE.http_method, {}))


def _visible(
    view: Any,
    event: ReceivedEvent,
    shared: dict[str, bool] | None,
    held: set[Any] | None,
    gone: frozenset[Any],
) -> Visible:
    member: Visible | None
    if shared is not None:
        member = shared[event.id]
    elif event.kind != "delete" and event.pk not in gone:
        member = held is not None and event.pk in held
    else:
        # A deleted object (or one deleted since this change) cannot be asked about: the
        # binding's hook decides, else what the connection saw (SEEN).
        member = view.deleted_in_queryset(event.instance)
        member = SEEN if member is None else bool(member)
    if member is False:
        return False
    return member if _permitted(view, event.instance) else False


def _permitted(view: Any, instance: Model | None = None) -> bool:
    """Whether the view's permissions (object permissions with ``instance``) let it through."""
    try:
        if instance is None:
            view.check_permissions(view.request)
        else:
            view.check_object_permissions(view.request, instance)
    except (APIException, PermissionDenied, Http404):
        return False
    except Exception:
        logger.exception("typedws: a permission check raised; the event is not sent")
        return False
    return True
