"""JSON text of what bindings return, exactly as DRF's ``JSONRenderer`` would write it.

:func:`typedws.protocol.encode` with DRF's encoder for the values serializers produce and JSON
has no type for (dates, decimals, UUIDs, lazy strings, ...). Every frame the server sends, and
every piece of one, is encoded here.
"""

from __future__ import annotations

from typing import Any

from rest_framework.utils.encoders import JSONEncoder

from .protocol import encode

__all__ = ["dumps"]

_default = JSONEncoder().default


def dumps(value: Any) -> str:
    """``value`` as compact JSON text; ``ValueError``/``TypeError`` if JSON cannot carry it.

    U+2028 and U+2029 are escaped, as ``JSONRenderer`` escapes them (JSON allows them raw,
    JavaScript source before ES2019 does not)."""
    text = encode(value, default=_default)
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text
