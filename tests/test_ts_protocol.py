"""``clients/ts/src/protocol.ts`` mirrors ``typedws/protocol.py`` name for name.

Read as text (no Node needed): each ``export const NAME = "value";``, the ``ErrorCode`` members
and the ``STANDARD_ACTIONS`` rows must equal the Python module's, and every string constant of
the Python module must have its TypeScript twin.
"""

from __future__ import annotations

import re
from pathlib import Path

from typedws import protocol

PROTOCOL_TS = Path(__file__).resolve().parents[1] / "clients" / "ts" / "src" / "protocol.ts"
TEXT = PROTOCOL_TS.read_text(encoding="utf-8")


def block(name: str) -> str:
    start = TEXT.index(f"export const {name}")
    return TEXT[
        start : TEXT.index("\n}", start) if name == "ErrorCode" else TEXT.index("];", start)
    ]


def test_string_constants_are_the_same_both_ways() -> None:
    typescript = dict(re.findall(r'^export const ([A-Z_]+) = "([^"]*)";$', TEXT, re.MULTILINE))
    python = {
        name: value
        for name, value in vars(protocol).items()
        if name.isupper() and isinstance(value, str)
    }
    # The client's own additions: the action names it sends itself, which Python has in
    # STANDARD_ACTIONS.
    extra = {name: typescript.pop(name) for name in ("SUBSCRIBE", "UNSUBSCRIBE")}
    assert set(extra.values()) <= {action.name for action in protocol.STANDARD_ACTIONS}
    assert typescript == python


def test_error_codes_are_the_same() -> None:
    typescript = dict(re.findall(r'^  ([A-Z_]+): "([a-z_]+)",$', block("ErrorCode"), re.MULTILINE))
    python = {name: value for name, value in vars(protocol.ErrorCode).items() if name.isupper()}
    assert typescript == python


def test_close_codes_are_the_same() -> None:
    start = TEXT.index("export const CloseCode")
    found = re.findall(r"^  ([A-Z_]+): (\d+),$", TEXT[start : TEXT.index("\n}", start)], re.M)
    python = {name: value for name, value in vars(protocol.CloseCode).items() if name.isupper()}
    assert {name: int(value) for name, value in found} == python


def test_event_actions_and_standard_actions_are_the_same() -> None:
    event_actions = re.search(r"export const EVENT_ACTIONS = \[(.*?)\] as const;", TEXT)
    assert event_actions is not None
    assert tuple(re.findall(r'"(\w+)"', event_actions[1])) == protocol.EVENT_ACTIONS
    rows = re.findall(
        # prettier puts a row on one line or, when it is too long, a key per line.
        r'\{\s*name: "(\w+)",\s*methodName: "(\w+)",\s*detail: (true|false),'
        r'\s*httpMethod: "(\w+)",?\s*\}',
        block("STANDARD_ACTIONS"),
    )
    assert [(name, method, detail == "true", http) for name, method, detail, http in rows] == [
        tuple(action) for action in protocol.STANDARD_ACTIONS
    ]
