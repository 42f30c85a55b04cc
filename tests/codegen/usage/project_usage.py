"""Calls of the generated test-project client: the field kinds of ``kitchen`` and the
streams whose names are not identifiers. Checked like demo_usage.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from project_client import (
    ApiClient,
    Everything,
    EverythingRequest,
    NoteRequest,
    PatchedNoteRequest,
    TagRequest,
)


async def right(api: ApiClient) -> None:
    made: Everything = await api.kitchen.check(
        EverythingRequest(
            char="ab",
            email="a@example.com",
            integer=5,
            status="draft",
            nested=TagRequest(name="t"),
            priority=None,
            colors=["red"],
            decimal=Decimal("1.50"),
            uuid=UUID(int=1),
            date=date(2026, 1, 1),
            json_=[1, "two"],
        )
    )
    print(made.decimal, made.duration, made.owner_link, made.json_)
    note = await api.my_notes.create(NoteRequest(title="T", slug="t"))
    await api.notes.retrieve(note.slug)
    await api.notes.patch(note.slug, PatchedNoteRequest(title="U"))
    await api.action_notes.rename(note.slug, data=None)  # type: ignore[arg-type]


def wrong() -> None:
    EverythingRequest(char="ab", email="a@b.c", integer=5, status="archived", nested=TagRequest(name="t"))  # type: ignore[arg-type]
    EverythingRequest(char="ab", email="a@b.c", integer=5, status="draft", nested=TagRequest(name="t"), priority=3)  # type: ignore[arg-type]
    EverythingRequest(char="ab", email="a@b.c", integer="5", status="draft", nested=TagRequest(name="t"))  # type: ignore[arg-type]
    EverythingRequest(char="ab", email="a@b.c", integer=5, status="draft")  # type: ignore[call-arg]
    EverythingRequest(char="ab", email="a@b.c", integer=5, status="draft", nested=TagRequest(name="t"), readonly=1)  # type: ignore[call-arg]
