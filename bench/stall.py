"""How long one client waits while another sends the costliest frames the server reads.

The scenario of ``test_costly_frames_get_small_replies_and_stall_no_one`` in
``tests/e2e/test_bad_input.py`` (``tests/e2e/costly.py``): an adversary process sends three
1 MiB frames, three 64 KiB frames of unknown keys and three 64 KiB frames of 21,800 empty arrays
at once, while this process sends one request after another on a socket of its own. The demo
server runs under uvicorn with its own SQLite file. Prints, per round, the other client's median
and slowest request; the test asserts the behaviour, this measures it (issue 14's bound: 100 ms).
Run from the repository root::

    .venv/bin/python bench/stall.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.costly import probe_while_costly
from tests.e2e.servers import run_manage, server_env, start_server, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        env = server_env(f"sqlite:///{Path(workdir) / 'db.sqlite3'}")
        run_manage(env, "migrate", "--noinput")
        process, url = start_server(env, Path(workdir) / "server.log")
        try:
            for round_ in range(1, args.rounds + 1):
                _, latencies = asyncio.run(probe_while_costly(url))
                median, slowest = statistics.median(latencies), max(latencies)
                print(
                    f"round {round_}: {len(latencies)} requests, median {median * 1e3:.1f} ms, "
                    f"slowest {slowest * 1e3:.1f} ms"
                )
        finally:
            stop(process)


if __name__ == "__main__":
    main()
