"""Which objects a per-user queryset holds, for many users at once.

When ``get_queryset()`` depends on the user, each subscriber's visible set is its own SQL.
Building and compiling a Django queryset costs far more than running it, so the SQL of
``filter_queryset(get_queryset())``'s pks is compiled **once, when the subscription
is made** (with the ``subscribe`` request, as DRF builds a queryset for each request), and run
for every event: it sees the database as it is then; only values ``get_queryset()`` computed
in Python are those of the subscribe time (resubscribe to refresh them). For an event batch,
one query answers for up to ``USERS_PER_QUERY`` users::

    SELECT 0, t.typedws_pk FROM (<user 0's SQL>) t WHERE t.typedws_pk IN (%s)
    UNION ALL SELECT 1, t.typedws_pk FROM (<user 1's SQL>) t WHERE t.typedws_pk IN (%s) ...
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.db import DatabaseError, connections
from django.db.models import F, Model, QuerySet

from . import registry

__all__ = [
    "USERS_PER_QUERY",
    "Membership",
    "compile_membership",
    "shared_membership",
    "user_members",
]

logger = logging.getLogger("typedws")

USERS_PER_QUERY: Final = 100
"""Users per query (SQLite allows 500 parts in a ``UNION``)."""
PK_ALIAS: Final = "typedws_pk"


@dataclass(frozen=True, slots=True)
class Membership:
    """The SQL of one subscriber's visible pks, as its database runs it."""

    sql: str
    params: tuple[Any, ...]
    using: str


def compile_membership(view: Any) -> Membership | None:
    """The SQL of ``view``'s ``filter_queryset(get_queryset())``; ``None`` when it cannot be
    a subquery (not a queryset, or sliced): then it is evaluated for each event instead."""
    try:
        queryset = view.filter_queryset(view.get_queryset())
        if queryset.query.is_sliced:
            return None
        pks = queryset.order_by().values(**{PK_ALIAS: F("pk")})
        sql, params = pks.query.sql_with_params()
    except (AttributeError, TypeError, ValueError, NotImplementedError):
        return None
    return Membership(sql, tuple(params), pks.db)


def user_members(
    model: type[Model],
    views: Mapping[Any, Any],
    memberships: Mapping[Any, Membership | None],
    pks: list[Any],
) -> tuple[dict[Any, set[Any]], set[Any]]:
    """For each user (of ``views``), which of ``pks`` its queryset holds; and which of ``pks``
    still exist (those deleted since cannot be asked about)."""
    members: dict[Any, set[Any]] = {user: set() for user in views}
    if not pks:
        return members, set()
    by_database: dict[str, list[tuple[Any, Membership]]] = defaultdict(list)
    for user, view in views.items():
        compiled = memberships.get(user)
        if compiled is None:
            members[user] = _members_of(view, pks)
        else:
            by_database[compiled.using].append((user, compiled))
    existing: set[Any] = set().union(*members.values())
    for using, compiled_users in by_database.items():
        for start in range(0, len(compiled_users), USERS_PER_QUERY):
            chunk = compiled_users[start : start + USERS_PER_QUERY]
            found, alive = _members_at_once(model, using, chunk, pks)
            members.update(found)
            existing |= alive
    if not by_database and len(existing) < len(set(pks)):
        existing |= set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
    return members, existing


def shared_membership(binding: type[Any], key: str, events: list[Any]) -> dict[str, bool]:
    """For a queryset shared by everyone: whether it holds each event's object, by event id.

    The writer decided it (``event.member``) when it knew the binding. Otherwise: an
    unfiltered queryset holds everything; a filtered one is asked here (one query), and
    a delete it cannot be asked about any more is not shown.
    """
    found = {event.id: event.member.get(key) for event in events}
    unknown = [event for event in events if found[event.id] is None]
    if not unknown:
        return {event_id: bool(member) for event_id, member in found.items()}
    if not registry.filters_shared_queryset(binding):
        return {event_id: member is not False for event_id, member in found.items()}
    saved = [event.pk for event in unknown if event.kind != "delete"]
    held = _held(binding.queryset.all(), saved)
    for event in unknown:
        found[event.id] = event.kind != "delete" and event.pk in held
    return {event_id: bool(member) for event_id, member in found.items()}


def _held(queryset: QuerySet[Any], pks: list[Any]) -> set[Any]:
    if not pks:
        return set()
    if queryset.query.is_sliced:
        wanted = set(pks)
        return {pk for pk in queryset.values_list("pk", flat=True) if pk in wanted}
    return set(queryset.filter(pk__in=pks).values_list("pk", flat=True))


def _members_at_once(
    model: type[Model], using: str, chunk: list[tuple[Any, Membership]], pks: list[Any]
) -> tuple[dict[Any, set[Any]], set[Any]]:
    """One query for a chunk of users, whose last part (index -1) lists the pks that exist."""
    connection = connections[using]
    pk_field = model._meta.pk
    column = connection.ops.quote_name(PK_ALIAS)
    marks = ", ".join(["%s"] * len(pks))
    values = [pk_field.get_db_prep_value(pk, connection) for pk in pks]
    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(pk_field.column or pk_field.attname)
    parts = [f"SELECT -1, {pk_column} FROM {table} WHERE {pk_column} IN ({marks})"]
    params = list(values)
    for index, (_user, compiled) in enumerate(chunk):
        parts.append(
            f"SELECT {index}, t.{column} FROM ({compiled.sql}) t WHERE t.{column} IN ({marks})"
        )
        params.extend([*compiled.params, *values])
    members: dict[Any, set[Any]] = {user: set() for user, _ in chunk}
    existing: set[Any] = set()
    try:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
    except DatabaseError:
        logger.exception("typedws: a per-user membership query failed; nobody sees the events")
        return members, set(pks)
    for index, pk in rows:
        value = pk_field.to_python(pk)
        (existing if index < 0 else members[chunk[index][0]]).add(value)
    return members, existing


def _members_of(view: Any, pks: Iterable[Any]) -> set[Any]:
    queryset = view.filter_queryset(view.get_queryset())
    wanted = set(pks)
    if isinstance(queryset, QuerySet) and not queryset.query.is_sliced:
        return set(queryset.filter(pk__in=wanted).values_list("pk", flat=True))
    return {instance.pk for instance in queryset if instance.pk in wanted}
