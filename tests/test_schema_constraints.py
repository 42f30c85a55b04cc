"""Python's anchors in a RegexValidator become the schema's ECMA-262 spelling; an escaped
backslash before an ``A`` or a ``Z`` is no anchor."""

from __future__ import annotations

import pytest

from typedws.schema.constraints import _ecma_pattern


@pytest.mark.parametrize(
    ("python", "schema"),
    [
        (r"^[A-Z]{3}\Z", r"^[A-Z]{3}$"),
        (r"\Aab\Z", r"^ab$"),
        (r"a\\Z", r"a\\Z"),  # a backslash, then Z
        (r"a\\\Z", r"a\\$"),  # a backslash, then the end
        (r"\\\\A", r"\\\\A"),
    ],
)
def test_anchors(python: str, schema: str) -> None:
    assert _ecma_pattern(python) == schema
