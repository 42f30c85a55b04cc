"""What the two load generators (``load.py``, ``fanout_load.py``) share: running a measurement on
the chosen event loop and printing its result as one JSON object on stdout."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any


def run_and_print(measure: Callable[[Any], Coroutine[Any, Any, Any]], args: Any) -> int:
    """``measure(args)`` on uvloop (``--loop uvloop``) or asyncio; its result as JSON."""
    if args.loop == "uvloop":
        import uvloop

        result = uvloop.run(measure(args))
    else:
        result = asyncio.run(measure(args))
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0
