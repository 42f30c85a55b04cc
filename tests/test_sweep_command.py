"""``manage.py typedws_sweep`` refuses an in-process history and channel layer: what it
published there would reach no server, and the rows would be deleted. (It publishes for real in
``tests/e2e/test_sweep_command.py``.)"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from polls.models import Question
from tests.test_durable_events import DURABLE, durable_events  # noqa: F401  (fixture)
from typedws.models import OutboxRow
from typedws.subscriptions import outbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_in_memory_layer_is_refused_and_the_rows_stay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox, "send", lambda group, message: None)  # a writer that died
    with transaction.atomic():
        Question.objects.create(question_text="left behind")
    assert DURABLE["OUTBOX_GRACE_SECONDS"] == 0
    with pytest.raises(CommandError, match="needs a history or a channel layer shared"):
        call_command("typedws_sweep", "--once")
    assert OutboxRow.objects.count() == 1
