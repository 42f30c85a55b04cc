"""Instructions callgrind counts for one Python process: the bench scripts' noise-free measure.

    collected(["bench/instructions.py", "--child", "typedws", "create", "100"])  # an int

The child runs under ``valgrind --tool=callgrind`` with this interpreter and
``PYTHONHASHSEED=0`` (the same hashes, so the same dict probes, in every run). A script takes
the difference of two counts (N and a multiple of N calls) to leave start-up out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

__all__ = ["collected"]


def collected(arguments: list[str]) -> int:
    """Instructions of ``python *arguments`` under callgrind, start-up included."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable]
    env = dict(os.environ, PYTHONHASHSEED="0")
    run = subprocess.run(command + arguments, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"no count from callgrind:\n{run.stderr[-2000:]}")
    return int(found.group(1))
