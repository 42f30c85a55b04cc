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
    """``value`` as compact JSON text; ``ValueError``/``TypeError`` if JSON cannot carry it."""
    return encode(value, default=_default)
