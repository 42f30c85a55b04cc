"""The wire vocabulary of ``typedws/protocol.py``, read generically for the clients' mirrors.

The module is loaded by its file path (Django need not be configured) and walked in source
order. What is mirrored, whatever its name: public strings, integers and tuples of strings;
classes whose public attributes are all strings or integers (``ErrorCode``, ``CloseCode``);
``NamedTuple`` classes, and tuples of their rows (``STANDARD_ACTIONS``). The comment lines
right above a definition, and a class's docstring, come along. Anything else (functions,
type aliases, ``TypedDict`` s) is the hand-written code's business, not vocabulary.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, ForwardRef

__all__ = [
    "Constant",
    "ConstantClass",
    "Definition",
    "RowType",
    "Rows",
    "needs_gap",
    "read_vocabulary",
]

Scalar = str | int
FIELD_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool}


@dataclass(frozen=True)
class Constant:
    """``NAME = value``: a string, an integer or a tuple of strings."""

    name: str
    value: Scalar | tuple[str, ...]
    comment: tuple[str, ...]


@dataclass(frozen=True)
class ConstantClass:
    """A class of named constants, in definition order."""

    name: str
    members: tuple[tuple[str, Scalar], ...]
    comment: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class RowType:
    """A ``NamedTuple``: its fields and their types (``str``, ``int``, ``bool``)."""

    name: str
    fields: tuple[tuple[str, type], ...]
    comment: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Rows:
    """A tuple of one ``NamedTuple``'s rows."""

    name: str
    row_type: str
    rows: tuple[tuple[Scalar | bool, ...], ...]
    comment: tuple[str, ...]


Definition = Constant | ConstantClass | RowType | Rows


def read_vocabulary(path: Path) -> tuple[Definition, ...]:
    """Every mirrored definition of the module at ``path``, in source order."""
    source = path.read_text(encoding="utf-8")
    module = _load(path)
    lines = source.splitlines()
    definitions = []
    for node in ast.parse(source).body:
        name = _defined_name(node)
        if name is None or name.startswith("_") or not hasattr(module, name):
            continue
        definition = _definition(name, getattr(module, name), _comment_above(lines, node))
        if definition is not None:
            definitions.append(definition)
    return tuple(definitions)


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("_typedws_protocol_source", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"Cannot load {path}.")
    module = importlib.util.module_from_spec(spec)
    # Registered while it runs: a dataclass looks its own module up in sys.modules.
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    return None


def _comment_above(lines: list[str], node: ast.stmt) -> tuple[str, ...]:
    """The ``#`` lines directly above ``node`` (decorators aside), without their ``# ``."""
    comment: list[str] = []
    index = node.lineno - 2
    while index >= 0 and lines[index].startswith("#"):
        comment.insert(0, lines[index].removeprefix("#").strip())
        index -= 1
    return tuple(comment)


def _definition(name: str, value: Any, comment: tuple[str, ...]) -> Definition | None:
    if _is_scalar(value) or _is_strings(value):
        return Constant(name, value, comment)
    if _is_rows(value):
        return Rows(name, type(value[0]).__name__, tuple(tuple(row) for row in value), comment)
    if inspect.isclass(value) and _is_row_type(value):
        # A NamedTuple's annotations are its fields, in order.
        fields = tuple((field, _field_type(kind)) for field, kind in value.__annotations__.items())
        return RowType(name, fields, comment, inspect.cleandoc(value.__doc__ or ""))
    if inspect.isclass(value):
        members = tuple((key, item) for key, item in vars(value).items() if key.isupper())
        if members and all(_is_scalar(item) for _, item in members):
            return ConstantClass(name, members, comment, inspect.cleandoc(value.__doc__ or ""))
    return None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _is_strings(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(item, str) for item in value)


def _is_row_type(value: type) -> bool:
    return issubclass(value, tuple) and hasattr(value, "_fields")


def _is_rows(value: Any) -> bool:
    """A non-empty tuple of one ``NamedTuple``'s rows."""
    rows = isinstance(value, tuple) and value and all(_is_row(row) for row in value)
    return bool(rows) and len({type(row) for row in value}) == 1


def _is_row(value: Any) -> bool:
    # bool is an int: a row of strings, integers and booleans.
    return _is_row_type(type(value)) and all(isinstance(item, str | int) for item in value)


def _field_type(annotation: Any) -> type:
    """A field's type; under ``from __future__ import annotations`` it is a string, which
    ``NamedTuple`` may have wrapped in a ``ForwardRef``."""
    if isinstance(annotation, ForwardRef):
        annotation = annotation.__forward_arg__
    name = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", "?")
    if name not in FIELD_TYPES:
        raise TypeError(f"A mirrored NamedTuple field must be str, int or bool, not {name!r}.")
    return FIELD_TYPES[name]


def needs_gap(previous: Definition | None, current: Definition) -> bool:
    """A blank line before ``current``: plain constants in a row stay together, unless the
    next one starts a commented group."""
    if previous is None:
        return False
    plain = isinstance(previous, Constant) and isinstance(current, Constant)
    return not plain or bool(current.comment)
