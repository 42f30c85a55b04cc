"""Whether a subscriber may see a change: what ``retrieve`` would let it see, decided once per
event, binding and user in each process, in one ``database_sync_to_async`` hop.

A subscriber sees an event about an object only if, at that moment, it could ``retrieve`` it
through the binding: the binding's permissions (``has_permission`` with ``self.action ==
"retrieve"``), ``filter_queryset(get_queryset())`` for its user holding the object, and the
object permissions (``has_object_permission``) on the object's state. Otherwise nothing is
sent: no error, no data.

What it costs:

- *Shared querysets* (``get_queryset()`` not overridden, filter backends that ignore an empty
  request): the writer already decided membership once for everyone (free for an unfiltered
  queryset), and permissions run in Python on the instance rebuilt from the event. No query.
- *Per-user querysets* (``get_queryset()`` overridden): one query per event batch and process
  for up to 100 users at once (an ``EXISTS`` per user), not one per subscriber.
- Verdicts depend on the user only: every connection of a user in a process shares them.

A deleted object can no longer be queried. For a per-user queryset, the binding's
``deleted_in_queryset(instance)`` may answer from the last state; by default the connection's
own knowledge decides: it gets the delete if it saw the object visible through this
subscription (it subscribed to its pk, or an earlier create/update event showed it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final, Literal
from weakref import WeakSet

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef
from django.http import Http404
from rest_framework.exceptions import APIException

from . import registry
from .received import ReceivedBatch, ReceivedEvent

if TYPE_CHECKING:
    from typedws.request import ConnectionContext

    from .connection import ConnectionSubscriptions

__all__ = ["SEEN", "Visible", "local_subscribers", "verdicts"]

logger = logging.getLogger("typedws")

SEEN: Final = "seen"
Visible = bool | Literal["seen"]
Verdicts = dict[Any, dict[str, Visible]]  # user key -> event id -> verdict
USERS_PER_QUERY: Final = 100

_local: dict[type[Any], WeakSet[ConnectionSubscriptions]] = {}


def local_subscribers(binding: type[Any]) -> WeakSet[ConnectionSubscriptions]:
    """The connections of this process subscribed through ``binding``."""
    return _local.setdefault(binding, WeakSet())


async def verdicts(
    batch: ReceivedBatch, binding: type[Any], asker: ConnectionSubscriptions
) -> dict[str, Visible]:
    """The verdict on each event of ``batch`` for ``asker``'s user, by event id.

    The first connection to ask computes them for every user subscribed through ``binding``
    in this process; the others await the same future.
    """
    future = batch.verdicts.get(binding)
    if future is None:
        users = {c.user_key: c.connection for c in local_subscribers(binding)}
        users[asker.user_key] = asker.connection
        future = asyncio.ensure_future(_compute(binding, batch, users))
        batch.verdicts[binding] = future
    result: Verdicts = await asyncio.shield(future)
    mine = result.get(asker.user_key)
    if mine is None:  # subscribed after the computation started
        extra = await _compute(binding, batch, {asker.user_key: asker.connection})
        result.update(extra)
        mine = extra.get(asker.user_key, {})
    return mine


async def _compute(
    binding: type[Any], batch: ReceivedBatch, users: dict[Any, ConnectionContext]
) -> Verdicts:
    try:
        return await _compute_sync(binding, batch, users)
    except Exception:
        # Fail closed: nobody sees what could not be checked.
        logger.exception("typedws: visibility check failed for %s", binding.__qualname__)
        return {user: {} for user in users}


def compute(binding: type[Any], batch: ReceivedBatch, users: dict[Any, Any]) -> Verdicts:
    """The verdicts of every user on every event of the batch (sync: one hop)."""
    key = registry.binding_key(binding)
    shared = registry.is_shared(binding)
    views = {user: viewer(binding, connection) for user, connection in users.items()}
    permitted = {user: view for user, view in views.items() if _permitted(view)}
    saved = [event.pk for event in batch.events if event.kind != "delete"]
    members = {} if shared else user_members(batch.model, permitted, saved)
    result: Verdicts = {}
    for user in views:
        view = permitted.get(user)
        result[user] = {
            event.id: view is not None and _visible(view, event, key, members.get(user))
            for event in batch.events
        }
    return result


_compute_sync = database_sync_to_async(compute)


def viewer(binding: type[Any], connection: ConnectionContext) -> Any:
    """A binding instance set up as for a ``retrieve`` by the connection's user."""
    view = binding()
    view.action = "retrieve"
    view.action_map = {"get": "retrieve"}
    view.request = connection.request("GET", {})
    view.format_kwarg = None
    view.args = ()
    view.kwargs = {}
    view.basename = binding.stream
    view.detail = True
    view.headers = {}
    return view


def _visible(view: Any, event: ReceivedEvent, key: str, held: set[Any] | None) -> Visible:
    member: Visible | None
    if held is None:  # shared: the writer decided
        member = event.member.get(key, True)
    elif event.kind != "delete":
        member = event.pk in held
    else:
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


def user_members(model: type[Model], views: dict[Any, Any], pks: list[Any]) -> dict[Any, set[Any]]:
    """For each user, which of ``pks`` its ``filter_queryset(get_queryset())`` holds: one
    query per ``USERS_PER_QUERY`` users, an ``EXISTS`` subquery each."""
    members: dict[Any, set[Any]] = {user: set() for user in views}
    if not pks:
        return members
    items = list(views.items())
    for start in range(0, len(items), USERS_PER_QUERY):
        chunk = dict(items[start : start + USERS_PER_QUERY])
        try:
            members.update(_members_at_once(model, chunk, pks))
        except (TypeError, ValueError, NotImplementedError):
            # A queryset that cannot be a subquery (sliced, a union...): one query per user.
            for user, view in chunk.items():
                members[user] = _members_of(view, pks)
    return members


def _members_at_once(
    model: type[Model], views: dict[Any, Any], pks: list[Any]
) -> dict[Any, set[Any]]:
    querysets = {user: _queryset(view) for user, view in views.items()}
    names = {f"u{index}": user for index, user in enumerate(querysets)}
    annotations = {
        name: Exists(querysets[user].filter(pk=OuterRef("pk"))) for name, user in names.items()
    }
    using = next(iter(querysets.values())).db
    rows = model._base_manager.using(using).filter(pk__in=pks).values("pk", **annotations)
    members: dict[Any, set[Any]] = {user: set() for user in views}
    for row in rows:
        for name, user in names.items():
            if row[name]:
                members[user].add(row["pk"])
    return members


def _members_of(view: Any, pks: Iterable[Any]) -> set[Any]:
    return set(_queryset(view).filter(pk__in=list(pks)).values_list("pk", flat=True))


def _queryset(view: Any) -> Any:
    return view.filter_queryset(view.get_queryset())
