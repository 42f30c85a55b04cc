"""Helpers of the subscription tests: writes made as a writer process would make them (in a
thread, through the ORM), and a look at the feeds this process runs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from django.db.models import Model

from polls.models import Choice, Question
from typedws.subscriptions import feeds

T = TypeVar("T")


async def write(func: Callable[[], T]) -> T:
    """Run ORM code in a thread, as sync code does (its on_commit sends the events)."""
    result: T = await database_sync_to_async(func)()
    return result


async def question(text: str = "q") -> Question:
    return await write(lambda: Question.objects.create(question_text=text))


async def choice(question: Question, text: str = "c") -> Choice:
    return await write(lambda: Choice.objects.create(question=question, choice_text=text))


async def save(instance: Model, **changes: Any) -> None:
    for name, value in changes.items():
        setattr(instance, name, value)
    await write(instance.save)


async def delete(instance: Model) -> None:
    await write(instance.delete)


def running_feeds() -> dict[str, feeds.Feed]:
    """The feeds of the running event loop, by model label."""
    return feeds._feeds.get(asyncio.get_running_loop(), {})


def followers(model: type[Model]) -> int:
    """How many of this process's connections follow ``model`` (attached to its feed)."""
    feed = running_feeds().get(model._meta.label_lower)
    return 0 if feed is None else len(feed.inboxes)
