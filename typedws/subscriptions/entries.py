"""What a transaction did to one object, as the writer records it and publishes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from django.db.models import Model

__all__ = ["CREATE", "DELETE", "UPDATE", "Capture", "Entry", "Kind"]

CREATE: Final[Literal["create"]] = "create"
UPDATE: Final[Literal["update"]] = "update"
DELETE: Final[Literal["delete"]] = "delete"
Kind = Literal["create", "update", "delete"]


@dataclass(slots=True)
class Capture:
    """An object just before its deletion: its state, and whether each filtered shared
    queryset held it."""

    state: dict[str, Any]
    member: dict[str, bool]


@dataclass(slots=True)
class Entry:
    """What one transaction did to one object."""

    model: type[Model]
    pk: Any
    existed_before: bool
    old: dict[str, Any] | None
    """The filter columns' values before the transaction (``None``: unknown or created)."""
    instance: Model | None = None
    deleted: bool = False
    capture: Capture | None = None
    uncertain: bool = False
    """Changed inside a savepoint that may have been rolled back: ask the database."""
    before: dict[str, Any] | None = None
    """The full state before an uncertain first change (to tell an undone change)."""
