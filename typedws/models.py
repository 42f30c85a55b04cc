"""typedws's own table: the transactional outbox of durable events (``TYPEDWS["DURABLE_EVENTS"]``).

With durable events on, each change a subscribable model makes is also written as an
:class:`OutboxRow` in the write's own transaction: a committed write always leaves its rows,
a rolled-back one never does. The writer publishes its batch after the commit and deletes the
rows; rows a process left behind (it died between commit and publish) are published, once, by
any live server process (``docs/subscriptions.md``, "Durable events").
"""

from __future__ import annotations

from django.db import models

__all__ = ["OutboxRow"]


class OutboxRow(models.Model):
    """One object's change in one transaction, until the change is published."""

    batch = models.CharField(max_length=32, db_index=True)
    """The transaction's batch: the rows published together, as one message per model."""
    label = models.CharField(max_length=200)
    """The model, ``app_label.model_name``."""
    object_pk = models.TextField()
    """The object's primary key, JSON."""
    existed_before = models.BooleanField()
    capture = models.JSONField(null=True)
    """For a delete: the object's last state and shared-queryset membership."""
    old = models.JSONField(null=True)
    """The filter columns' values before the transaction (``null``: unknown)."""
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "typedws"
        db_table = "typedws_outbox"

    def __str__(self) -> str:
        return f"{self.label} {self.object_pk} (batch {self.batch})"
