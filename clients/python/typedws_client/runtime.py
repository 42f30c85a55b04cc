"""The typedws client runtime: requests and subscriptions over one multiplexed WebSocket.

Generated clients are thin typed layers over :class:`Client`; it can also be used directly::

    async with Client("ws://localhost:8000/ws/") as client:
        question = await client.request("questions", "retrieve", pk=1)
        async for event in client.subscribe("questions", {"action": "update"}):
            ...

One socket carries every request: each gets a unique ``request_id``, one reader task matches
replies to requests by it, so any number of requests may be in flight at once. The socket
opens on first use. When it drops, requests in flight fail with ``ConnectionLost`` (never
resent: the server may have run them), the client reconnects as its policy says and renews
every live subscription under its original ``request_id``, resuming after the last event it
saw (``since``: the server replays what was missed, or says it cannot and the client reports
a ``Gap``). An event whose ``prev`` is not the last one seen makes it resume the same way.
Dead connections: ``websockets`` pings every ``ping_interval`` seconds (20) and closes the
socket when no pong comes within ``ping_timeout`` (20), giving up the closing handshake after
``close_timeout`` (10); set them in ``connect_options``; the client then reconnects and
resumes. Only the standard library,
``websockets`` and (in generated code) pydantic are needed: never Django.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar, overload

from websockets.exceptions import ConnectionClosed

from .connection import Connection
from .errors import (
    ClientClosed,
    ClientError,
    ConnectionLost,
    NotFound,
    RequestId,
    RequestTimeout,
    ResponseError,
    response_error,
)
from .frames import (
    Payload,
    encode_request,
    is_success,
    read_server_frame,
    request_payload,
)
from .pending import PendingRequests
from .positions import classify, position_of, read_ack, with_since
from .protocol import (
    ACTION,
    DATA,
    EVENT,
    PK,
    REQUEST_ID,
    RESPONSE_STATUS,
    SUBSCRIBE,
    UNSUBSCRIBE,
)
from .reconnect import (
    ConnectionEvent,
    ExponentialBackoff,
    Gap,
    ReconnectPolicy,
    Resubscribed,
)
from .subscriptions import Subscribing, Subscription

__all__ = ["DEFAULT_TIMEOUT", "Client"]

logger = logging.getLogger("typedws_client")

E = TypeVar("E")
#: Seconds a request waits for its reply (including for the socket to open) by default.
DEFAULT_TIMEOUT = 10.0
DEFAULT_RECONNECT = ExponentialBackoff()


def _identity(payload: Payload) -> Payload:
    return payload


class Client(Connection):
    """A connection to one typedws API.

    ``timeout``: default seconds per request (a request's own ``timeout`` overrides it).
    ``reconnect``: a :class:`~typedws_client.reconnect.ReconnectPolicy`
    (default ``ExponentialBackoff()``: 0.5 s doubling to 30 s, for ever), or None.
    ``on_connection_event``: called with each ``Connected``, ``Disconnected``,
    ``Reconnecting``, ``Resubscribed``, ``Gap`` and ``GaveUp``.
    ``connect_options``: keyword arguments of ``websockets.asyncio.client.connect``
    (``origin``, ``additional_headers``, ``open_timeout``...).
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        reconnect: ReconnectPolicy | None = DEFAULT_RECONNECT,
        on_connection_event: Callable[[ConnectionEvent], object] | None = None,
        connect_options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            url,
            reconnect=reconnect,
            on_connection_event=on_connection_event,
            connect_options=connect_options,
        )
        self.timeout = timeout
        self._ids = itertools.count(1)
        # Unique across clients and processes, so a server log tells requests apart.
        self._prefix = uuid.uuid4().hex[:12]
        self._pending = PendingRequests()
        self._subscriptions: dict[tuple[str, str], Subscription[Any]] = {}
        self._background: set[asyncio.Task[None]] = set()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def request(
        self,
        stream: str,
        action: str,
        *,
        pk: RequestId | None = None,
        lookup: str = PK,
        data: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Send one request and return its reply's ``data``, or raise ``ResponseError``."""
        payload = request_payload(action, self._next_id(), pk=pk, lookup=lookup, data=data)
        reply = await self._call(stream, payload, timeout)
        return reply.get(DATA)

    @overload
    def subscribe(
        self,
        stream: str,
        data: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> Subscribing[Payload]: ...

    @overload
    def subscribe(
        self,
        stream: str,
        data: Mapping[str, Any],
        *,
        parse: Callable[[Payload], E],
        timeout: float | None = None,
    ) -> Subscribing[E]: ...

    def subscribe(
        self,
        stream: str,
        data: Mapping[str, Any],
        *,
        parse: Callable[[Payload], Any] = _identity,
        timeout: float | None = None,
    ) -> Subscribing[Any]:
        """Subscribe: iterate the result for the ``parse``d event payloads, or await it for the
        acknowledged :class:`Subscription`."""
        return Subscribing(lambda: self._open_subscription(stream, dict(data), parse, timeout))

    async def _open_subscription(
        self,
        stream: str,
        data: Payload,
        parse: Callable[[Payload], Any],
        timeout: float | None,
    ) -> Subscription[Any]:
        request_id = self._next_id()
        subscription = Subscription(stream, request_id, data, parse, self._unsubscribe)
        # Registered before the frame goes out: the first event may follow the ack at once.
        self._subscriptions[stream, request_id] = subscription
        try:
            await self._call(stream, self._subscribe_payload(subscription), timeout)
        except BaseException as exc:
            # (aclose() or giving up may have removed it already.)
            self._subscriptions.pop((stream, request_id), None)
            if isinstance(exc, RequestTimeout):
                self._forget(stream, request_id)
            raise
        return subscription

    async def aclose(self) -> None:
        """Close the socket, end every subscription and fail what is still waiting."""
        if self._closed:
            return
        self._closed = True
        self._end_subscriptions(None)
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        supervisor = self._supervisor
        if self._ws is not None:
            # Reading: the reader sees the close and the supervisor ends on its own, after
            # failing what waits and reporting Disconnected.
            await self._ws.close()
        elif supervisor is not None:
            # Connecting or waiting to reconnect: nothing to report, stop it there.
            supervisor.cancel()
        if supervisor is not None:
            await asyncio.gather(supervisor, return_exceptions=True)
        if self._ready is not None:
            self._give_up(self._ready, ClientClosed("The client was closed."))
        self._pending.fail_all(ClientClosed, "the client was closed.")

    # Requests and replies.

    def _next_id(self) -> str:
        return f"{self._prefix}-{next(self._ids)}"

    async def _call(self, stream: str, payload: Payload, timeout: float | None) -> Payload:
        """Send ``payload`` on ``stream``; the reply's payload if 2xx."""
        request_id, action = payload[REQUEST_ID], payload[ACTION]
        seconds = self.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(seconds):
                reply = await self._exchange(stream, payload)
        except TimeoutError:
            raise RequestTimeout(
                f"{stream}.{action} ({request_id}): no reply within {seconds} s."
            ) from None
        if is_success(reply.get(RESPONSE_STATUS)):
            return reply
        raise response_error(reply, stream, action)

    async def _exchange(self, stream: str, payload: Payload) -> Payload:
        ws = await self._connection()
        request_id = payload[REQUEST_ID]
        future = self._pending.add(request_id, stream, payload[ACTION])
        try:
            await ws.send(encode_request(stream, payload))
            return await future
        except ConnectionClosed as exc:
            raise ConnectionLost(f"The socket closed: {exc}") from exc
        finally:
            self._pending.discard(request_id)

    def _dispatch(self, message: str | bytes) -> None:
        """Route one server frame; frames this client cannot place are ignored."""
        frame = read_server_frame(message)
        if frame is None:
            return
        if frame.kind == EVENT:
            self._route_event(frame.stream, frame.payload)
        else:
            # Before the next frame is read: the events that follow an ack are judged by it.
            self._take_ack(frame.stream, frame.payload)
            self._pending.resolve(frame.payload)

    def _subscription_of(self, stream: object, payload: Payload) -> Subscription[Any] | None:
        request_id = payload.get(REQUEST_ID)
        if isinstance(stream, str) and isinstance(request_id, str):
            return self._subscriptions.get((stream, request_id))
        return None

    def _route_event(self, stream: object, payload: Payload) -> None:
        subscription = self._subscription_of(stream, payload)
        if subscription is None:
            return
        verdict = classify(subscription.position, payload)
        if verdict == "duplicate":
            return
        if verdict == "missed":
            # Held back: the resumption replays it after what is missing.
            if not subscription.resuming:
                self._resume(subscription)
            return
        if verdict == "lost":
            self._gap(subscription, "missed_events")
        subscription.position = position_of(payload) or subscription.position
        subscription.deliver(payload)

    def _take_ack(self, stream: object, payload: Payload) -> None:
        """A subscription's acknowledgement: its position, and a gap if it did not resume."""
        subscription = self._subscription_of(stream, payload)
        ok = is_success(payload.get(RESPONSE_STATUS))
        if subscription is None or payload.get(ACTION) != SUBSCRIBE or not ok:
            return
        ack = read_ack(payload.get(DATA))
        subscription.position = ack.position or subscription.position
        subscription.recovered = ack.recovered
        subscription.resuming = False
        if ack.recovered is False:
            self._gap(subscription, ack.reason or "not_recovered")

    def _gap(self, subscription: Subscription[Any], reason: str) -> None:
        subscription.gaps.append(reason)
        self._emit(Gap(subscription.stream, subscription.request_id, reason))

    def _resume(self, subscription: Subscription[Any]) -> None:
        """Resubscribe after the last event seen, in the background."""
        subscription.resuming = True

        async def resume() -> None:
            try:
                await self._call(subscription.stream, self._subscribe_payload(subscription), None)
            except ResponseError as exc:
                self._subscriptions.pop((subscription.stream, subscription.request_id), None)
                subscription.end(exc)
            except (ConnectionLost, RequestTimeout, ClientClosed):
                # The next connection resumes it.
                subscription.resuming = False

        task = asyncio.create_task(resume())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # Subscriptions.

    @staticmethod
    def _subscribe_payload(subscription: Subscription[Any]) -> Payload:
        """The subscribe frame's payload; after the first, resuming after the last position."""
        data = with_since(subscription.data, subscription.position)
        return request_payload(SUBSCRIBE, subscription.request_id, data=data)

    def _unsubscribe_payload(self, request_id: str) -> Payload:
        """``unsubscribe`` of the subscription made by the request ``request_id``."""
        return request_payload(UNSUBSCRIBE, self._next_id(), data={REQUEST_ID: request_id})

    async def _unsubscribe(self, subscription: Subscription[Any], timeout: float | None) -> None:
        key = (subscription.stream, subscription.request_id)
        if self._subscriptions.get(key) is not subscription:
            return
        try:
            if self._ws is not None:
                payload = self._unsubscribe_payload(subscription.request_id)
                await self._call(subscription.stream, payload, timeout)
        except (NotFound, ConnectionLost):
            # Already gone on the server: refused on resubscription, or the socket dropped.
            pass
        finally:
            self._subscriptions.pop(key, None)
            subscription.end()

    def _forget(self, stream: str, request_id: str) -> None:
        """A subscribe that timed out may still be made on the server (it answers in order):
        unsubscribe it in the background, so that it does not count against the connection's
        limit or send events nobody reads."""

        async def unsubscribe() -> None:
            payload = self._unsubscribe_payload(request_id)
            with contextlib.suppress(ClientError):
                await self._call(stream, payload, None)

        task = asyncio.create_task(unsubscribe())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _resubscribe(self) -> None:
        """Renew every live subscription after a reconnect, with its original request_id."""
        for key, subscription in list(self._subscriptions.items()):
            try:
                await self._call(subscription.stream, self._subscribe_payload(subscription), None)
            except ResponseError as exc:
                # Refused now (the object is gone, a permission changed): end it with why.
                self._subscriptions.pop(key, None)
                subscription.end(exc)
                continue
            except (ConnectionLost, RequestTimeout):
                # Dropped again: the next reconnection renews them.
                return
            self._emit(
                Resubscribed(subscription.stream, subscription.request_id, subscription.recovered)
            )

    def _fail_requests(self, why: str) -> None:
        self._pending.fail_all(ConnectionLost, why)

    def _end_subscriptions(self, error: ConnectionLost | None) -> None:
        for subscription in self._subscriptions.values():
            subscription.end(error)
        self._subscriptions.clear()
