"""The thread hop (``typedws.hop``): frames that wait for the database thread at the same moment
share one hop, and each keeps what a hop of its own gave it."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import ThreadSensitiveContext, async_to_sync
from channels.db import database_sync_to_async

from typedws import hop

# The database thread's close_old_connections() reads the connections earlier tests opened.
pytestmark = pytest.mark.django_db(transaction=True)

VARIABLE: contextvars.ContextVar[str] = contextvars.ContextVar("test_hop", default="unset")


class Gate:
    """Work that holds the database thread until the test opens the gate."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def __call__(self) -> str:
        self.entered.set()
        assert self.opened.wait(10)
        return "gate"

    async def wait_entered(self) -> None:
        assert await asyncio.to_thread(self.entered.wait, 10)


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of frames that crossed in each asgiref hop: 0 for one that crossed alone."""
    sizes: list[int] = []
    in_thread, alone = hop._in_thread, hop._checked_in_thread

    async def counting(crossing: hop.Crossing, group: list[Any]) -> None:
        sizes.append(len(group))
        await in_thread(crossing, group)

    async def counting_alone(call: Callable[[], Any]) -> Any:
        sizes.append(0)  # a frame alone, not in a group
        return await alone(call)

    monkeypatch.setattr(hop, "_in_thread", counting)
    monkeypatch.setattr(hop, "_checked_in_thread", counting_alone)
    return sizes


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.opened.set()  # never leave the database thread held


async def test_frames_that_wait_together_cross_in_one_hop_in_order(
    hops: list[int], gate: Gate
) -> None:
    ran: list[int] = []

    def work(number: int) -> Callable[[], int]:
        def call() -> int:
            ran.append(number)
            return number * 10

        return call

    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    waiting = [asyncio.ensure_future(hop.run(work(number))) for number in range(5)]
    await asyncio.sleep(0)
    gate.opened.set()
    assert await first == "gate"
    assert await asyncio.gather(*waiting) == [0, 10, 20, 30, 40]
    assert ran == [0, 1, 2, 3, 4]
    assert hops == [0, 5]


async def test_one_frame_alone_makes_its_own_hop(hops: list[int]) -> None:
    assert await hop.run(lambda: 1) == 1
    assert await hop.run(lambda: 2) == 2
    assert hops == [0, 0]


async def test_the_work_runs_on_the_thread_database_sync_to_async_uses() -> None:
    database_thread = await database_sync_to_async(threading.get_ident)()
    assert await hop.run(threading.get_ident) == database_thread
    assert database_thread != threading.get_ident()


async def test_an_exception_is_its_frames_alone(gate: Gate) -> None:
    def fails() -> None:
        raise ValueError("this frame's")

    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    failing = asyncio.ensure_future(hop.run(fails))
    after = asyncio.ensure_future(hop.run(lambda: "after"))
    await asyncio.sleep(0)
    gate.opened.set()
    await first
    with pytest.raises(ValueError, match="this frame's"):
        await failing
    assert await after == "after"


async def test_a_stop_iteration_reaches_its_caller_instead_of_hanging_it(gate: Gate) -> None:
    def stops() -> None:
        raise StopIteration

    first = asyncio.ensure_future(hop.run(stops))  # alone
    await asyncio.sleep(0)
    held = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    in_group = asyncio.ensure_future(hop.run(stops))
    await asyncio.sleep(0)
    gate.opened.set()
    for waiting in (first, in_group):
        with pytest.raises(RuntimeError, match="StopIteration") as raised:
            await asyncio.wait_for(waiting, 10)
        assert isinstance(raised.value.__cause__, StopIteration)
    assert await held == "gate"


async def test_an_answer_is_handed_back_before_its_group_ends(gate: Gate) -> None:
    blocker = asyncio.ensure_future(hop.run(lambda: "blocker"))
    await asyncio.sleep(0)  # the blocker's group is on its way; the next two wait together
    quick = asyncio.ensure_future(hop.run(lambda: "quick"))
    held = asyncio.ensure_future(hop.run(gate))
    assert await blocker == "blocker"
    assert await asyncio.wait_for(quick, 10) == "quick"
    await gate.wait_entered()
    assert not held.done()  # still on the thread when the answer before it arrived
    gate.opened.set()
    assert await held == "gate"


async def test_the_work_sees_its_callers_context_and_the_caller_what_it_set(
    hops: list[int], gate: Gate
) -> None:
    async def caller(name: str) -> tuple[str, str]:
        VARIABLE.set(name)

        def work() -> str:
            seen = VARIABLE.get()
            VARIABLE.set(f"{seen} after")
            return seen

        seen = await hop.run(work)
        return seen, VARIABLE.get()

    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    callers = [asyncio.ensure_future(caller(name)) for name in ("a", "b")]
    await asyncio.sleep(0)
    gate.opened.set()
    await first
    assert await asyncio.gather(*callers) == [("a", "a after"), ("b", "b after")]
    assert await asyncio.ensure_future(caller("alone")) == ("alone", "alone after")
    assert VARIABLE.get() == "unset"
    assert hops == [0, 2, 0]


async def test_a_cancelled_frame_that_has_not_started_does_not_run(gate: Gate) -> None:
    ran: list[str] = []
    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    cancelled = asyncio.ensure_future(hop.run(lambda: ran.append("cancelled")))
    kept = asyncio.ensure_future(hop.run(lambda: ran.append("kept")))
    await asyncio.sleep(0)
    cancelled.cancel()
    gate.opened.set()
    await first
    await kept
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    assert ran == ["kept"]


async def test_obsolete_connections_are_closed_between_the_frames_of_a_group(
    monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    closed: list[str] = []
    monkeypatch.setattr(hop, "close_old_connections", lambda: closed.append("closed"))
    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    group = [asyncio.ensure_future(hop.run(lambda: None)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.opened.set()
    await first
    await asyncio.gather(*group)
    assert closed == ["closed", "closed"]  # between three frames; asgiref's hop does the ends


async def test_a_failed_hop_leaves_no_frame_waiting(
    monkeypatch: pytest.MonkeyPatch, gate: Gate
) -> None:
    async def failing(crossing: hop.Crossing, group: list[Any]) -> None:
        await in_thread(crossing, group[:1])  # the first frame is answered, then the hop fails
        raise OSError("the hop failed")

    in_thread = hop._in_thread
    first = asyncio.ensure_future(hop.run(gate))
    await gate.wait_entered()
    monkeypatch.setattr(hop, "_in_thread", failing)
    answered = asyncio.ensure_future(hop.run(lambda: "answered"))
    group = [asyncio.ensure_future(hop.run(lambda: None)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.opened.set()
    await first
    assert await asyncio.wait_for(answered, 10) == "answered"
    for waiting in group:
        with pytest.raises(OSError, match="the hop failed"):
            await asyncio.wait_for(waiting, 10)
    monkeypatch.undo()
    assert await hop.run(lambda: "next") == "next"  # the crossing serves again


async def test_async_to_sync_inside_the_work_runs_on_the_event_loop() -> None:
    loop = asyncio.get_running_loop()

    async def where() -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    assert await hop.run(async_to_sync(where)) is loop


def test_under_async_to_sync_the_work_runs_in_the_calling_thread() -> None:
    """Inside ``async_to_sync`` (a sync test, a management command) sync code runs back in the
    calling thread, as ``database_sync_to_async`` would run it: such a frame hops alone."""

    async def serve() -> int:
        return await hop.run(threading.get_ident)

    assert async_to_sync(serve)() == threading.get_ident()


async def test_a_thread_sensitive_context_keeps_its_own_thread() -> None:
    async with ThreadSensitiveContext():
        inside = await hop.run(threading.get_ident)
        its_own = await database_sync_to_async(threading.get_ident)()
    assert inside == its_own
    assert inside != await hop.run(threading.get_ident)
