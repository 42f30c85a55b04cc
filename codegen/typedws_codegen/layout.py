"""Laying out generated Python as ruff's formatter would, at datamodel-code-generator's width.

The generated module must read as formatted code: ``ruff format --line-length 88`` (keeping
the generator's quotes) leaves it unchanged, which tests/codegen/test_python.py checks. The
models come formatted by the generator's builtin formatter, except the one shape it leaves
long (a ``TypeAliasType`` assignment); the client classes typedws appends are laid out here.
"""

from __future__ import annotations

import re

__all__ = ["LINE_LENGTH", "wrap", "wrap_long_aliases"]

LINE_LENGTH = 88
ALIAS = re.compile(r"^(\w+ = TypeAliasType)\((\"\w+\"), (.+)\)$")


def wrap(
    indent: int,
    head: str,
    items: list[str],
    tail: str,
    *,
    width: int = LINE_LENGTH,
    brackets: tuple[str, str] = ("(", ")"),
) -> list[str]:
    """``head(items)tail`` at ``indent``, split as ruff splits it: one line if it fits, else
    the items on one line of their own, else one item a line with a trailing comma."""
    pad = " " * indent
    opening, closing = brackets
    joined = ", ".join(items)
    if len(pad) + len(head) + len(joined) + len(tail) + 2 <= width:
        return [f"{pad}{head}{opening}{joined}{closing}{tail}"]
    if len(pad) + 4 + len(joined) <= width:
        return [f"{pad}{head}{opening}", f"{pad}    {joined}", f"{pad}{closing}{tail}"]
    return [
        f"{pad}{head}{opening}",
        *(f"{pad}    {item}," for item in items),
        f"{pad}{closing}{tail}",
    ]


def wrap_long_aliases(source: str) -> str:
    """Split the one-line ``Name = TypeAliasType("Name", type)`` lines that are too long."""
    lines = []
    for line in source.splitlines():
        match = ALIAS.match(line) if len(line) > LINE_LENGTH else None
        lines += wrap(0, match[1], [match[2], match[3]], "") if match else [line]
    return "\n".join(lines) + "\n"
