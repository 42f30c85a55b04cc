"""Counters of the fast paths' fallbacks: every time DRF's or Django's own code ran instead.

Tests and benchmarks read them with :func:`fallbacks`; nothing in typedws decides on them.
"""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

__all__ = ["Fallback", "count", "fallbacks", "reset"]


class Fallback(StrEnum):
    """Why a fast path was not taken."""

    FIELDS_CLASS = "fields.class"
    """The serializer class builds its fields its own way (``get_fields``/``fields``)."""
    FIELDS_INIT = "fields.init"
    """The instance built its fields before typedws could (``self.fields`` in ``__init__``)."""
    REPRESENT_CLASS = "represent.class"
    """The class has its own ``to_representation`` (or is no ``ModelSerializer``)."""
    REPRESENT_INSTANCE = "represent.instance"
    """The object is not an instance of the serializer's model."""
    REPRESENT_FIELD = "represent.field"
    """One field was rendered by its DRF ``to_representation`` (counted per field and row)."""
    QUERY = "query"
    """The binding's queryset is not static, or ``list`` paginates another queryset (an
    override of ``list()`` or ``paginate_queryset()``): Django compiled the SQL."""
    CREATE = "create"
    """``ModelSerializer.create`` ran as DRF's: the data would write a nested serializer or a
    dotted source (DRF refuses it)."""
    INSTANCES = "instances"
    """Fetched rows became objects through ``Model.from_db`` (the model's own ``__init__`` or
    ``from_db``, ``pre_init``/``post_init`` receivers, partial rows); counted per fetch."""
    ROWS = "rows"
    """A page fetched as rows (:mod:`.rows`) became model instances, counted per page: code
    other than typedws's compiled list rendering read it, or its serializer renders more than
    model columns."""


_counts: Counter[str] = Counter()


def count(reason: Fallback, n: int = 1) -> None:
    """Record ``n`` fallbacks for ``reason``."""
    _counts[reason] += n


def fallbacks() -> dict[str, int]:
    """A snapshot of the counts so far, by reason."""
    return dict(_counts)


def reset() -> None:
    """Forget every count."""
    _counts.clear()
