"""``make protocol``: write the clients' mirrors of ``typedws/protocol.py``.

``typedws/protocol.py`` is the one definition of the protocol's names. The clients cannot
import it (it belongs to the server's distribution), so each gets a generated mirror:
``clients/ts/src/protocol.ts`` and ``clients/python/typedws_client/protocol.py``::

    python -m typedws_codegen.protocol_mirror            # from the checkout's root

tests/test_protocol_mirrors.py regenerates both and compares them with the committed files.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from .protocol_python import render_python
from .protocol_ts import render_typescript
from .protocol_vocabulary import read_vocabulary

__all__ = ["COMMAND", "Mirror", "main", "mirrors"]

#: Where the mirrors are read from and written to, relative to the checkout's root.
SOURCE = Path("typedws/protocol.py")
TS_MIRROR = Path("clients/ts/src/protocol.ts")
PYTHON_MIRROR = Path("clients/python/typedws_client/protocol.py")
COMMAND = "make protocol"


class Mirror(NamedTuple):
    path: Path
    text: str


def mirrors(root: Path) -> tuple[Mirror, ...]:
    """The two mirrors' paths under ``root``, and their text from ``root``'s protocol.py."""
    vocabulary = read_vocabulary(root / SOURCE)
    source = SOURCE.as_posix()
    return (
        Mirror(root / TS_MIRROR, render_typescript(vocabulary, source, COMMAND)),
        Mirror(root / PYTHON_MIRROR, render_python(vocabulary, source, COMMAND)),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m typedws_codegen.protocol_mirror",
        description=f"Write the clients' mirrors of {SOURCE} (run from the checkout's root).",
    )
    parser.add_argument("--root", type=Path, default=Path(), help="The checkout (default: .).")
    args = parser.parse_args(argv)
    for mirror in mirrors(args.root):
        mirror.path.parent.mkdir(parents=True, exist_ok=True)
        mirror.path.write_text(mirror.text, encoding="utf-8")
        print(f"wrote {mirror.path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
