"""Calls of the generated demo client: right ones type-check, each wrong one is an error.

tests/codegen/test_python.py runs mypy --strict on this file beside the generated module
(``demo_client``): every ignore comment must be needed (``--warn-unused-ignores``),
and with the ignores stripped, mypy must report that code on exactly those lines.
"""

from __future__ import annotations

from datetime import UTC, datetime

from demo_client import (
    ApiClient,
    ChoiceRequest,
    PatchedQuestionRequest,
    Question,
    QuestionPage,
    QuestionRequest,
    QuestionsEvent,
    QuestionsListParams,
    QuestionsSubscribeData,
)


async def right(api: ApiClient) -> None:
    created: Question = await api.questions.create(
        QuestionRequest(question_text="Why?", pub_date=datetime.now(UTC))
    )
    again: Question = await api.questions.retrieve(created.id, timeout=2.5)
    await api.questions.update(again.id, QuestionRequest(question_text="How?"))
    await api.questions.patch(again.id, PatchedQuestionRequest(question_text="When?"))
    page: QuestionPage = await api.questions.list(QuestionsListParams(page_size=5, search="W"))
    if page.next_page is not None:
        await api.questions.list(QuestionsListParams(page=page.next_page, page_size=5))
    await api.questions.echo(created.id, {"any": ["json", 1]})
    unanswered: list[Question] = await api.questions.unanswered()
    await api.choices.create(ChoiceRequest(question=created.id, choice_text="Yes"))
    await api.choices.vote(1)
    await api.questions.delete(created.id)
    subscription = await api.questions.subscribe(
        QuestionsSubscribeData(action=["create", "update"], pk=created.id)
    )
    async for event in subscription:
        received: QuestionsEvent = event
        text: str = received.data.question_text
        print(text, received.action == "delete", unanswered)
        await subscription.unsubscribe()


async def entered() -> None:
    # `__aenter__` returns the generated class, not the runtime's base: streams type-check.
    async with ApiClient("ws://localhost:8000/ws/") as api:
        first: Question = await api.questions.retrieve(1)
        print(first.question_text)


async def wrong(api: ApiClient) -> None:
    await api.answers.list()  # type: ignore[attr-defined]
    await api.questions.publish(1)  # type: ignore[attr-defined]
    QuestionRequest(question_text=42)  # type: ignore[arg-type]
    QuestionRequest()  # type: ignore[call-arg]
    QuestionRequest(id=1, question_text="Read-only id")  # type: ignore[call-arg]
    QuestionRequest(question_text="x", pub_date=None)  # type: ignore[arg-type]
    QuestionsSubscribeData(action="archive")  # type: ignore[arg-type]
    QuestionsListParams(page=None)  # type: ignore[arg-type]
    await api.questions.retrieve([1])  # type: ignore[arg-type]
    await api.questions.create({"question_text": "a dict"})  # type: ignore[arg-type]
    page = await api.questions.list()
    removed = await api.questions.delete(1)  # type: ignore[func-returns-value]
    page.results[0].question_text + 1  # type: ignore[operator]
    async for event in api.questions.subscribe(QuestionsSubscribeData(action="create")):
        print(event.data.votes)  # type: ignore[attr-defined]
