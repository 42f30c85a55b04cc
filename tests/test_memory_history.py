"""The in-process history as its live readers use it (``MemoryHistory.tail``, read by
:mod:`typedws.subscriptions.feeds`): what follows a seq, at once or at the next append,
whichever loop or thread appends."""

from __future__ import annotations

import asyncio
import threading

from typedws.subscriptions.history import EPOCH_CHANGED, TAIL_COUNT, MemoryHistory, Stored

LABEL = "polls.question"


def batch(count: int = 1, name: str = "b") -> Stored:
    return Stored(0, name, "default", "[]", count)


async def test_the_batches_after_a_seq_come_at_once_in_order_and_at_most_tail_count() -> None:
    history = MemoryHistory()
    for n in range(TAIL_COUNT + 2):
        await history.append(LABEL, batch(2, f"b{n}"))
    epoch, head = await history.head(LABEL)
    found = await history.tail(LABEL, 2, block=0)
    assert [stored.first for _, stored in found] == [3 + 2 * n for n in range(TAIL_COUNT)]
    assert {each for each, _ in found} == {epoch}
    assert await history.tail(LABEL, head, block=0) == []


async def test_a_reader_at_the_head_waits_for_the_next_append() -> None:
    history = MemoryHistory()
    await history.append(LABEL, batch(name="before"))
    reader = asyncio.ensure_future(history.tail(LABEL, 1, block=60))
    await asyncio.sleep(0)
    assert not reader.done()
    await history.append(LABEL, batch(name="next"))
    [(_, stored)] = await asyncio.wait_for(reader, 5)
    assert (stored.id, stored.first) == ("next", 2)


async def test_an_append_from_another_thread_wakes_the_reader() -> None:
    history = MemoryHistory()
    reader = asyncio.ensure_future(history.tail(LABEL, 0, block=60))
    await asyncio.sleep(0)
    # A writer outside the server's loop (a shell's or a command's async_to_sync).
    thread = threading.Thread(target=lambda: asyncio.run(history.append(LABEL, batch())))
    thread.start()
    [(_, stored)] = await asyncio.wait_for(reader, 5)
    thread.join()
    assert stored.first == 1


async def test_a_restart_ends_only_the_epoch_it_names_and_wakes_the_reader() -> None:
    history = MemoryHistory()
    await history.append(LABEL, batch(2, "a"), once=True)
    first, head = await history.head(LABEL)
    reader = asyncio.ensure_future(history.tail(LABEL, head, block=60))
    await asyncio.sleep(0)
    await history.restart(LABEL, first)
    assert await asyncio.wait_for(reader, 5) == []  # the feed looks at the head again
    second, head = await history.head(LABEL)
    assert (second != first, head) == (True, 0)
    assert await history.read(LABEL, first, 2) == EPOCH_CHANGED
    assert await history.append(LABEL, batch(name="a"), once=True) == (second, 1, False)
    await history.restart(LABEL, first)  # another feed, ending the same epoch: nothing changes
    assert await history.head(LABEL) == (second, 1)
    read = await history.read(LABEL, second, 0)
    assert isinstance(read, list)
    assert [stored.id for stored in read] == ["a"]
