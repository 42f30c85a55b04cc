"""The shape of ``subscribe`` and ``unsubscribe`` data, checked before any binding code runs.

Pure functions in the style of :mod:`typedws.frames`: they report every problem, with its
absolute path, and know nothing of the binding (which fields it filters on, the pk's type:
those are checked by :class:`~typedws.subscriptions.mixins.SubscribeModelMixin`)::

    {"action": "update"}                                  # update of any
    {"action": ["create", "delete"], "pk": "1"}           # several actions, this one
    {"action": "create", "filter": {"question": 7}}       # a filtered list

    {"request_id": "s1"}                                  # unsubscribe one
    {}                                                    # unsubscribe all of this stream's
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from typedws.protocol import (
    ACTION,
    EVENT_ACTIONS,
    PK,
    REQUEST_ID,
    ErrorCode,
    ErrorItem,
    Path,
    error_item,
)

__all__ = ["DATA_CHECKS", "FILTER", "subscribe_errors", "unsubscribe_errors"]

FILTER: Final = "filter"
_SUBSCRIBE_KEYS = frozenset({ACTION, PK, FILTER})
_UNSUBSCRIBE_KEYS = frozenset({REQUEST_ID})
_SCALARS = (str, int, float, bool, type(None))
_CHOICES = ", ".join(EVENT_ACTIONS)


def subscribe_errors(data: Mapping[str, Any], path: Path) -> list[ErrorItem]:
    """Every problem of a ``subscribe``'s ``data``."""
    errors = _unknown_keys(data, _SUBSCRIBE_KEYS, path)
    errors.extend(_actions_errors(data.get(ACTION), [*path, ACTION]))
    pk = data.get(PK)
    if pk is not None and not _is_key(pk):
        errors.append(_type_error("a string or an integer", pk, [*path, PK]))
    errors.extend(_filter_errors(data.get(FILTER), [*path, FILTER]))
    return errors


def unsubscribe_errors(data: Mapping[str, Any], path: Path) -> list[ErrorItem]:
    """Every problem of an ``unsubscribe``'s ``data``."""
    errors = _unknown_keys(data, _UNSUBSCRIBE_KEYS, path)
    request_id = data.get(REQUEST_ID)
    if request_id is not None and not _is_key(request_id):
        errors.append(_type_error("a string or an integer", request_id, [*path, REQUEST_ID]))
    return errors


DATA_CHECKS: Final[Mapping[str, Callable[[Mapping[str, Any], Path], list[ErrorItem]]]] = {
    "subscribe": subscribe_errors,
    "unsubscribe": unsubscribe_errors,
}
"""The checks of the built-in subscription actions' ``data``, by action name."""


def _actions_errors(value: Any, path: Path) -> list[ErrorItem]:
    if value is None:
        return [error_item(ErrorCode.REQUIRED, "This field is required.", path)]
    if isinstance(value, str):
        return _action_errors(value, path)
    if not isinstance(value, list):
        return [_type_error("an action or a list of actions", value, path)]
    if not value:
        return [error_item(ErrorCode.INVALID, f"Name at least one of: {_CHOICES}.", path)]
    errors: list[ErrorItem] = []
    for index, item in enumerate(value):
        if not isinstance(item, str):
            errors.append(_type_error("a string", item, [*path, index]))
        elif value.index(item) != index:
            message = f"{item!r} is listed twice."
            errors.append(error_item(ErrorCode.INVALID, message, [*path, index]))
        else:
            errors.extend(_action_errors(item, [*path, index]))
    return errors


def _action_errors(value: str, path: Path) -> list[ErrorItem]:
    if value in EVENT_ACTIONS:
        return []
    message = f"{value!r} is not an event action; choose from: {_CHOICES}."
    return [error_item(ErrorCode.INVALID, message, path)]


def _filter_errors(value: Any, path: Path) -> list[ErrorItem]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return [_type_error("an object", value, path)]
    return [
        _type_error("a string, number, boolean or null", item, [*path, key])
        for key, item in value.items()
        if not isinstance(item, _SCALARS)
    ]


def _unknown_keys(obj: Mapping[str, Any], allowed: frozenset[str], path: Path) -> list[ErrorItem]:
    return [
        error_item(ErrorCode.UNKNOWN_FIELD, f"Unknown field {key!r}.", [*path, key])
        for key in obj
        if key not in allowed
    ]


def _is_key(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _type_error(expected: str, value: Any, path: Path) -> ErrorItem:
    return error_item(ErrorCode.INVALID, f"Expected {expected}, got {_json_type(value)}.", path)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"
