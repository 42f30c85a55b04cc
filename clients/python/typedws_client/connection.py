"""One WebSocket's life: opened on first use, read by one task, reopened as the policy says.

:class:`Connection` owns the socket; :class:`~typedws_client.runtime.Client` builds requests and
subscriptions on it and answers its hooks: ``_dispatch`` (each message read),
``_fail_requests`` (the socket closed under them), ``_resubscribe`` (after a reconnection) and
``_end_subscriptions`` (the connection is given up). The first connection's failure is the
caller's to see; after that, a dropped socket is reopened as the ``reconnect`` policy says and
each step is reported to ``on_connection_event``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from .errors import ClientClosed, ConnectionLost
from .reconnect import (
    Connected,
    ConnectionEvent,
    Disconnected,
    GaveUp,
    Reconnecting,
    ReconnectPolicy,
)

__all__ = ["Connection"]

logger = logging.getLogger("typedws_client")


class Connection:
    """The socket to ``url`` and its supervisor task."""

    def __init__(
        self,
        url: str,
        *,
        reconnect: ReconnectPolicy | None,
        on_connection_event: Callable[[ConnectionEvent], object] | None,
        connect_options: Mapping[str, Any] | None,
    ) -> None:
        self.url = url
        self.reconnect = reconnect
        self.on_connection_event = on_connection_event
        self.connect_options = dict(connect_options or {})
        self._ws: ClientConnection | None = None
        # Resolved with the open socket; None while idle (never connected, or given up).
        self._ready: asyncio.Future[ClientConnection] | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def connect(self) -> None:
        """Open the socket now rather than on the first request."""
        await self._connection()

    # The hooks the client answers.

    def _dispatch(self, message: str | bytes) -> None:
        raise NotImplementedError

    def _fail_requests(self, why: str) -> None:
        raise NotImplementedError

    async def _resubscribe(self) -> None:
        raise NotImplementedError

    def _end_subscriptions(self, error: ConnectionLost | None) -> None:
        raise NotImplementedError

    # Open, read, reconnect.

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
        self._fail_requests(why)
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
