"""A page rendered straight from the cursor's rows, without model instances.

A serializer whose fields are all model columns (:mod:`.represent`'s plans with a row
function) renders an object as ``{name: None if v is None else convert(v)}`` for each column's
value ``v``. An object :mod:`.instances` made holds exactly the row's values after Django's
converters, and reads them back unchanged (:func:`.instances.reads_back`). So a page nobody has
read yet (:class:`.rows.RowPage`) is rendered from its rows by a function generated once per
plan, row layout and mode: each row unpacked, Django's converters called on the columns that
have them (Django's own converters only: a project's ``from_db_value`` would run twice for a
page read after it was rendered), then the same dict display (where the conversion is ``int``
or ``str``, a value of exactly that type is kept as it is, which is what the call returns)::

    def render(rows):
        out = []
        append = out.append
        for x0, x1, x2, in rows:
            y2 = f2_0(x2, e2, connection)
            append({k0: None if x0 is None else c0(x0), k1: ..., k2: None if y2 ...})
        return out

One conversion is fused with DRF's representation where the result is provably the same: a
plain ``DateTimeField`` (ISO 8601 format, ``USE_TZ``, a UTC current time zone) on a column whose
only converter is Django's SQLite ``convert_datetimefield_value`` on a UTC connection. SQLite's
cursor already gives a naive ``datetime`` (Django registers ``parse_datetime`` for the
``datetime`` column type); Django would make it aware in UTC, DRF convert it to UTC (the same
fields) and write its ``isoformat()`` with ``Z`` for ``+00:00``: that is the naive value's
``isoformat() + "Z"``. Any other value (aware, text, ``None``) goes through Django's converter
and DRF's conversion. PostgreSQL gives aware datetimes and has no converter: its columns take
the plan's own conversion.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Model

from .instances import reads_back
from .rows import RowLayout, RowPage, unread_rows

try:
    from django.db.backends.sqlite3.operations import DatabaseOperations as SQLiteOperations
except ImportError:  # pragma: no cover  # a Python built without sqlite3
    _SQLITE_DATETIME: Any = None
else:
    _SQLITE_DATETIME = SQLiteOperations.convert_datetimefield_value

__all__ = ["Field", "is_utc", "render_rows"]

Field = tuple[str, str, Callable[[Any], Any]]
"""A rendered field: its name, the ``attname`` of its column, and the conversion of a non-null
value (marked ``typedws_datetime`` where it is DRF's plain ``DateTimeField``'s)."""
# Conversions that return a value of exactly this type unchanged: skipped for such a value.
_SAME_IF_EXACT: dict[Any, str] = {int: "int", str: "str"}
Render = Callable[[Sequence[Sequence[Any]]], list[dict[str, Any]]]


def is_utc(zone: Any) -> bool:
    """Whether ``zone`` is UTC itself (no offset, ever), so a UTC time needs no conversion."""
    return zone is dt.UTC or (isinstance(zone, zoneinfo.ZoneInfo) and zone.key == "UTC")


def render_rows(
    page: RowPage, key: object, model: type[Model], fields: list[Field], utc_iso: bool
) -> list[dict[str, Any]] | None:
    """``page`` rendered from its rows with ``fields`` (the plan ``key`` of ``model``'s
    serializer), or ``None`` where it cannot be (the page was read, or its rows are not the
    plan's objects). ``utc_iso``: the page renders datetimes in ISO 8601 in UTC."""
    rows = unread_rows(page)
    if rows is None:
        return None
    layout = page.layout
    # The connection's zone is read per page, as Django's converter reads it per value.
    fused = utc_iso and is_utc(layout.connection.timezone)
    render: Render | None
    try:
        render = layout.renderers[key, fused]
    except KeyError:
        render = layout.renderers[key, fused] = _build(layout, model, fields, fused)
    return None if render is None else render(rows)


def _build(layout: RowLayout, model: type[Model], fields: list[Field], fused: bool) -> Any:
    """The render function, or ``None`` where the layout's objects are not the plan's or
    could read back other values than the rows'. ``fused``: datetimes in UTC and ISO 8601, on
    a connection in UTC."""
    if not issubclass(layout.model, model) or not reads_back(layout.model):
        return None
    positions = [layout.attnames.index(a) if a in layout.attnames else -1 for _, a, _ in fields]
    if -1 in positions or not all(_djangos(layout, position) for position in positions):
        return None
    namespace: dict[str, Any] = {"DT": dt.datetime, "connection": layout.connection}
    statements: dict[int, str] = {}
    items = []
    for i, ((name, _, convert), position) in enumerate(zip(fields, positions, strict=True)):
        namespace.update({f"k{i}": name, f"c{i}": convert})
        value = _expression(namespace, statements, layout, i, position, fused)
        items.append(f"k{i}: {value}")
    targets = "".join(f"x{p}, " for p in range(len(layout.attnames)))
    source = (
        "def render(rows):\n"
        "    out = []\n"
        "    append = out.append\n"
        f"    for {targets}in rows:\n"
        + "".join(f"        {line}\n" for line in statements.values())
        + f"        append({{{', '.join(items)}}})\n"
        "    return out\n"
    )
    exec(source, namespace)  # only names this module chose: x0, k0, c0, ...
    return namespace["render"]


def _expression(
    namespace: dict[str, Any],
    statements: dict[int, str],
    layout: RowLayout,
    i: int,
    position: int,
    fused: bool,
) -> str:
    """Field ``i``'s value from the row's ``x<position>``: fused, or after the column's
    converters (a statement computing ``y<position>``), ``None`` kept, else converted."""
    convert, raw = namespace[f"c{i}"], f"x{position}"
    if fused and _fusable(layout, position, convert):
        namespace[f"s{i}"] = _unfused(layout, position, convert)
        fast = f"{raw}.isoformat() + 'Z'"
        return f"{fast} if type({raw}) is DT and {raw}.tzinfo is None else s{i}({raw})"
    value = raw
    if position in layout.converters:
        value = f"y{position}"
        statements[position] = _converting(namespace, layout, position)
    kind = _SAME_IF_EXACT.get(convert)
    same = f"{value} if type({value}) is {kind} else " if kind else ""
    return f"{same}None if {value} is None else c{i}({value})"


def _djangos(layout: RowLayout, position: int) -> bool:
    """Whether the column's converters are Django's own: they are run here, and again if the
    page becomes objects later, so none may be a field's ``from_db_value`` of the project's,
    which could count or log its calls."""
    converters, _ = layout.converters.get(position, ((), None))
    return all(getattr(c, "__module__", "").startswith("django.") for c in converters)


def _converting(namespace: dict[str, Any], layout: RowLayout, position: int) -> str:
    """The statement that runs a column's converters as ``apply_converters`` does."""
    converters, expression = layout.converters[position]
    namespace[f"e{position}"] = expression
    value = f"x{position}"
    for j, converter in enumerate(converters):
        namespace[f"f{position}_{j}"] = converter
        value = f"f{position}_{j}({value}, e{position}, connection)"
    return f"y{position} = {value}"


def _fusable(layout: RowLayout, position: int, convert: Any) -> bool:
    """Whether the column is a plain DRF ``DateTimeField`` over Django's SQLite converter
    alone."""
    if not getattr(convert, "typedws_datetime", False) or _SQLITE_DATETIME is None:
        return False
    converters, _ = layout.converters.get(position, ((), None))
    return len(converters) == 1 and getattr(converters[0], "__func__", None) is _SQLITE_DATETIME


def _unfused(layout: RowLayout, position: int, convert: Any) -> Callable[[Any], Any]:
    """A fused column's value the long way: Django's converters, then DRF's conversion."""
    converters, expression = layout.converters[position]
    connection = layout.connection

    def value(raw: Any) -> Any:
        for converter in converters:
            raw = converter(raw, expression, connection)
        return None if raw is None else convert(raw)

    return value
