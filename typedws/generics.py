"""``GenericBinding``: a DRF ``GenericViewSet`` that serves frames instead of HTTP requests.

A binding *is* a DRF viewset to the code inside it: ``self.request`` (a real DRF ``Request``),
``self.action`` (the viewset method name, ``"partial_update"`` for ``patch`` and ``"destroy"``
for ``delete``, as in DRF), ``self.kwargs``, ``get_queryset()``, ``get_object()``,
``get_serializer()``, permission, throttle and filter classes. Only the way in and out differs:
one thread hop per frame (:mod:`typedws.hop`, shared with the frames of other connections
waiting for it) runs the checks and the action, and the action's ``Response`` becomes the
reply's ``response_status`` and ``data``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import Any, ClassVar, NoReturn, Self, TypeVar, cast

from channels.db import database_sync_to_async
from django.db import DEFAULT_DB_ALIAS, router, transaction
from django.db.models import Model
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from . import hop
from .actions import ActionSpec, collect_actions
from .fast.queries import fetch_object
from .fast.represent import accelerate
from .outcomes import direct
from .pagination import WebSocketPagination
from .protocol import RequestId
from .request import ConnectionContext, RequestFrame

__all__ = ["GenericBinding"]

_MT_co = TypeVar("_MT_co", bound=Model, covariant=True)
Outcome = tuple[int, Any]


class GenericBinding(GenericViewSet[_MT_co]):
    """The base of every binding: routing metadata plus DRF's generic view machinery.

    Set ``stream`` (the name clients send), ``queryset`` and ``serializer_class``, or override
    ``get_queryset()``/``get_serializer_class()`` as on any DRF generic view.
    """

    stream: ClassVar[str | None] = None
    pagination_class = WebSocketPagination
    request_id: RequestId | None = None
    """The ``request_id`` of the frame being served."""

    # Cached per class by ``get_actions``; never inherited (see there).
    _typedws_actions: ClassVar[dict[str, ActionSpec]]

    @classmethod
    def get_actions(cls) -> Mapping[str, ActionSpec]:
        """The actions this binding serves, keyed by wire name."""
        cached = cls.__dict__.get("_typedws_actions")
        if cached is None:
            cached = collect_actions(cls)
            cls._typedws_actions = cached
        return cached

    @classmethod
    def get_lookup_key(cls) -> str:
        """The payload key that names the object of a detail action (``pk`` by default)."""
        return cls.lookup_url_kwarg or cls.lookup_field

    @classmethod
    def for_action(
        cls,
        spec: ActionSpec,
        request: Request | None = None,
        *,
        stream: str | None = None,
        lookup: str | int | None = None,
        request_id: RequestId | None = None,
    ) -> Self:
        """A binding instance set up to run (or describe) ``spec``, as DRF's ``as_view()``
        sets a view up: every request, the contract and event visibility make theirs here.

        ``request`` is ``None`` where there is none: describing the action in the contract,
        rendering an event's data.
        """
        binding = cls(**spec.initkwargs)
        binding.action = spec.method_name
        binding.action_map = {spec.http_method.lower(): spec.method_name}
        binding.basename = stream or cls.stream or ""
        binding.detail = spec.detail
        binding.args = ()
        binding.kwargs = {cls.get_lookup_key(): lookup} if lookup is not None else {}
        binding.request_id = request_id  # subscriptions are named by it
        binding.request = request  # type: ignore[assignment]  # None only when not serving
        binding.format_kwarg = None
        binding.headers = {}
        return binding

    @classmethod
    async def serve(cls, frame: RequestFrame, connection: ConnectionContext) -> Outcome:
        """Run one checked frame through a fresh binding; return ``(status, data)``.

        Exceptions propagate: the consumer turns them into error replies.
        """
        spec = frame.spec
        if spec.name == "list" and not spec.custom:
            request = connection.request(spec.http_method, {}, connection.query(frame.data))
        else:
            request = connection.request(spec.http_method, frame.data)
        binding = cls.for_action(
            spec, request, stream=frame.stream, lookup=frame.lookup, request_id=frame.request_id
        )
        if spec.is_async:
            return await binding._run_async(spec)
        return await hop.run(functools.partial(binding.run_action, spec))

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Authentication (the connection's user), permissions and throttles, as DRF runs
        them before every action; content negotiation and versioning have no meaning here."""
        self.perform_authentication(request)
        self.check_permissions(request)
        self.check_throttles(request)

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        """DRF's ``get_serializer()`` (so ``get_serializer_class()`` and
        ``get_serializer_context()`` apply), with the fields built once per serializer class
        and the compiled representation where it is known (:mod:`typedws.fast`)."""
        return accelerate(super().get_serializer(*args, **kwargs))

    def get_object(self) -> _MT_co:
        """DRF's ``get_object()``: the object named by the lookup key, 404 if there is none,
        then the object permissions. A static queryset's SQL is compiled once per binding and
        connection (:mod:`typedws.fast.queries`); any other queryset takes DRF's path."""
        instance = fetch_object(self)
        if instance is None:
            return super().get_object()
        self.check_object_permissions(self.request, instance)
        return cast(_MT_co, instance)

    def permission_denied(
        self, request: Request, message: str | None = None, code: str | None = None
    ) -> NoReturn:
        """401 for an anonymous user, 403 otherwise: the user comes from the connection, so
        DRF's test for authenticators that failed does not apply."""
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        raise exceptions.PermissionDenied(detail=message, code=code)

    def atomic(self) -> AbstractContextManager[Any]:
        """The transaction a writing action runs in. Override for another database."""
        queryset = cast(Any, self).queryset  # the stubs type it as a bare manager descriptor
        model = getattr(queryset, "model", None)
        alias = router.db_for_write(model) if model is not None else DEFAULT_DB_ALIAS
        return transaction.atomic(using=alias)

    def run_action(self, spec: ActionSpec) -> Outcome:
        """Checks, then the action, in one transaction unless the action is safe (sync)."""
        self.initial(self.request)
        if spec.safe:
            return self._outcome(spec)
        with self.atomic():
            return self._outcome(spec)

    def _outcome(self, spec: ActionSpec) -> Outcome:
        # DRF's own mixin action answers (status, data) without building the Response that
        # finalize_result would only read (typedws.outcomes); anything else runs as written.
        cls = type(self)
        if not spec.custom and cls.finalize_result is GenericBinding.finalize_result:
            serve = direct(cls, spec.method_name)
            if serve is not None:
                outcome = serve(self, self.request, **self.kwargs)
                if outcome is not None:
                    return outcome
        handler = getattr(self, spec.method_name)
        return self.finalize_result(spec, handler(self.request, **self.kwargs))

    async def _run_async(self, spec: ActionSpec) -> Outcome:
        await database_sync_to_async(self.initial)(self.request)
        result = await getattr(self, spec.method_name)(self.request, **self.kwargs)
        if spec.response_serializer is not None and not isinstance(result, Response):
            return await database_sync_to_async(self.finalize_result)(spec, result)
        return self.finalize_result(spec, result)

    def finalize_result(self, spec: ActionSpec, result: Any) -> Outcome:
        """Turn what an action returned into ``(status, data)``.

        A DRF ``Response`` keeps its status and data. Otherwise, for ``@action``\\ s only, the
        value is serialized with the action's ``response_serializer`` (if any, as a list when
        the action says ``many=True``) and sent with the action's ``status``.
        """
        if isinstance(result, Response):
            return result.status_code, result.data
        if not spec.custom:
            raise TypeError(
                f"{type(self).__name__}.{spec.method_name}() must return a DRF Response, "
                f"not {type(result).__name__}."
            )
        if spec.response_serializer is not None and result is not None:
            serializer = spec.response_serializer(
                result, many=spec.many, context=self.get_serializer_context()
            )
            return spec.status, serializer.data
        return spec.status, result
