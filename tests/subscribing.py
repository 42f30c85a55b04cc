"""Helpers of the subscription tests: writes made as a writer process would make them (in a
thread, through the ORM), and a look at the in-memory layer's groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db.models import Model

from polls.models import Choice, Question
from typedws.subscriptions.registry import group_name

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


def group_members(model: type[Model]) -> int:
    """How many channels the in-memory layer has in ``model``'s group."""
    layer: Any = get_channel_layer()
    return len(layer.groups.get(group_name(model), {}))
