"""JSON text of what bindings return, exactly as DRF's ``JSONRenderer`` would write it.

:func:`typedws.protocol.encode`'s output, with DRF's encoder for the values serializers produce
and JSON has no type for (dates, decimals, UUIDs, lazy strings, ...). Every frame the server
sends, and every piece of one, is encoded here, once.

The encoder is built once, and it skips the standard library's check for circular references
(a dict of the ids of every container on the way down, per call): a structure that contains
itself recurses until Python's recursion limit instead, and that is reported as the same
``ValueError``. Nothing else differs: the same C encoder writes the same bytes, which
``tests/test_fast_represent.py`` compares with ``JSONRenderer``'s.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.utils.encoders import JSONEncoder

__all__ = ["dumps"]

_encode = json.JSONEncoder(
    ensure_ascii=False,
    allow_nan=False,
    separators=(",", ":"),
    default=JSONEncoder().default,
    check_circular=False,
).encode


def dumps(value: Any) -> str:
    """``value`` as compact JSON text; ``ValueError``/``TypeError`` if JSON cannot carry it.

    U+2028 and U+2029 are escaped, as ``JSONRenderer`` escapes them (JSON allows them raw,
    JavaScript source before ES2019 does not)."""
    try:
        text = _encode(value)
    except RecursionError:
        raise ValueError("Circular reference detected (or nesting too deep).") from None
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text
