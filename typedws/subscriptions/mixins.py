"""``SubscribeModelMixin``: the subscription actions of a binding.

``ResourceBinding`` and ``ReadOnlyResourceBinding`` include it; a ported DRF viewset gets it
with ``binding_for_viewset(..., subscriptions=True)``::

    class ChoiceBinding(ResourceBinding):
        stream = "choices"
        queryset = Choice.objects.all()
        serializer_class = ChoiceSerializer
        subscription_fields = ["question"]   # {"filter": {"question": 7}} is allowed

Actions (all read-only: permissions see ``GET``):

- ``subscribe``: ``data = {"action": "update" | [...], "pk": 1?, "filter": {...}?,
  "since": {"epoch": "...", "seq": 41}?}``; replies ``201`` with the subscription and its
  position (``since`` resumes: see ``docs/protocol.md``). A pk names an object the
  subscriber can ``retrieve`` (else ``404``/``403``, as ``retrieve``).
- ``unsubscribe``: ``data = {"request_id": "s1"}`` (that one) or ``{}`` (all of this
  stream's); replies ``200`` with ``{"unsubscribed": <count>}``.
- ``subscribe_instance`` / ``unsubscribe_instance``: djangochannelsrestframework's aliases,
  the object named by the lookup key in the payload; events take DCRF's shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from typedws.protocol import ACTION, EPOCH, FILTER, PK, REQUEST_ID, SEQ, SINCE, ErrorCode

from . import registry
from .connection import subscriptions_of
from .matching import Subscription
from .membership import Membership, compile_membership
from .signals import connect_signals
from .state import python_value

__all__ = ["SubscribeModelMixin"]

_INSTANCE_ACTIONS = frozenset({"update", "delete"})


class SubscribeModelMixin:
    """Subscribe to creates, updates and deletes of the binding's objects."""

    subscription_fields: ClassVar[Sequence[str]] = ()
    """Model fields a subscription may filter on (equality): ``["question"]``."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = registry.register(cls)
        if model is not None and apps.ready:
            connect_signals([model])

    def subscribe(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data: Mapping[str, Any] = request.data  # type: ignore[assignment]  # checked by frames
        actions = data[ACTION]
        raw_pk = data.get(PK)
        filter_wire = data.get(FILTER) or {}
        values = self.get_subscription_filter(filter_wire)
        instance = self.get_subscribed_object(raw_pk) if raw_pk is not None else None
        since = data.get(SINCE)
        subscription = Subscription(
            stream=self.basename,  # type: ignore[attr-defined]
            binding=type(self),
            request_id=self._request_id(),
            actions=frozenset([actions] if isinstance(actions, str) else actions),
            pk=None if instance is None else instance.pk,
            raw_pk=raw_pk,
            filter=values,
            filter_wire=dict(filter_wire),
            membership=self._membership(),
            since=None if since is None else (since[EPOCH], since[SEQ]),
        )
        ack = subscription.describe()
        subscriptions_of(request).add(subscription, seen=subscription.pk, ack=ack)
        return Response(ack, status=status.HTTP_201_CREATED)

    def unsubscribe(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request_id = request.data.get(REQUEST_ID)  # type: ignore[union-attr]
        removed = subscriptions_of(request).remove(self.basename, request_id)  # type: ignore[attr-defined]
        return Response({"unsubscribed": removed}, status=status.HTTP_200_OK)

    def subscribe_instance(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()  # type: ignore[attr-defined]
        subscription = Subscription(
            stream=self.basename,  # type: ignore[attr-defined]
            binding=type(self),
            request_id=self._request_id(),
            actions=_INSTANCE_ACTIONS,
            pk=instance.pk,
            raw_pk=self._lookup_value(),
            dcrf=True,
            membership=self._membership(),
        )
        ack = subscription.describe()
        subscriptions_of(request).add(subscription, seen=instance.pk, ack=ack)
        return Response(ack, status=status.HTTP_201_CREATED)

    def unsubscribe_instance(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stream = self.basename  # type: ignore[attr-defined]
        subscriptions_of(request).remove_instance(stream, self._lookup_value())
        return Response(None, status=status.HTTP_204_NO_CONTENT)

    # --- Hooks ----------------------------------------------------------------------------

    def get_subscribed_object(self, pk: Any) -> Model:
        """The object a ``subscribe`` names by primary key: found as ``retrieve`` finds it
        (``filter_queryset(get_queryset())``, then object permissions), else 404/403."""
        view: Any = self
        queryset = view.filter_queryset(view.get_queryset())
        instance: Model = get_object_or_404(queryset, pk=pk)
        view.check_object_permissions(self.request, instance)  # type: ignore[attr-defined]
        return instance

    def get_subscription_filter(self, filter_wire: Mapping[str, Any]) -> dict[str, Any]:
        """A subscription's ``filter`` as column values, checked against
        ``subscription_fields``; raises ``ValidationError`` naming every bad key."""
        fields = registry.filter_fields(type(self))
        values: dict[str, Any] = {}
        errors: dict[str, list[ErrorDetail]] = {}
        for name, value in filter_wire.items():
            field = fields.get(name)
            if field is None:
                allowed = ", ".join(fields) or "none"
                message = f"Subscriptions cannot filter on {name!r}; allowed: {allowed}."
                errors[name] = [ErrorDetail(message, code=ErrorCode.UNKNOWN_FIELD)]
                continue
            try:
                values[field.attname] = python_value(field, value)
            except DjangoValidationError as exc:
                errors[name] = [ErrorDetail(str(message), "invalid") for message in exc.messages]
        if errors:
            raise ValidationError({FILTER: errors})
        return values

    def get_event_data(self, instance: Model) -> Any:
        """The ``data`` of an event about ``instance``.

        Rendered once per event (not per subscriber) in each server process that has
        subscribers, from the object's state as the event carries it (its last state for a
        delete; related objects are read from the database then): ``self.action`` is
        ``"retrieve"`` and ``self.request`` is ``None``. The default is
        ``self.get_serializer(instance).data``; override when the serializer needs a request
        (hyperlinks, fields depending on the user).
        """
        serializer = self.get_serializer(instance)  # type: ignore[attr-defined]
        return serializer.data

    def deleted_in_queryset(self, instance: Model) -> bool | None:
        """Whether ``get_queryset()`` held ``instance`` for this subscriber just before its
        deletion (``instance`` holds the last state; the row is gone).

        Only asked when ``get_queryset()`` is overridden (per user); object permissions are
        checked after it either way. Return ``None`` (the default) to let the connection's own
        knowledge decide: it saw the object visible through its subscription. Override when
        the queryset's rule can be read from the object, to deliver every delete::

            def deleted_in_queryset(self, instance):
                return instance.owner_id == self.request.user.pk
        """
        return None

    def _membership(self) -> Membership | None:
        """A per-user queryset's SQL for this subscriber (see :mod:`.membership`)."""
        if registry.is_shared(type(self)):
            return None
        return compile_membership(self)

    def _lookup_value(self) -> Any:
        view: Any = self
        return view.kwargs.get(view.lookup_url_kwarg or view.lookup_field)

    def _request_id(self) -> Any:
        """The ``request_id`` of the frame being served: it names the subscription."""
        return getattr(self, "request_id", None)
