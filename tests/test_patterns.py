"""A pattern handed to pydantic-core's Rust engine means what ``re.search`` means: the same
strings match, checked by running both engines on the same strings."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic_core import SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from typedws.patterns import rust_pattern, string_schema


def rust_matches(spelled: str, text: str) -> bool:
    validator = SchemaValidator(cs.str_schema(pattern=spelled, regex_engine="rust-regex"))
    try:
        validator.validate_python(text)
    except ValidationError:
        return False
    return True


def agree(pattern: str, text: str) -> None:
    spelled = rust_pattern(pattern)
    assert spelled is not None, pattern
    python = re.search(pattern, text) is not None
    assert rust_matches(spelled, text) is python, (pattern, spelled, text)


@pytest.mark.parametrize(
    ("pattern", "texts"),
    [
        (r"^[0-9]{5}$", ["12345", "12345\n", "12345\n\n", "1234", "x12345", "123456"]),
        (r"^-?\d{0,6}(?:\.\d{0,2})?$", ["-19.90", "١٢.٣", "1.234", "\n", "", "12\n"]),
        (r"^[-a-zA-Z0-9_]+\Z", ["slug-1", "slug\n", "", "a b"]),
        (r"\Aab|cd$", ["ab", "xab", "cd\n", "cdx", "xcd"]),
        (r"a.c", ["abc", "a\nc", "a\u00e9c"]),
        (r"[^]a-]x", ["]x", "ax", "-x", "bx", "\nx"]),
        (r"^#[0-9a-f]{6}$", ["#a0b1c2", "#A0B1C2", "#a0b1c2\n"]),
        (r"(ab)+?c*", ["", "ab", "abab"]),
        (r"x{2,}y{1,3}", ["xxy", "xy", "xxyyyy"]),
        (r"[\d.]+\.\-", ["1.2.-", ".-", "٣.-"]),
        (r"é+|\t", ["é", "\t", "e"]),
    ],
)
def test_both_engines_agree(pattern: str, texts: list[str]) -> None:
    for text in texts:
        agree(pattern, text)


@pytest.mark.parametrize(
    "pattern",
    [
        r"a$b",  # $ before what follows: Python's takes a newline there
        r"(a$)",
        r"^(?=a)",
        r"(?<!a)b",
        r"(a)\1",
        r"(?i)a",
        r"(?P<x>a)",
        r"\w+",
        r"\s",
        r"\bword",
        r"\D",
        r"a{,3}",  # Python's {0,3}
        r"a{x}",  # Python's literal braces
        r"a*+",  # possessive
        r"[[]",  # Python's literal [, Rust's nested class
        r"[a&&b]",
        r"[a--b]",
        r"[\d-z]",
        r"[\w]",
        r"a]",
        r"\u00e9",
        r"(",  # not a pattern at all
    ],
)
def test_what_may_differ_stays_with_python(pattern: str) -> None:
    assert rust_pattern(pattern) is None


def test_digits_are_this_pythons() -> None:
    """``\\d`` is spelled as the characters this Python's ``\\d`` takes: Rust's own ``\\d``
    follows a different Unicode version."""
    spelled = rust_pattern(r"^\d$")
    assert spelled is not None
    digits = [chr(code) for code in range(0x110000) if chr(code).isdecimal()]
    validator = SchemaValidator(cs.str_schema(pattern=spelled, regex_engine="rust-regex"))
    for digit in digits:
        validator.validate_python(digit)
    # Characters Rust's own \d may take: every decimal digit of some Unicode version.
    rust_own = SchemaValidator(cs.str_schema(pattern=r"^\d$", regex_engine="rust-regex"))
    for code in range(0x110000):
        char = chr(code)
        if 0xD800 <= code < 0xE000 or char.isdecimal():
            continue
        try:
            rust_own.validate_python(char)
        except ValidationError:
            continue
        agree(r"^\d$", char)  # Rust's \d takes it, Python's does not: so neither does ours


def test_a_schema_uses_rust_only_where_it_can() -> None:
    assert string_schema(r"^\d{3}$", None, None)["regex_engine"] == "rust-regex"
    assert string_schema(r"^\w{3}$", 1, 5)["regex_engine"] == "python-re"
    assert "regex_engine" not in string_schema(None, 1, None) or (
        string_schema(None, 1, None)["regex_engine"] == "python-re"
    )


# Patterns from the grammar's pieces and the pieces it refuses; strings from their characters.
_PIECES = [
    "a", "b", "é", "1", "٣", ".", "^", "$", r"\d", r"\.", r"\-", r"\Z", r"\A", r"\n", "\n",
    "[a-c]", "[^a]", r"[\d.]", "[]a]", "(", ")", "(?:", "|", "*", "+", "?", "*?", "{2}",
    "{1,}", "{0,2}", "{,2}", r"\w", r"\s", "(?=a)",
]  # fmt: skip
_CHARACTERS = "ab1é٣.\n-xy"


@settings(max_examples=400, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8),
    texts=st.lists(st.text(alphabet=_CHARACTERS, max_size=6), min_size=1, max_size=8),
)
def test_generated_patterns_agree(pieces: list[str], texts: list[str]) -> None:
    pattern = "".join(pieces)
    if rust_pattern(pattern) is None:
        return
    for text in texts:
        agree(pattern, text)
