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
every live subscription under its original ``request_id``. Only the standard library,
``websockets`` and (in generated code) pydantic are needed: never Django.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self, TypeVar, overload

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

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
    SUBSCRIBE,
    UNSUBSCRIBE,
    Payload,
    encode_request,
    is_success,
    read_server_frame,
    request_payload,
)
from .protocol import ACTION, DATA, EVENT, PK, REQUEST_ID, RESPONSE_STATUS
from .reconnect import (
    Connected,
    ConnectionEvent,
    Disconnected,
    ExponentialBackoff,
    GaveUp,
    Reconnecting,
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


@dataclass
class _Pending:
    future: asyncio.Future[Payload]
    stream: str
    action: str


def _identity(payload: Payload) -> Payload:
    return payload


class Client:
    """A connection to one typedws API.

    ``timeout``: default seconds per request (a request's own ``timeout`` overrides it).
    ``reconnect``: a :class:`~typedws_client.reconnect.ReconnectPolicy`
    (default ``ExponentialBackoff()``: 0.5 s doubling to 30 s, for ever), or None.
    ``on_connection_event``: called with each ``Connected``, ``Disconnected``,
    ``Reconnecting``, ``Resubscribed`` and ``GaveUp``.
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
        self.url = url
        self.timeout = timeout
        self.reconnect = reconnect
        self.on_connection_event = on_connection_event
        self.connect_options = dict(connect_options or {})
        self._ids = itertools.count(1)
        # Unique across clients and processes, so a server log tells requests apart.
        self._prefix = uuid.uuid4().hex[:12]
        self._pending: dict[str, _Pending] = {}
        self._subscriptions: dict[tuple[str, str], Subscription[Any]] = {}
        self._ws: ClientConnection | None = None
        # Resolved with the open socket; None while idle (never connected, or given up).
        self._ready: asyncio.Future[ClientConnection] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._closed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def connect(self) -> None:
        """Open the socket now rather than on the first request."""
        await self._connection()

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
        self._fail_pending(ClientClosed, "the client was closed.")

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
        future: asyncio.Future[Payload] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = _Pending(future, stream, payload[ACTION])
        try:
            await ws.send(encode_request(stream, payload))
            return await future
        except ConnectionClosed as exc:
            raise ConnectionLost(f"The socket closed: {exc}") from exc
        finally:
            self._pending.pop(request_id, None)

    def _dispatch(self, message: str | bytes) -> None:
        """Route one server frame; frames this client cannot place are ignored."""
        frame = read_server_frame(message)
        if frame is None:
            return
        if frame.kind == EVENT:
            self._route_event(frame.stream, frame.payload)
        else:
            self._route_reply(frame.payload)

    def _route_reply(self, payload: Payload) -> None:
        request_id = payload.get(REQUEST_ID)
        pending = self._pending.get(request_id) if isinstance(request_id, str) else None
        if pending is None and request_id is None and self._pending:
            # A reply that could echo nothing (a frame over the size limit): the server
            # answers in order, so it is the oldest request's.
            pending = next(iter(self._pending.values()))
        if pending is not None and not pending.future.done():
            pending.future.set_result(payload)

    def _route_event(self, stream: object, payload: Payload) -> None:
        request_id = payload.get(REQUEST_ID)
        if isinstance(stream, str) and isinstance(request_id, str):
            subscription = self._subscriptions.get((stream, request_id))
            if subscription is not None:
                subscription.deliver(payload)

    def _fail_pending(self, error: type[ConnectionLost], message: str) -> None:
        """Fail every request waiting for a reply, each with an exception of its own."""
        for request_id, pending in self._pending.items():
            if not pending.future.done():
                pending.future.set_exception(
                    error(f"{pending.stream}.{pending.action} ({request_id}): {message}")
                )
        self._pending.clear()

    # Subscriptions.

    @staticmethod
    def _subscribe_payload(subscription: Subscription[Any]) -> Payload:
        return request_payload(SUBSCRIBE, subscription.request_id, data=subscription.data)

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
            self._emit(Resubscribed(subscription.stream, subscription.request_id))

    # The connection's life: open, read, reconnect.

    async def _connection(self) -> ClientConnection:
        if self._closed:
            raise ClientClosed("The client was closed.")
        if self._ws is not None:
            return self._ws
        if self._ready is None:
            self._ready = asyncio.get_running_loop().create_future()
            self._supervisor = asyncio.create_task(self._supervise(self._ready))
        return await asyncio.shield(self._ready)

    async def _open(self) -> ClientConnection:
        try:
            return await connect(self.url, **self.connect_options)
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            raise ConnectionLost(f"Cannot connect to {self.url}: {exc}") from exc

    async def _supervise(self, ready: asyncio.Future[ClientConnection]) -> None:
        """Connect (once: a first failure is the caller's to see), then read until the socket
        closes, reconnecting as the policy says."""
        try:
            ws: ClientConnection | None = await self._open()
        except ConnectionLost as exc:
            self._give_up(ready, exc)
            return
        reconnected = False
        resubscribing: asyncio.Task[None] | None = None
        while ws is not None:
            self._ws = ws
            ready.set_result(ws)
            self._emit(Connected(self.url, reconnected))
            if reconnected:
                resubscribing = asyncio.create_task(self._resubscribe())
            code, reason = await self._read(ws)
            ready = await self._after_close(f"the socket closed ({code} {reason}).", resubscribing)
            policy = None if self._closed else self.reconnect
            self._emit(Disconnected(code, reason, policy is not None))
            if policy is None:
                lost = ConnectionLost(f"The socket closed ({code} {reason}).")
                self._end_subscriptions(None if self._closed else lost)
                self._give_up(
                    ready, ClientClosed("The client was closed.") if self._closed else lost
                )
                return
            ws = await self._reconnect(policy, ready)
            reconnected = True

    async def _after_close(
        self, why: str, resubscribing: asyncio.Task[None] | None
    ) -> asyncio.Future[ClientConnection]:
        """Fail what waited on the closed socket; the future the next connection resolves."""
        self._ws = None
        ready = self._ready = asyncio.get_running_loop().create_future()
        self._fail_pending(ConnectionLost, why)
        if resubscribing is not None:
            await asyncio.gather(resubscribing, return_exceptions=True)
        return ready

    async def _read(self, ws: ClientConnection) -> tuple[int | None, str]:
        try:
            async for message in ws:
                self._dispatch(message)
        except ConnectionClosed:
            pass
        return ws.close_code, ws.close_reason or ""

    async def _reconnect(
        self, policy: ReconnectPolicy, ready: asyncio.Future[ClientConnection]
    ) -> ClientConnection | None:
        error: ConnectionLost | None = None
        for attempt in itertools.count(1):
            delay = policy.delay(attempt)
            if delay is None:
                break
            self._emit(Reconnecting(attempt, delay, str(error) if error else None))
            await asyncio.sleep(delay)
            try:
                return await self._open()
            except ConnectionLost as exc:
                error = exc
        failure = error or ConnectionLost("The reconnect policy made no attempt.")
        self._emit(GaveUp(attempt - 1, str(failure)))
        self._end_subscriptions(failure)
        self._give_up(ready, failure)
        return None

    def _end_subscriptions(self, error: ConnectionLost | None) -> None:
        for subscription in self._subscriptions.values():
            subscription.end(error)
        self._subscriptions.clear()

    def _give_up(self, ready: asyncio.Future[ClientConnection], error: ConnectionLost) -> None:
        """Fail whoever waits for this connection; the next request starts afresh."""
        if self._ready is ready:
            self._ready = None
        if not ready.done():
            ready.set_exception(error)
            # Nobody may be waiting: mark the exception as seen.
            ready.exception()

    def _emit(self, event: ConnectionEvent) -> None:
        if self.on_connection_event is None:
            return
        try:
            self.on_connection_event(event)
        except Exception:
            logger.exception("on_connection_event raised for %r", event)
