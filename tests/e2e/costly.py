"""One client's costliest frames, and another client's requests meanwhile.

Shared by ``tests/e2e/test_bad_input.py``, which asserts what the replies are and that the other
client keeps being answered, and ``bench/stall.py``, which reports how long it waited.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from tests.e2e.wsclient import Client, open_client, origin_of

__all__ = ["MAX_FRAME_BYTES", "costly_frames", "probe_while_costly", "unknown_keys"]

KiB = 1024
MiB = 1024 * KiB
# The default TYPEDWS["MAX_FRAME_BYTES"] of the demo server.
MAX_FRAME_BYTES = 64 * KiB

# The adversary runs in a process of its own, so that its sending and reading cost nothing to
# the measured client. It prints the size and status of each reply, one JSON list per line.
ADVERSARY = """
import json, os, sys
from websockets.sync.client import connect
url, origin, frames = sys.argv[1], sys.argv[2], json.load(sys.stdin)
os.nice(10)  # on a busy machine, the server goes first: it is what is measured
with connect(url, origin=origin, max_size=None) as ws:
    print("connected", flush=True)
    for text in frames:
        ws.send(text)
    for _ in frames:
        reply = ws.recv()
        print(json.dumps([len(reply), json.loads(reply)["payload"]["response_status"]]))
"""


def unknown_keys(size: int) -> str:
    """A create frame of about ``size`` bytes whose data is all unknown keys: the most error
    items per byte the contract allows."""
    head, tail = '{"stream":"questions","payload":{"action":"create","data":{', "}}}"
    keys, room, index = [], size - len(head) - len(tail), 0
    while room > 16:
        key = f'"{index:x}":0'
        keys.append(key)
        room -= len(key) + 1
        index += 1
    return head + ",".join(keys) + tail


def costly_frames() -> list[str]:
    """What one adversarial client sends: 1 MiB frames, and the costliest frames under the
    limit (thousands of unknown keys; an array of 20,000 arrays where filter values go)."""
    huge = unknown_keys(MiB)
    head = '{"stream":"questions","payload":{"action":"list","data":{"search":['
    arrays = head + ",".join(["[]"] * ((MAX_FRAME_BYTES - len(head) - 4) // 3)) + "]}}}"
    return [huge, unknown_keys(MAX_FRAME_BYTES), arrays] * 3


async def probe_while_costly(url: str) -> tuple[list[tuple[int, int]], list[float]]:
    """Send :func:`costly_frames` from another process while this one sends request after
    request on a socket of its own; the adversary's replies as ``(size, status)``, and how long
    each of this client's requests took, in seconds."""
    async with open_client(url) as other:
        await other.ok("questions", "list", data={"page_size": 1})  # warm: connection, thread
        adversary = await asyncio.create_subprocess_exec(
            sys.executable, "-c", ADVERSARY, url, origin_of(url),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert adversary.stdin is not None
        assert adversary.stdout is not None
        adversary.stdin.write(json.dumps(costly_frames()).encode())
        adversary.stdin.close()
        assert await adversary.stdout.readline() == b"connected\n"
        waiting = asyncio.create_task(adversary.wait())
        latencies = await _probe(other, adversary)
        output = (await adversary.stdout.read()).decode()
        assert await waiting == 0
    replies = [json.loads(line) for line in output.splitlines()]
    return [(size, status) for size, status in replies], latencies


async def _probe(ws: Client, adversary: asyncio.subprocess.Process) -> list[float]:
    latencies: list[float] = []
    while adversary.returncode is None:
        started = time.perf_counter()
        # An action without a database query: the time measured is the event loop's.
        await ws.ok("questions", "echo", pk=1)
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(0)  # let the subprocess watcher see the adversary exit
    return latencies
