"""Event frames as text, built from pieces encoded once.

An event goes to many subscribers, so its ``data`` is encoded once per event and binding, and
each subscription's ``stream``, ``request_id`` and pk once per subscription; a frame is then a
concatenation (:func:`typedws.protocol.event_text`).

A ``subscribe`` receives the typed event of ``docs/protocol.md``::

    {"type": "event", "stream": "questions",
     "payload": {"action": "update", "pk": 1, "data": {...}, "model": "polls.question",
                 "request_id": "s1", "epoch": "6f1c", "seq": 42, "prev": 41}}

A ``subscribe_instance`` (djangochannelsrestframework's alias) receives DCRF's own shape, which
``dcrf-client`` matches on ``payload.action``, ``payload.request_id`` and the pk it sent::

    {"type": "event", "stream": "questions",
     "payload": {"action": "update", "request_id": "<uuid>", "response_status": 200,
                 "data": {"id": 1, ..., "pk": 1}, "errors": [], "epoch": "6f1c", "seq": 42,
                 "prev": 41}}
    {"type": "event", "stream": "questions",
     "payload": {"action": "delete", "request_id": "<uuid>", "response_status": 204,
                 "data": {"pk": 1}, "errors": [], "epoch": "6f1c", "seq": 43, "prev": 42}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typedws.encoding import dumps
from typedws.protocol import PK, dcrf_event_text, event_text

if TYPE_CHECKING:
    from .matching import Subscription

__all__ = ["dcrf_frame", "event_frame"]


def event_frame(
    subscription: Subscription,
    action: str,
    pk_json: str,
    data_json: str,
    model_json: str,
    position_json: str,
) -> str:
    """A typed event frame. ``pk_json`` is the object's pk unless the subscription named one:
    then the pk as the client sent it, with its JSON type. ``position_json``:
    :func:`typedws.protocol.position_text`."""
    if subscription.pk is not None:
        pk_json = subscription.raw_pk_json
    return event_text(
        subscription.stream_json,
        action,
        pk_json,
        data_json,
        model_json,
        subscription.request_id_json,
        position_json,
    )


def dcrf_frame(
    subscription: Subscription, action: str, data: Any, data_json: str, position_json: str
) -> str:
    """An event frame of a ``subscribe_instance``, in djangochannelsrestframework's shape.

    ``data`` of an update is the representation with ``pk`` added (as the client sent it)
    when the serializer has no ``pk`` field: dcrf-client's default ``pkField``. A delete
    carries only ``{"pk": <as sent>}``, as DCRF sends it. ``data_json`` is ``data`` encoded
    (once per event): the ``pk`` is written into that text, not encoded again with it.
    """
    if action == "delete":
        status, body = 204, f'{{"pk":{subscription.raw_pk_json}}}'
    else:
        status = 200
        body = _with_pk(data, data_json, subscription.raw_pk, subscription.raw_pk_json)
    return dcrf_event_text(
        subscription.stream_json, action, subscription.request_id_json, status, body, position_json
    )


def _with_pk(data: Any, data_json: str, pk: Any, pk_json: str) -> str:
    """``dumps({**data, "pk": pk})`` when ``data`` is a dict without ``pk``, else ``data_json``.

    The encoders write a dict that keeps ``dict``'s own iteration in its storage order, as
    ``{**data}`` copies it; so the pk goes before the closing brace."""
    if not isinstance(data, dict) or PK in data:
        return data_json
    cls = type(data)
    if cls.__iter__ is not dict.__iter__ or cls.items is not dict.items:
        return dumps({**data, PK: pk})
    return f'{data_json[:-1]}{"," if data else ""}"{PK}":{pk_json}}}'
