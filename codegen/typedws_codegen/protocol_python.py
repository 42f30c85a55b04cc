"""The Python client's mirror of the wire vocabulary: ``typedws_client/protocol.py``.

Written as ruff's formatter lays it out at the repository's width (100), so ``ruff format
--check`` leaves the generated file alone.
"""

from __future__ import annotations

from .layout import wrap
from .protocol_vocabulary import Constant, ConstantClass, Definition, Rows, RowType, needs_gap

__all__ = ["render_python"]

WIDTH = 100
DOCSTRING = '''"""The wire vocabulary of typedws, for the Python client: the server's ``{source}``,
name for name (``docs/protocol.md`` is the normative text). Generated: do not edit."""'''


def render_python(vocabulary: tuple[Definition, ...], source: str, command: str) -> str:
    """The module's source, ending with a newline."""
    names = [definition.name for definition in vocabulary]
    lines = [
        f"# Generated from {source} by `{command}`. Do not edit: change that file, regenerate.",
        DOCSTRING.format(source=source),
        "",
        "from __future__ import annotations",
        "",
        "from typing import Final, NamedTuple",
        "",
        *wrap(0, "__all__ = ", [_string(name) for name in sorted(names, key=_isort)], "",
              width=WIDTH, brackets=("[", "]")),
    ]  # fmt: skip
    previous: Definition | None = None
    for definition in vocabulary:
        is_class = isinstance(definition, ConstantClass | RowType)
        after_class = isinstance(previous, ConstantClass | RowType)
        gap = previous is None or needs_gap(previous, definition)
        lines += [""] * (2 if is_class or after_class else int(gap))
        lines += [f"# {line}".rstrip() for line in definition.comment]
        lines += _definition(definition)
        previous = definition
    return "\n".join(lines) + "\n"


def _isort(name: str) -> tuple[int, str]:
    """ruff's order for ``__all__``: CONSTANTS, then Classes, then the rest."""
    kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name


def _definition(definition: Definition) -> list[str]:
    if isinstance(definition, Constant):
        if isinstance(definition.value, tuple):
            items = [_string(item) for item in definition.value]
            items = [f"{items[0]},"] if len(items) == 1 else items
            return wrap(0, f"{definition.name}: Final = ", items, "", width=WIDTH)
        return [f"{definition.name}: Final = {_value(definition.value)}"]
    if isinstance(definition, ConstantClass):
        members = [f"    {key}: Final = {_value(value)}" for key, value in definition.members]
        return [f"class {definition.name}:", *_docstring(definition.doc), *members]
    if isinstance(definition, RowType):
        fields = [f"    {name}: {kind.__name__}" for name, kind in definition.fields]
        return [f"class {definition.name}(NamedTuple):", *_docstring(definition.doc), *fields]
    return _rows(definition)


def _rows(rows: Rows) -> list[str]:
    lines = [f"{rows.name}: Final = ("]
    for row in rows.rows:
        lines += wrap(4, rows.row_type, [_value(value) for value in row], ",", width=WIDTH)
    return [*lines, ")"]


def _docstring(doc: str) -> list[str]:
    if not doc:
        return []
    text = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = text.splitlines()
    body = [f"    {line}".rstrip() for line in body]
    body[0] = f'    """{body[0].lstrip()}'
    body[-1] += '"""'
    return [*body, ""]


def _value(value: str | int | bool) -> str:
    return _string(value) if isinstance(value, str) else repr(value)


def _string(text: str) -> str:
    """A literal in the quotes ruff prefers: double, unless that needs more escapes."""
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text:
        return '"' + quoted[1:-1] + '"'
    return quoted
