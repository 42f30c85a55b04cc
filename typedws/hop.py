"""The thread hop: a frame's synchronous work, run on Django's database thread.

Django's ORM is synchronous, so a sync action runs in a thread, as Channels'
``database_sync_to_async`` runs it: on asgiref's one thread for thread-sensitive code, with
``close_old_connections()`` before and after. The hop itself costs more than most of the work
it carries (``bench/RESULTS.md``): asgiref's bookkeeping, handing the work to the thread and the
answer back, and, with many connections busy, a wait for the GIL at each hand-off.

So the frames that wait for the thread at the same moment share one hop (a *crossing*): a
frame that finds nothing on its way to the thread makes its own hop, as before; the frames that
arrive while a hop is on its way wait, and cross together next, in the order they came.
Nothing else changes for a frame:

- it runs in a copy of its task's context, and the context variables it sets are set in its
  task afterwards, as ``sync_to_async`` does;
- Django closes obsolete or broken connections between two frames of a group, as around a hop;
- its answer is handed back when its group ends, or at the event loop's next look at the
  answers ready, every :data:`HAND_BACK_EVERY` seconds while the group is on the thread;
- a frame whose task was cancelled before its turn does not run; an exception is its frame's;
- a frame whose context chose a thread of its own (inside ``async_to_sync``, or a
  ``ThreadSensitiveContext``) makes a hop of its own, as before.

One crossing per event loop. With one connection there is no one to share with: each frame
makes its own hop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Callable
from typing import Any, Final, TypeVar
from weakref import WeakKeyDictionary

from asgiref.sync import AsyncToSync, SyncToAsync
from channels.db import database_sync_to_async
from django.db import close_old_connections

__all__ = ["run"]

T = TypeVar("T")

_Work = tuple[contextvars.Context, Callable[[], Any], "asyncio.Future[Any]"]
_Answer = tuple["asyncio.Future[Any]", Any, BaseException | None]
_UNSET: Final = object()

HAND_BACK_EVERY: Final = 0.002
"""Seconds between two hand-backs of the answers ready while a group is on the thread. The
thread does not wake the event loop for each answer: a wake-up while it works costs both
threads a wait for the GIL (about 200 µs of CPU per frame, ``bench/RESULTS.md``)."""


async def run(call: Callable[[], T]) -> T:
    """``call()`` on Django's database thread; its answer (or its exception) here."""
    if _own_thread():
        return await _checked_in_thread(call)
    loop = asyncio.get_running_loop()
    crossing = _crossings.get(loop)
    if crossing is None:
        crossing = _crossings[loop] = Crossing(loop)
    if not crossing.busy:  # nothing on its way to the thread: this frame crosses alone
        crossing.busy = True
        try:
            return await _checked_in_thread(call)
        finally:
            crossing.next()
    context = contextvars.copy_context()
    future: asyncio.Future[T] = loop.create_future()
    crossing.waiting.append((context, call, future))  # crosses once the hop on its way is back
    try:
        return await future
    finally:
        _carry_back(context)


def _checked(call: Callable[[], T]) -> T:
    """``call()``, with a ``StopIteration`` it raises made a ``RuntimeError``: a future refuses
    one (it would end a coroutine), and asgiref's hop would leave its caller waiting forever."""
    try:
        return call()
    except StopIteration as exc:
        raise RuntimeError(f"{type(exc).__name__} raised in a frame's synchronous work") from exc


def _own_thread() -> bool:
    """Whether this task's context picks the thread that sync code runs on (asgiref's rules:
    the thread of an ``async_to_sync`` above, or a ``ThreadSensitiveContext``'s)."""
    in_sync_thread = getattr(AsyncToSync.executors, "current", None) is not None
    return in_sync_thread or SyncToAsync.thread_sensitive_context.get(None) is not None


def _carry_back(context: contextvars.Context) -> None:
    """Set here what the work set in its copy of this task's context."""
    for variable, value in context.items():
        if variable.get(_UNSET) is not value:
            variable.set(value)


class Crossing:
    """One event loop's frames on their way to the database thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiting: list[_Work] = []
        self.busy = False  # a frame or a group on its way to the thread
        self.task: asyncio.Task[None] | None = None
        self._answers: deque[_Answer] = deque()  # ready, not yet handed back
        self._poll: asyncio.TimerHandle | None = None

    def next(self) -> None:
        """A frame that crossed alone is back: the frames that came meanwhile cross next."""
        if self.waiting:
            self._start()
        else:
            self.busy = False

    def _start(self) -> None:
        # An empty context: asgiref picks the process's database thread, as for a frame.
        self.task = self.loop.create_task(self._serve(), context=contextvars.Context())

    async def _serve(self) -> None:
        try:
            while self.waiting:
                group, self.waiting = self.waiting, []
                self._poll = self.loop.call_later(HAND_BACK_EVERY, self._hand_back)
                try:
                    await _in_thread(self, group)
                except BaseException as exc:  # the hop failed: no frame of it is left waiting
                    self._hand_answers()
                    for _, _, future in group:
                        _settle(future, None, exc)
                    if not isinstance(exc, Exception):
                        raise
                finally:
                    if self._poll is not None:
                        self._poll.cancel()
                self._hand_answers()
        finally:
            self.busy = False

    def serve_group(self, group: list[_Work]) -> None:
        """On the database thread: each frame of ``group`` in turn."""
        for number, (context, call, future) in enumerate(group):
            if future.cancelled():
                continue
            if number:
                close_old_connections()
            try:
                answer: _Answer = (future, context.run(_checked, call), None)
            except BaseException as exc:  # the frame's own: its caller gets it
                answer = (future, None, exc)
            self._answers.append(answer)

    def _hand_back(self) -> None:
        self._hand_answers()
        self._poll = self.loop.call_later(HAND_BACK_EVERY, self._hand_back)

    def _hand_answers(self) -> None:
        while self._answers:
            _settle(*self._answers.popleft())


_in_thread = database_sync_to_async(Crossing.serve_group)
_checked_in_thread = database_sync_to_async(_checked)


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.done():
        return  # cancelled meanwhile, or answered before the hop failed
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(error)


_crossings: WeakKeyDictionary[asyncio.AbstractEventLoop, Crossing] = WeakKeyDictionary()
