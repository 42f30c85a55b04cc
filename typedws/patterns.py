"""A schema's ``pattern`` for pydantic-core's Rust regex engine, where it means what Python's does.

The runtime reads a pattern as the reference validator does: Python's ``re.search``. Python's
engine is called back from Rust for every string it checks; Rust's runs in place, so a pattern
is handed to it when a conservative reading proves that it means exactly the same there::

    rust_pattern(r"^[0-9]{5}$")  # '^[0-9]{5}\\n?\\z': Python's final $ also takes a final newline
    rust_pattern(r"^(?=a)")      # None: lookaround, read by Python

Only this grammar is taken, and nothing else: literal characters, ``.``, ``^``, ``\\A``, ``\\Z``
(``\\z``), a ``$`` that ends the pattern, ``\\d`` (spelled as the characters this Python's
``\\d`` takes: the Unicode versions of the two engines differ), ``\\n``/``\\t``/``\\r``, escaped
punctuation, classes of these and of ranges, groups ``(...)`` and ``(?:...)``, ``|``, and the
quantifiers ``*``, ``+``, ``?``, ``{m}``, ``{m,}``, ``{m,n}`` (lazy or not: only whether a string
matches is asked). Everything else (lookaround, backreferences, flags, ``\\w``, ``\\s``, ``\\b``,
``{,n}``...) stays with Python's engine.
"""

from __future__ import annotations

import array
import re
import sys
import warnings
from functools import cache

from pydantic_core import SchemaError, SchemaValidator
from pydantic_core import core_schema as cs

__all__ = ["rust_pattern", "string_schema"]

# Punctuation both engines read as itself once escaped (Rust's meta characters, all ASCII).
_ESCAPED = frozenset(r"\.+*?()|[]{}^$#&-~/")
_SPECIAL = {"n": r"\n", "t": r"\t", "r": r"\r", "A": r"\A", "Z": r"\z"}
_QUANTIFIER = re.compile(r"\{([0-9]+)(,([0-9]*))?\}")
# Inside a class, what Rust would read as an operator or a nested class.
_CLASS_ESCAPE = frozenset(r"\[]^-&~")


def string_schema(
    pattern: str | None, min_length: int | None, max_length: int | None
) -> cs.CoreSchema:
    """A strict string schema checking ``pattern`` as ``re.search`` would, in Rust if it can."""
    rust = rust_pattern(pattern) if pattern is not None else None
    return cs.str_schema(
        min_length=min_length,
        max_length=max_length,
        pattern=rust if rust is not None else pattern,
        regex_engine="rust-regex" if rust is not None else "python-re",
        strict=True,
    )


@cache
def rust_pattern(pattern: str) -> str | None:
    """``pattern`` spelled for Rust's engine with Python's meaning; ``None`` if not provably."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a FutureWarning marks what Python may read anew
        try:
            re.compile(pattern)
        except (re.error, Warning):
            return None  # Python's engine says why
    spelled = _Reader(pattern).read()
    if spelled is None or not _compiles(spelled):
        return None
    return spelled


def _compiles(spelled: str) -> bool:
    try:
        SchemaValidator(cs.str_schema(pattern=spelled, regex_engine="rust-regex"))
    except SchemaError:  # a size limit, or a syntax this reading missed
        return False
    return True


class _Reader:
    """One pass over a pattern, writing Rust's spelling, or ``None`` at the first doubt."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.at = 0
        self.out: list[str] = []
        self.quantifiable = False  # whether a quantifier may follow

    def read(self) -> str | None:
        pattern = self.pattern
        while self.at < len(pattern):
            if not self._step(pattern[self.at]):
                return None
        return "".join(self.out)

    def _step(self, char: str) -> bool:
        if char == "\\":
            return self._escape()
        if char == "[":
            return self._class()
        if char in "*+?{":
            return self._quantifier()
        if char == "$":
            # Python's $ is the end or before a final newline; only at the very end can it be
            # spelled with what it consumes.
            return self._emit(r"\n?\z", 1, quantifiable=False) and self.at == len(self.pattern)
        if char == "(":
            if self.pattern.startswith("(?:", self.at):
                return self._emit("(?:", 3, quantifiable=False)
            if self.pattern.startswith("(?", self.at):
                return False  # lookaround, flags, named groups and the like
            return self._emit("(", 1, quantifiable=False)
        if char in "|^":
            return self._emit(char, 1, quantifiable=False)
        if char in "]}":
            return False  # a lone ] or }: Python's literal, Rust's error
        return self._emit(char, 1, quantifiable=True)  # a literal, ")" or "."

    def _emit(self, text: str, width: int, quantifiable: bool) -> bool:
        self.out.append(text)
        self.at += width
        self.quantifiable = quantifiable
        return True

    def _escape(self) -> bool:
        escaped = self.pattern[self.at + 1 : self.at + 2]
        if escaped == "d":
            return self._emit(f"[{_digits()}]", 2, quantifiable=True)
        if escaped in _SPECIAL:
            anchor = escaped in "AZ"
            return self._emit(_SPECIAL[escaped], 2, quantifiable=not anchor)
        if escaped and escaped in _ESCAPED:
            return self._emit("\\" + escaped, 2, quantifiable=True)
        return False

    def _quantifier(self) -> bool:
        if not self.quantifiable:
            return False
        pattern, at = self.pattern, self.at
        if pattern[at] == "{":
            bound = _QUANTIFIER.match(pattern, at)
            if bound is None:
                return False  # Python reads it as a literal brace, Rust refuses it
            end = bound.end()
        else:
            end = at + 1
        if pattern.startswith("?", end):
            end += 1  # lazy: the same strings match
        if pattern.startswith(("+", "*", "?", "{"), end):
            return False  # possessive, or a quantifier of a quantifier
        return self._emit(pattern[at:end], end - at, quantifiable=False)

    def _class(self) -> bool:
        pattern, at = self.pattern, self.at + 1
        out = ["["]
        if pattern.startswith("^", at):
            out.append("^")
            at += 1
        first = at
        while at < len(pattern) and (pattern[at] != "]" or at == first):
            unit, single, at = _class_unit(pattern, at)
            if unit is None:
                return False
            if pattern.startswith("-", at) and not pattern.startswith("-]", at):
                end, end_single, at = _class_unit(pattern, at + 1)
                if end is None or not (single and end_single):
                    return False  # only a range between two single characters
                unit = f"{unit}-{end}"
            out.append(unit)
        if at >= len(pattern):
            return False
        out.append("]")
        return self._emit("".join(out), at + 1 - self.at, quantifiable=True)


def _class_unit(pattern: str, at: int) -> tuple[str | None, bool, int]:
    """One member of a class at ``at``: as Rust spells it (``None`` if it cannot), whether it
    is a single character (which may bound a range), and where the next member begins."""
    char = pattern[at]
    if char == "\\":
        escaped = pattern[at + 1 : at + 2]
        if escaped == "d":
            return _digits(), False, at + 2
        if escaped in ("n", "t", "r"):
            return _SPECIAL[escaped], True, at + 2
        if escaped and escaped in _ESCAPED:
            return "\\" + escaped, True, at + 2
        return None, False, at
    if char == "[" or (char in "&~-" and pattern.startswith(char * 2, at)):
        return None, False, at  # Python's literal, Rust's nested class or set operation
    return ("\\" + char if char in _CLASS_ESCAPE else char), True, at + 1


@cache
def _digits() -> str:
    """What this Python's ``\\d`` takes (Unicode decimal digits), as class ranges for Rust."""
    # Every character but the surrogates, built in C: a join of chr() costs four times more.
    table = array.array("I", range(0xD800))
    table.extend(range(0xE000, sys.maxunicode + 1))
    every = table.tobytes().decode(f"utf-32-{'le' if sys.byteorder == 'little' else 'be'}")
    codes = [ord(match) for match in re.findall(r"\d", every)]
    ranges: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code != previous + 1:
            ranges.append(_range(start, previous))
            start = code
        previous = code
    return "".join(ranges)


def _range(start: int, end: int) -> str:
    return f"\\x{{{start:x}}}" if start == end else f"\\x{{{start:x}}}-\\x{{{end:x}}}"
