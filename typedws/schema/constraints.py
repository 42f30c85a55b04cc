"""Validators become constraints, by the type of the schema they constrain.

Django's length, value and regex validators on a serializer field are written into its schema
(``maxLength``, ``minimum``, ``pattern``...), so the contract refuses what DRF would refuse.
A bound computed at validation time, an inverse or flagged regex, and the email/URL validators
(already a ``format``) are left to DRF.
"""

from __future__ import annotations

import decimal
import re
from typing import Any

from django.core import validators as django_validators

__all__ = ["apply_validators"]

Schema = dict[str, Any]

_STRING_BOUNDS = {
    django_validators.MaxLengthValidator: "maxLength",
    django_validators.MinLengthValidator: "minLength",
}
_ARRAY_BOUNDS = {
    django_validators.MaxLengthValidator: "maxItems",
    django_validators.MinLengthValidator: "minItems",
}
_NUMBER_BOUNDS = {
    django_validators.MaxValueValidator: "maximum",
    django_validators.MinValueValidator: "minimum",
}


def apply_validators(schema: Schema, field: Any) -> None:
    """Tighten ``schema`` with the constraints ``field``'s validators express statically."""
    kind = schema.get("type")
    for validator in getattr(field, "validators", ()):
        limit = getattr(validator, "limit_value", None)
        if callable(limit):
            continue  # a bound computed at validation time has no static schema
        validator_type = type(validator)
        if kind == "string" and validator_type in _STRING_BOUNDS:
            _tighten(schema, _STRING_BOUNDS[validator_type], limit)
        elif kind == "array" and validator_type in _ARRAY_BOUNDS:
            _tighten(schema, _ARRAY_BOUNDS[validator_type], limit)
        elif kind in ("integer", "number") and validator_type in _NUMBER_BOUNDS:
            _tighten(schema, _NUMBER_BOUNDS[validator_type], _number(limit))
        elif kind == "string" and isinstance(validator, django_validators.RegexValidator):
            _add_pattern(schema, validator)


def _tighten(schema: Schema, keyword: str, limit: Any) -> None:
    if limit is None:
        return
    current = schema.get(keyword)
    if current is None:
        schema[keyword] = limit
    elif keyword.startswith("max"):
        schema[keyword] = min(current, limit)
    else:
        schema[keyword] = max(current, limit)


def _number(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _add_pattern(schema: Schema, validator: django_validators.RegexValidator) -> None:
    if validator.inverse_match or validator.flags or type(validator) in _FORMAT_VALIDATORS:
        return  # not expressible as one ECMA-262 pattern, or already a format
    regex = validator.regex
    pattern = _ecma_pattern(regex if isinstance(regex, str) else regex.pattern)
    if "pattern" in schema and schema["pattern"] != pattern:
        schema.setdefault("allOf", []).append({"pattern": pattern})
    else:
        schema["pattern"] = pattern


_FORMAT_VALIDATORS = (django_validators.EmailValidator, django_validators.URLValidator)


def _ecma_pattern(pattern: str) -> str:
    """Python's ``\\A``/``\\Z`` anchors spelled as ECMA-262 (and Python) also read them; an
    escaped backslash before an ``A`` or a ``Z`` (``\\\\Z``) is no anchor and stays."""
    return _ANCHOR.sub(lambda found: found[1] + ("^" if found[2] == "A" else "$"), pattern)


# An \A or \Z after an even number of backslashes (none included).
_ANCHOR = re.compile(r"(?<!\\)((?:\\\\)*)\\([AZ])")
