"""The actions a binding declares: built-in ones, ``@action``-decorated ones, and DRF's own
``@action``\\ s on a ported viewset.

A client's ``action`` is looked up in this registry, never passed to ``getattr``::

    class QuestionBinding(ResourceBinding):
        ...

        @action(detail=True, request_serializer=VoteSerializer,
                response_serializer=ChoiceSerializer)
        def vote(self, request, pk=None):
            '''Add one vote to a choice of this question.'''
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            return serializer.save(question=self.get_object())
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Final, Literal, TypeVar

from rest_framework import status as http_status
from rest_framework.serializers import BaseSerializer

from .protocol import STANDARD_ACTIONS

__all__ = ["RETRIEVE", "ActionSpec", "action", "collect_actions"]

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
F = TypeVar("F", bound=Callable[..., Any])

# How DRF knows each built-in action: the viewset method serving it and the HTTP method its
# permissions see. Subscriptions only read, so permissions see them as GET.
_DRF_NAMES: dict[str, tuple[str, HttpMethod]] = {
    "create": ("create", "POST"),
    "retrieve": ("retrieve", "GET"),
    "update": ("update", "PUT"),
    "patch": ("partial_update", "PATCH"),
    "list": ("list", "GET"),
    "delete": ("destroy", "DELETE"),
    "subscribe": ("subscribe", "GET"),
    "unsubscribe": ("unsubscribe", "GET"),
    "subscribe_instance": ("subscribe_instance", "GET"),
    "unsubscribe_instance": ("unsubscribe_instance", "GET"),
}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """Everything typedws needs to know to route, check and describe one action."""

    name: str
    """The wire name: the ``action`` a client sends."""
    method_name: str
    """The binding method that serves it; also ``self.action`` while it runs (as in DRF)."""
    detail: bool
    """Whether it targets one object, named by the binding's lookup key in the payload."""
    http_method: HttpMethod
    """What DRF permissions see as ``request.method``."""
    custom: bool = False
    """Declared with ``@action``: its return value is turned into a reply by typedws."""
    status: int = http_status.HTTP_200_OK
    request_serializer: type[BaseSerializer[Any]] | None = None
    response_serializer: type[BaseSerializer[Any]] | None = None
    many: bool = False
    """The response is a list of ``response_serializer`` representations."""
    is_async: bool = False
    initkwargs: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    description: str | None = None

    @property
    def safe(self) -> bool:
        """A safe action reads only; the others run in one database transaction."""
        return self.http_method in SAFE_METHODS

    def __hash__(self) -> int:
        # The generated hash would fail on ``initkwargs`` (a mapping). Equal specs have equal
        # names; and pydantic-core copies a default that does not hash (typedws.onepass).
        return hash((self.name, self.method_name))


RETRIEVE: Final = ActionSpec("retrieve", "retrieve", True, "GET")
"""How a binding is set up to show one object: to describe events, and to decide and render
what a subscriber may see."""


def action(
    *,
    detail: bool,
    request_serializer: type[BaseSerializer[Any]] | None = None,
    response_serializer: type[BaseSerializer[Any]] | None = None,
    many: bool = False,
    method: HttpMethod = "POST",
    status: int = http_status.HTTP_200_OK,
    **initkwargs: Any,
) -> Callable[[F], F]:
    """Declare a custom action, served under the method's name.

    The method is called as DRF calls a viewset action, ``method(request, **kwargs)`` (with the
    lookup key for ``detail=True``), sync or ``async``. It may return a DRF ``Response`` (its
    ``data`` and ``status_code`` are sent), or any other value: that value is serialized with
    ``response_serializer`` when given (as a list with ``many=True``) and sent with ``status``.
    ``request_serializer`` is what ``self.get_serializer()`` returns while the action runs;
    both describe the action in the contract. ``method`` is the HTTP method DRF permissions see
    (``IsAuthenticatedOrReadOnly`` lets anyone run a ``"GET"`` action). Further keyword
    arguments are set on the binding instance, as DRF's ``@action`` does.
    """
    if request_serializer is not None:
        initkwargs.setdefault("serializer_class", request_serializer)

    declared = ActionSpec(
        "", "", detail, method, True, status, request_serializer, response_serializer, many
    )

    def decorator(func: F) -> F:
        func.typedws_action = replace(  # type: ignore[attr-defined]
            declared,
            name=func.__name__,
            method_name=func.__name__,
            is_async=inspect.iscoroutinefunction(func),
            initkwargs=MappingProxyType(dict(initkwargs)),
            description=inspect.getdoc(func),
        )
        return func

    return decorator


def collect_actions(cls: type[Any]) -> dict[str, ActionSpec]:
    """The actions ``cls`` serves, keyed by wire name, in a stable order."""
    specs: dict[str, ActionSpec] = {}
    for standard in STANDARD_ACTIONS:
        method_name, http_method = _DRF_NAMES[standard.name]
        method = getattr(cls, method_name, None)
        if callable(method):
            specs[standard.name] = ActionSpec(
                name=standard.name,
                method_name=method_name,
                detail=standard.detail,
                http_method=http_method,
                status=standard.status,
                description=inspect.getdoc(method),
            )
    for name, member in inspect.getmembers(cls, callable):
        spec = getattr(member, "typedws_action", None) or _drf_extra_action(name, member)
        if spec is not None:
            specs[spec.name] = spec
    return specs


def _drf_extra_action(name: str, member: Any) -> ActionSpec | None:
    """An ``@rest_framework.decorators.action`` method of a ported viewset, served under its
    method name with its first HTTP method; it returns a DRF ``Response``."""
    mapping = getattr(member, "mapping", None)
    if mapping is None or not hasattr(member, "detail"):
        return None
    methods = [method.upper() for method, handler in mapping.items() if handler == name]
    return ActionSpec(
        name=name,
        method_name=name,
        detail=bool(member.detail),
        http_method=methods[0] if methods else "GET",
        initkwargs=MappingProxyType(dict(member.kwargs)),
        description=inspect.getdoc(member),
    )
