"""A program built on a generated Python client, run by tests/e2e/test_python_client.py.

``python python_client_script.py MODULE URL SCENARIO``: imports the generated client module
``MODULE`` (from the current directory), runs one scenario against the server at ``URL`` and
prints one JSON line per thing it saw. The ``restart`` scenario prints ``{"step": "ready"}``
and waits for a line on stdin (the test restarts the server meanwhile) before it goes on.
Every wait is bounded, so a broken client fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import uuid
from collections.abc import Awaitable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from typedws_client.errors import NotFound, RequestTimeout, ValidationFailed
from typedws_client.reconnect import ConnectionEvent, ExponentialBackoff, Resubscribed

T = TypeVar("T")
WAIT = 30.0


def say(step: str, **facts: Any) -> None:
    print(json.dumps({"step": step, **facts}, default=str), flush=True)


async def bounded(awaitable: Awaitable[T]) -> T:
    async with asyncio.timeout(WAIT):
        return await awaitable


def origin(url: str) -> str:
    """channels' AllowedHostsOriginValidator wants the Origin a page of this host sends."""
    return f"http://{urlsplit(url).netloc}"


async def crud(api: Any, client: Any) -> None:
    marker = uuid.uuid4().hex[:12]
    created = [
        await api.questions.create(client.QuestionRequest(question_text=f"{marker} {n}"))
        for n in range(3)
    ]
    say("created", ids=[question.id for question in created], type=type(created[0]).__name__)
    first = await api.questions.retrieve(created[0].id)
    say("retrieved", text=first.question_text, aware=first.pub_date.tzinfo is not None)
    updated = await api.questions.update(
        first.id, client.QuestionRequest(question_text=f"{marker} updated")
    )
    patched = await api.questions.patch(
        first.id, client.PatchedQuestionRequest(question_text=f"{marker} patched")
    )
    say("changed", updated=updated.question_text, patched=patched.question_text)
    await pages(api, client, marker)
    echoed = await api.questions.echo(first.id, {"hello": [1, "two"]})
    say("echoed", echoed=echoed)
    choice = await api.choices.create(client.ChoiceRequest(question=first.id, choice_text="Yes"))
    voted = await api.choices.vote(choice.id)
    say("voted", votes=voted["votes"])
    await errors(api, client, first.id)
    many = await asyncio.gather(*(api.questions.retrieve(first.id) for _ in range(20)))
    say("concurrent", count=len(many), same={q.id for q in many} == {first.id})
    try:
        # An expired deadline: the reply cannot be in before it.
        await api.questions.retrieve(first.id, timeout=0)
    except RequestTimeout as exc:
        say("timeout", is_timeout_error=isinstance(exc, TimeoutError))
    for question in created:
        await api.questions.delete(question.id)
    try:
        await api.questions.retrieve(first.id)
    except NotFound as exc:
        say("deleted", status=exc.response_status)


async def pages(api: Any, client: Any, marker: str) -> None:
    params = client.QuestionsListParams(search=marker, page_size=2, ordering="id")
    page = await api.questions.list(params)
    rest = await api.questions.list(params.model_copy(update={"page": page.next_page}))
    say(
        "listed",
        count=page.count,
        first=[q.id for q in page.results],
        next_page=page.next_page,
        second=[q.id for q in rest.results],
        last_next=rest.next_page,
    )


async def errors(api: Any, client: Any, question_id: int) -> None:
    """Errors only the server can find: a choice of a question that does not exist."""
    try:
        await api.choices.create(client.ChoiceRequest(question=10**12, choice_text="No"))
    except ValidationFailed as exc:
        say(
            "invalid",
            status=exc.response_status,
            errors=[[item.code, list(item.path)] for item in exc.errors],
            stream=exc.stream,
            action=exc.action,
        )


async def subscriptions(api: Any, client: Any) -> None:
    marker = uuid.uuid4().hex[:12]
    wanted = client.QuestionsSubscribeData(action=["create", "update", "delete"])
    subscription = await api.questions.subscribe(wanted)
    # A second one that lives on: it sees what the first no longer does.
    witness = await api.questions.subscribe(client.QuestionsSubscribeData(action="create"))
    question = await api.questions.create(client.QuestionRequest(question_text=marker))
    await api.questions.patch(
        question.id, client.PatchedQuestionRequest(question_text=f"{marker} patched")
    )
    await api.questions.delete(question.id)
    for _ in range(3):
        event = await bounded(anext(subscription))
        say("event", type=type(event).__name__, action=event.action, pk=event.pk,
            text=event.data.question_text)  # fmt: skip
    await bounded(subscription.unsubscribe())
    later = await api.questions.create(client.QuestionRequest(question_text=f"{marker} later"))
    seen = await bounded(anext(witness))
    while seen.pk != later.id:
        seen = await bounded(anext(witness))
    leftover = [event.pk async for event in subscription]
    say("after-unsubscribe", witness_saw=seen.pk == later.id, first_saw=leftover)
    await api.questions.delete(later.id)


async def restart(api: Any, client: Any, resubscribed: asyncio.Event) -> None:
    subscription = await api.questions.subscribe(client.QuestionsSubscribeData(action="create"))
    say("ready")
    await bounded(asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline))
    await bounded(resubscribed.wait())
    question = await api.questions.create(client.QuestionRequest(question_text="after restart"))
    event = await bounded(anext(subscription))
    say("event-after-restart", pk=event.pk, mine=event.pk == question.id)


async def compat(api: Any, client: Any) -> None:
    """An older client: no ``choices`` stream, a ``Question`` without ``pub_date``."""
    question = await api.questions.create(client.QuestionRequest(question_text="old client"))
    again = await api.questions.retrieve(question.id)
    page = await api.questions.list(client.QuestionsListParams(page_size=1))
    say(
        "compat",
        id=again.id,
        fields=sorted(type(again).model_fields),
        has_pub_date=hasattr(again, "pub_date"),
        listed=len(page.results),
        has_choices=hasattr(api, "choices"),
    )
    await api.questions.delete(question.id)


async def main(module: str, url: str, scenario: str) -> None:
    client = importlib.import_module(module)
    resubscribed = asyncio.Event()
    kinds: list[str] = []

    def on_event(event: ConnectionEvent) -> None:
        kinds.append(type(event).__name__)
        if isinstance(event, Resubscribed):
            resubscribed.set()

    async with client.ApiClient(
        url,
        timeout=WAIT,
        reconnect=ExponentialBackoff(initial=0.1, maximum=1.0),
        on_connection_event=on_event,
        connect_options={"origin": origin(url)},
    ) as api:
        if scenario == "restart":
            await restart(api, client, resubscribed)
        else:
            await {"crud": crud, "subscriptions": subscriptions, "compat": compat}[scenario](
                api, client
            )
    say("connection-events", kinds=kinds)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
