"""The TypeScript client's mirror of the wire vocabulary: ``clients/ts/src/protocol.ts``.

Written as prettier lays it out at the client's ``printWidth`` (100), so ``prettier --check``
passes on the generated file: a literal that fits stays on one line, one that does not puts one
element a line with a trailing comma. Classes of constants become ``as const`` objects, a
``NamedTuple`` a ``readonly`` interface, and a tuple of its rows a ``readonly`` array of
object literals (the field names are the keys).
"""

from __future__ import annotations

import json

from .protocol_vocabulary import Constant, ConstantClass, Definition, Rows, RowType, needs_gap
from .tstypes import INDENT, jsdoc

__all__ = ["render_typescript"]

WIDTH = 100
TS_TYPES = {str: "string", int: "number", bool: "boolean"}
MODULE_DOC = [
    "The wire vocabulary of typedws: the server's `{source}`, name for name",
    "(`docs/protocol.md` is the normative text). Frames are built and read in `frames.ts`.",
    "",
    "@module",
]


def render_typescript(vocabulary: tuple[Definition, ...], source: str, command: str) -> str:
    """The module's source, ending with a newline."""
    lines = [
        f"// Generated from {source} by `{command}`. Do not edit: change that file, regenerate.",
        *jsdoc([line.format(source=source) for line in MODULE_DOC], ""),
    ]
    rows = {definition.name: definition for definition in vocabulary}
    previous: Definition | None = None
    for definition in vocabulary:
        lines += [""] if previous is None or needs_gap(previous, definition) else []
        lines += [f"// {line}".rstrip() for line in _doc_lines("\n".join(definition.comment))]
        lines += _definition(definition, rows)
        previous = definition
    return "\n".join(lines) + "\n"


def _definition(definition: Definition, named: dict[str, Definition]) -> list[str]:
    if isinstance(definition, Constant):
        head = f"export const {definition.name} = "
        if isinstance(definition.value, tuple):
            items = [_literal(item) for item in definition.value]
            return _bracketed(head, items, " as const;")
        return _fitted(head, _literal(definition.value), ";")
    if isinstance(definition, ConstantClass):
        members = [f"{INDENT}{key}: {_literal(value)}," for key, value in definition.members]
        doc = jsdoc(_doc_lines(definition.doc), "")
        return [*doc, f"export const {definition.name} = {{", *members, "} as const;"]
    if isinstance(definition, RowType):
        fields = [f"{INDENT}readonly {name}: {TS_TYPES[kind]};" for name, kind in definition.fields]
        doc = jsdoc(_doc_lines(definition.doc), "")
        return [*doc, f"export interface {definition.name} {{", *fields, "}"]
    return _rows(definition, named.get(definition.row_type))


def _rows(rows: Rows, row_type: Definition | None) -> list[str]:
    if not isinstance(row_type, RowType):
        raise TypeError(f"{rows.name}'s rows are {rows.row_type}s, which is not mirrored.")
    keys = [name for name, _ in row_type.fields]
    lines = [f"export const {rows.name}: readonly {rows.row_type}[] = ["]
    for row in rows.rows:
        members = [f"{key}: {_literal(value)}" for key, value in zip(keys, row, strict=True)]
        lines += _bracketed(INDENT, members, ",", brackets=("{ ", " }"))
    return [*lines, "];"]


def _bracketed(
    head: str, items: list[str], tail: str, brackets: tuple[str, str] = ("[", "]")
) -> list[str]:
    """``head[items]tail`` on one line if it fits, else one item a line, as prettier does."""
    opening, closing = brackets
    line = f"{head}{opening}{', '.join(items)}{closing}{tail}"
    if len(line) <= WIDTH:
        return [line]
    pad = head[: len(head) - len(head.lstrip())]
    return [
        f"{head}{opening.strip()}",
        *(f"{pad}{INDENT}{item}," for item in items),
        f"{pad}{closing.strip()}{tail}",
    ]


def _fitted(head: str, value: str, tail: str) -> list[str]:
    """``head value;``, or prettier's break after ``=`` when that is too long."""
    line = f"{head}{value}{tail}"
    return [line] if len(line) <= WIDTH else [head.rstrip(), f"{INDENT}{value}{tail}"]


def _doc_lines(doc: str) -> list[str]:
    """Python's reST literals (````pk````) as Markdown's (```pk```)."""
    return doc.replace("``", "`").splitlines()


def _literal(value: str | int | bool) -> str:
    """A TypeScript literal, in the quotes prettier prefers (double, unless that escapes more)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = json.dumps(value, ensure_ascii=False)
    if '"' in value and "'" not in value:
        return "'" + text[1:-1].replace('\\"', '"') + "'"
    return text
