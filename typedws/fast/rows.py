"""A page of fetched rows that becomes model instances only when something reads it.

:func:`.queries.fetch_page` returns a :class:`RowPage`: a ``list`` holding the cursor's rows
and the compiled query they came from. The first time any code reads it as a list (iteration,
indexing, ``in``, comparison, ``repr``, copying, pickling, any list method), it fills itself
with the objects it stands for, made exactly as before (the compiler's converters, then
:func:`.instances.from_rows`), and from then on it is that list; the filling is counted
(:attr:`.stats.Fallback.ROWS`). ``len()`` and truth are answered from the rows, which show no
object. Only typedws's compiled list rendering (:mod:`.represent`, :mod:`.tuples`) reads the
rows themselves (:func:`unread_rows`), and only while nothing else has read the page.

The rows are converted when the page is filled, not when they are fetched: a converter error
is raised there, and settings changed in between apply. Code that reads a list's storage
without calling its methods (``list.__add__(other, page)`` called on the class, ``heapq``'s
functions) sees an empty list until the page is filled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db.models import Model

from .stats import Fallback, count

__all__ = ["RowLayout", "RowPage", "unread_rows"]

Rows = Sequence[Sequence[Any]]


@dataclass(eq=False)
class RowLayout:
    """What a compiled page query's rows hold: one value per name of ``attnames``, each to be
    passed through ``converters[position]`` (Django's converters and the expression they are
    called with), on ``connection``. Queries with the same layout share one object, which
    keeps the renderers made for it (:mod:`.tuples`)."""

    model: type[Model]
    attnames: tuple[str, ...]
    converters: dict[int, tuple[tuple[Callable[..., Any], ...], Any]]
    connection: Any
    renderers: dict[Any, Any] = field(default_factory=dict)


class Source(Protocol):
    """The compiled query a page's rows came from."""

    @property
    def layout(self) -> RowLayout:
        """Its rows' layout."""

    def instances(self, alias: str, rows: Rows) -> list[Model]:
        """The objects Django makes of ``rows``: converters, then ``from_db``'s objects."""


class RowPage(list[Any]):
    """A page's objects, kept as the rows they are made from until something reads them."""

    __slots__ = ("_alias", "_rows", "_source")

    def __init__(self, rows: Rows, source: Source, alias: str) -> None:
        super().__init__()
        self._rows: Rows | None = rows
        self._source = source
        self._alias = alias

    @property
    def layout(self) -> RowLayout:
        return self._source.layout

    def fill(self) -> None:
        """Make the objects now, if they are not made yet."""
        rows = self._rows
        if rows is not None:
            self._rows = None
            count(Fallback.ROWS)
            list.extend(self, self._source.instances(self._alias, rows))

    def __len__(self) -> int:
        rows = self._rows
        return list.__len__(self) if rows is None else len(rows)

    def __radd__(self, other: Any) -> Any:
        # list + page: list has no __add__ that reads a subclass's methods.
        self.fill()
        return list.__add__(other, self) if isinstance(other, list) else NotImplemented

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Copied or pickled as the plain list of its objects, as the page was before."""
        self.fill()
        return list, (list(self),)

    def __reduce__(self) -> Any:
        return self.__reduce_ex__(None)


def unread_rows(page: RowPage) -> Rows | None:
    """The page's rows, if nothing has made its objects yet (else ``None``)."""
    return page._rows


def _filling(name: str) -> Callable[..., Any]:
    """``list``'s method ``name``, run after the page (and any page among its arguments,
    whose storage list's own methods read directly) is filled."""
    method = getattr(list, name)

    def call(self: RowPage, *args: Any, **kwargs: Any) -> Any:
        self.fill()
        for arg in args:
            if type(arg) is RowPage:
                arg.fill()
        return method(self, *args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = method.__doc__
    return call


# Every method of list's own but those that make, describe or measure the list.
_KEPT = {"__new__", "__init__", "__getattribute__", "__class_getitem__", "__len__"}
for _name, _member in vars(list).items():
    if callable(_member) and _name not in _KEPT:
        setattr(RowPage, _name, _filling(_name))
