"""Code blocks of the project's Markdown files, for the tests that run or type-check them.

A block marked ``<!-- quickstart: TARGET -->`` on the line before its fence is a step of the
README's quickstart: ``run`` (shell commands), ``frames`` (one JSON frame a line), or a file of
the new project (``polls/models.py``; ``proj/settings.py append`` appends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["REPO_ROOT", "Block", "code_blocks", "quickstart_blocks"]

REPO_ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_MARKER = re.compile(r"<!-- quickstart: (?P<target>[^>]+?) -->")


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language, its text (dedented), its quickstart marker if any,
    and the line it starts on (for failure messages)."""

    lang: str
    text: str
    target: str | None
    line: int


def code_blocks(path: Path) -> list[Block]:
    """Every fenced block of a Markdown file, in order."""
    source = path.read_text(encoding="utf-8")
    blocks = []
    for match in _FENCE.finditer(source):
        indent = match["indent"]
        lines = match["body"].splitlines()
        text = "\n".join(line.removeprefix(indent) for line in lines) + "\n"
        before = source[: match.start()]
        previous_line = before.rstrip().rsplit("\n", 1)[-1].strip()
        marker = _MARKER.fullmatch(previous_line)
        blocks.append(
            Block(match["lang"], text, marker["target"] if marker else None, before.count("\n") + 1)
        )
    return blocks


def quickstart_blocks(path: Path = REPO_ROOT / "README.md") -> list[Block]:
    """The README's quickstart steps, in order."""
    return [block for block in code_blocks(path) if block.target is not None]
