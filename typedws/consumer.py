"""``APIConsumer``: the one async consumer behind an :class:`~typedws.api.API`.

For each text frame: read it (:mod:`typedws.frames`), run it through its binding (one thread
hop), send exactly one reply. Whatever happens, the socket stays open: bad frames and exceptions
become error replies, never a close. Between frames, it sends the event frames of the
connection's subscriptions (:mod:`typedws.subscriptions`).

The loop is Channels' ``await_many_dispatch``, over the socket and a :class:`~.layerlink.LayerLink`
that contains channel layer failures (a Redis outage suspends subscriptions, nothing else).
Frames leave through a bounded :class:`~.sendqueue.SendQueue`, so a client that does not read
never stalls the loop: it is closed as a slow consumer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.utils import await_many_dispatch
from rest_framework import status

from .encoding import dumps
from .errors import FrameError, exception_errors, server_error
from .frames import read_frame
from .layerlink import LayerLink
from .layers import get_layer
from .protocol import (
    ACTION,
    DATA,
    PAYLOAD,
    REQUEST_ID,
    STREAM,
    ErrorCode,
    error_item,
    reply,
)
from .request import ConnectionContext, RequestFrame
from .schema.contract import Contract
from .sendqueue import SendQueue
from .settings import typedws_settings
from .subscriptions.connection import SCOPE_KEY, ConnectionSubscriptions
from .subscriptions.feeds import Inbox

__all__ = ["APIConsumer"]

logger = logging.getLogger("typedws")


class APIConsumer(AsyncWebsocketConsumer):
    """Serves a contract's streams on one WebSocket; mount it with ``api.as_asgi()``."""

    connection: ConnectionContext
    subscriptions: ConnectionSubscriptions
    link: LayerLink
    outgoing: SendQueue | None = None
    _writer: asyncio.Task[None]

    def __init__(self, contract: Contract) -> None:
        super().__init__()
        self.routes = contract.routes
        # The batches of the connection's feeds (typedws.subscriptions.feeds).
        self.inbox = Inbox()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Channels' AsyncConsumer.__call__, with the layer's receive behind a LayerLink. The
        # layer is the configured one, or typedws's in-process one (typedws.layers).
        self.scope = scope
        self.base_send = send
        layer = get_layer()
        self.channel_layer = layer
        self.link = LayerLink(layer)
        self.channel_name = await self.link.open()
        sources: list[Any] = [receive, self.link.receive, self.inbox.get]
        try:
            await await_many_dispatch(sources, self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self._stop()

    async def dispatch(self, message: Any) -> None:
        # Channels' dispatch spends a thread hop on close_old_connections() before every
        # message; the one hop each frame makes (typedws.hop) already does that on both sides,
        # so this skips it. Unknown message types still fail loudly, as there.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        # A feed hands this connection a batch itself only while nothing is being handled.
        async with self.inbox.lock:
            await handler(message)

    async def connect(self) -> None:
        self.connection = ConnectionContext(self.scope)
        self.subscriptions = ConnectionSubscriptions(
            self.channel_layer, self.link.channel_name, self._send_text, self.connection, self.inbox
        )
        # Where the binding's subscribe actions find it (``request.scope``).
        self.connection.scope[SCOPE_KEY] = self.subscriptions
        self.inbox.handler = self.subscriptions.deliver
        await self.accept()
        send: Any = self.base_send
        self.outgoing = SendQueue(send, name=_peer(self.scope))
        self._writer = asyncio.ensure_future(self.outgoing.run())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "subscriptions"):  # a refused handshake never connected
            await self.link.leave(self.subscriptions)

    async def _stop(self) -> None:
        await self.link.close()
        if self.outgoing is not None:
            self._writer.cancel()

    async def typedws_events(self, message: dict[str, Any]) -> None:
        """A published batch of model changes: send this connection's events."""
        try:
            if self.link.gaps.missed(message):
                if self.outgoing is not None:
                    self.outgoing.give_up("the channel layer dropped events owed to it")
                return
            await self.subscriptions.deliver(message)
        finally:
            self.inbox.taken = False

    async def typedws_events_lost(self, message: dict[str, Any]) -> None:
        """Writes of a model may have gone unpublished (:data:`~.subscriptions.feeds.LOST`)."""
        try:
            self.subscriptions.lost(message["model"])
        finally:
            self.inbox.taken = False

    async def typedws_inbox_overflow(self, message: dict[str, Any]) -> None:
        """The connection fell :data:`~.subscriptions.feeds.INBOX_BATCHES` batches behind."""
        if self.outgoing is not None:
            self.outgoing.give_up("its events came faster than it could handle them")

    async def typedws_layer_recovered(self, message: dict[str, Any]) -> None:
        """The channel layer is back after an outage: join the subscriptions' groups again."""
        await self.link.rejoin(self.subscriptions)

    async def _send_text(self, text: str) -> None:
        if self.outgoing is not None:
            self.outgoing.put(text)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            message = "Frames must be JSON text frames, not binary."
            error = error_item(ErrorCode.BINARY_FRAME, message, [])
            frame = reply(None, None, None, status.HTTP_400_BAD_REQUEST, None, [error])
        else:
            frame = await self.handle(text_data)
        await self._send_text(self._encode(frame))
        if self.subscriptions is not None:
            # What a ``since`` resumed follows its acknowledgement.
            await self.subscriptions.replay()

    async def handle(self, text: str) -> dict[str, Any]:
        """The reply frame for one request frame."""
        try:
            request = await read_frame(text, self.routes, typedws_settings.MAX_FRAME_BYTES)
        except FrameError as exc:
            return reply(exc.stream, exc.action, exc.request_id, exc.status, None, exc.errors)
        try:
            code, data = await self._serve(request)
        except Exception as exc:
            code, errors = exception_errors(exc, [PAYLOAD, DATA])
            if code == status.HTTP_500_INTERNAL_SERVER_ERROR:  # a 503 logged its own line
                _log_failure(request, exc)
            return reply(request.stream, request.spec.name, request.request_id, code, None, errors)
        return reply(request.stream, request.spec.name, request.request_id, code, data)

    async def _serve(self, request: RequestFrame) -> tuple[int, Any]:
        serve = self.routes[request.stream].binding.serve
        # Join or leave groups before the reply: a subscribe's ack precedes its events.
        return await self.link.serve(
            request.spec.name, self.subscriptions, lambda: serve(request, self.connection)
        )

    def _encode(self, frame: dict[str, Any]) -> str:
        try:
            return dumps(frame)
        except (TypeError, ValueError) as exc:
            # Data the action returned that JSON cannot carry (an unknown type, NaN).
            stream, payload = frame[STREAM], frame[PAYLOAD]
            action, request_id = payload[ACTION], payload[REQUEST_ID]
            logger.error(
                "Cannot encode the reply of %s.%s (request_id=%r)",
                stream,
                action,
                request_id,
                exc_info=exc,
            )
            code, errors = server_error(exc)
            return dumps(reply(stream, action, request_id, code, None, errors))


def _peer(scope: Any) -> str:
    client = scope.get("client") or ("?", 0)
    return f"the connection from {client[0]}:{client[1]}"


def _log_failure(request: RequestFrame, exc: Exception) -> None:
    logger.error(
        "Unhandled exception in %s.%s (request_id=%r)",
        request.stream,
        request.spec.name,
        request.request_id,
        exc_info=exc,
    )
