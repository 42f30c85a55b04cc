/**
 * `createClient(options)`: one lazily opened, multiplexed WebSocket to a typedws API.
 *
 * ```ts
 * const client = createClient({ url: "ws://localhost:8000/ws/" });
 * const question = await client.request("questions", "retrieve", { lookup: ["pk", 1] });
 * const sub = client.subscribe("questions", { action: "update" }, (event) => console.log(event));
 * await sub.ready;
 * await sub.unsubscribe();
 * await client.close();
 * ```
 *
 * Replies are matched to requests by `request_id`; events to subscriptions by their
 * `payload.request_id`. Frames for ids the client does not know are ignored. After a drop the
 * client reconnects (see {@link ClientOptions.shouldRetry}) and renews its live subscriptions
 * under their original ids.
 *
 * @module
 */

import { Emitter } from "./emitter.js";
import { DEAD_REASON, watchSocket, type KeepAlive } from "./keepalive.js";
import { ClientError, ConnectionClosedError, TypedwsError, type RequestInfo } from "./errors.js";
import type {
  CallOptions,
  Client,
  ClientOptions,
  ConnectionEvents,
  ConnectionState,
  RequestInput,
  SubscriptionHandle,
} from "./options.js";
import { PendingRequests, type Pending } from "./pending.js";
import { classify, positionOf, readAck, withSince, type Position } from "./positions.js";
import {
  isSuccess,
  readServerFrame,
  requestFrame,
  type EventPayload,
  type ReplyPayload,
  type RequestId,
} from "./frames.js";
import { SUBSCRIBE, UNSUBSCRIBE } from "./protocol.js";
import { exponentialBackoff, retryUnlessNormalClose } from "./retry.js";
import {
  globalWebSocket,
  OPEN,
  type CloseLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./websocket.js";

export const DEFAULT_TIMEOUT_MS = 10_000;
const NORMAL_CLOSURE = 1000;
const ABNORMAL_CLOSURE = 1006;
const CLIENT_CLOSED = "the client was closed";

interface LiveSubscription {
  readonly stream: string;
  readonly requestId: RequestId;
  readonly data: unknown;
  readonly onEvent: (event: EventPayload) => void;
  /** Whether the first acknowledgement came: later ones are renewals after reconnections. */
  acked: boolean;
  /** The last position seen: a renewal resumes after it. */
  position: Position | null;
  /** A renewal with `since` is on its way: events that do not follow on wait for its replay. */
  resuming: boolean;
  resolve(ack: unknown): void;
  reject(error: ClientError): void;
}

/** Open a client; nothing is connected until the first request or subscription. */
export function createClient(options: ClientOptions): Client {
  return new TypedwsClient(options);
}

class TypedwsClient implements Client {
  private readonly impl: WebSocketConstructor;
  private readonly events = new Emitter<ConnectionEvents>();
  private readonly pending = new PendingRequests();
  private readonly subscriptions = new Map<RequestId, LiveSubscription>();
  private readonly nextId: () => RequestId;
  private socket: WebSocketLike | null = null;
  private current: ConnectionState = "idle";
  private retries = 0;
  private closing: Promise<void> | null = null;
  private closed: () => void = () => undefined;
  private keepAlive: KeepAlive | null = null;

  constructor(private readonly options: ClientOptions) {
    const impl = options.webSocketImpl ?? globalWebSocket();
    if (impl === undefined) {
      throw new TypeError(
        "No global WebSocket here: pass `webSocketImpl` (in Node, the `ws` package's class).",
      );
    }
    this.impl = impl;
    let counter = 0;
    this.nextId = options.generateRequestId ?? (() => ++counter);
  }

  get state(): ConnectionState {
    return this.current;
  }

  on<K extends keyof ConnectionEvents>(
    event: K,
    listener: (info: ConnectionEvents[K]) => void,
  ): () => void {
    return this.events.on(event, listener);
  }

  request<T = unknown>(
    stream: string,
    action: string,
    input: RequestInput = {},
    options: CallOptions = {},
  ): Promise<T> {
    const requestId = this.nextId();
    const info = { stream, action, requestId };
    return new Promise<T>((resolve, reject) => {
      const settle = (reply: ReplyPayload): void => {
        if (isSuccess(reply.response_status)) resolve(reply.data as T);
        else reject(new TypedwsError(info, reply.response_status, reply.errors));
      };
      const text = JSON.stringify(requestFrame(stream, action, { ...input, requestId }));
      this.dispatch({ info, text, resend: false, sent: false, settle, fail: reject }, options);
    });
  }

  subscribe<Ack = unknown, E = unknown>(
    stream: string,
    data: unknown,
    onEvent: (event: E) => void,
    options: CallOptions = {},
  ): SubscriptionHandle<Ack> {
    const requestId = this.nextId();
    let resolve: (ack: unknown) => void = () => undefined;
    let reject: (error: ClientError) => void = () => undefined;
    const ready = new Promise<Ack>((res, rej) => {
      resolve = res as (ack: unknown) => void;
      reject = rej;
    });
    // A caller that never awaits `ready` must not get an unhandled rejection.
    ready.catch(() => undefined);
    const handler = onEvent as (event: EventPayload) => void;
    const subscription: LiveSubscription = {
      stream,
      requestId,
      data,
      onEvent: handler,
      acked: false,
      position: null,
      resuming: false,
      resolve,
      reject,
    };
    if (this.current !== "closed") this.subscriptions.set(requestId, subscription);
    this.sendSubscribe(subscription, options);
    return { stream, requestId, ready, unsubscribe: () => this.unsubscribe(subscription) };
  }

  close(): Promise<void> {
    if (this.current === "closed") return this.closing ?? Promise.resolve();
    this.current = "closed";
    this.subscriptions.clear();
    this.pending.failAll(NORMAL_CLOSURE, CLIENT_CLOSED);
    const socket = this.socket;
    if (socket === null) {
      this.events.emit("closed", {
        code: NORMAL_CLOSURE,
        reason: CLIENT_CLOSED,
        willReconnect: false,
      });
      this.closing = Promise.resolve();
    } else {
      this.closing = new Promise((resolve) => (this.closed = resolve));
      socket.close(NORMAL_CLOSURE, "client closed");
    }
    return this.closing;
  }

  /** Track a request, then send it now, or queue it and connect if nothing is connecting. */
  private dispatch(pending: Pending, options: CallOptions): void {
    if (this.current === "closed") {
      pending.fail(new ConnectionClosedError(pending.info, NORMAL_CLOSURE, CLIENT_CLOSED));
      return;
    }
    this.pending.add(pending, options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (this.current === "open") this.send(pending);
    else if (this.current === "idle") this.connect();
  }

  private sendSubscribe(subscription: LiveSubscription, options: CallOptions = {}): void {
    const { stream, requestId, data } = subscription;
    const info: RequestInfo = { stream, action: SUBSCRIBE, requestId };
    const renewal = subscription.acked;
    const drop = (error: ClientError): void => {
      const live = this.subscriptions.delete(requestId);
      // A renewal failing after unsubscribe() or close() is no news to anyone.
      if (!renewal) subscription.reject(error);
      else if (live) this.events.emit("error", { error, subscription: { stream, requestId } });
    };
    const settle = (reply: ReplyPayload): void => {
      if (!isSuccess(reply.response_status))
        return drop(new TypedwsError(info, reply.response_status, reply.errors));
      subscription.acked = true;
      subscription.resuming = false;
      const ack = readAck(reply.data);
      subscription.position = ack.position ?? subscription.position;
      if (ack.recovered === false)
        this.events.emit("gap", { stream, requestId, reason: ack.reason ?? "not_recovered" });
      if (renewal) this.events.emit("resubscribed", { stream, requestId, ack: reply.data });
      else subscription.resolve(reply.data);
    };
    const resumed = renewal ? withSince(data, subscription.position) : data;
    const text = JSON.stringify(requestFrame(stream, SUBSCRIBE, { requestId, data: resumed }));
    this.dispatch({ info, text, resend: true, sent: false, settle, fail: drop }, options);
  }

  private unsubscribe(subscription: LiveSubscription): Promise<void> {
    const { stream, requestId } = subscription;
    if (!this.subscriptions.delete(requestId)) return Promise.resolve();
    const unsent = this.pending.queued().some((pending) => pending.info.requestId === requestId);
    if (unsent || this.current !== "open") {
      // The server holds no such subscription: it never got the frame, or the socket is gone.
      this.pending.fail(
        requestId,
        new ClientError("unsubscribed before the server acknowledged", {
          stream,
          action: SUBSCRIBE,
          requestId,
        }),
      );
      return Promise.resolve();
    }
    return this.request(stream, UNSUBSCRIBE, { data: { request_id: requestId } }).then(
      () => undefined,
    );
  }

  private connect(): void {
    this.current = "connecting";
    this.events.emit("connecting", { retries: this.retries });
    let socket: WebSocketLike;
    try {
      socket = new this.impl(this.options.url);
    } catch (error) {
      this.events.emit("error", { error });
      queueMicrotask(() => this.dropped({ code: ABNORMAL_CLOSURE, reason: String(error) }));
      return;
    }
    this.socket = socket;
    // Handlers of a socket the client has let go of stay silent.
    socket.onopen = () => socket === this.socket && this.opened();
    socket.onmessage = (event) => socket === this.socket && this.received(event.data);
    socket.onerror = (error) => socket === this.socket && this.events.emit("error", { error });
    socket.onclose = (event) => socket === this.socket && this.dropped(event);
  }

  private opened(): void {
    if (this.current === "closed") return;
    this.current = "open";
    this.watch();
    this.events.emit("open", { retries: this.retries });
    this.retries = 0;
    for (const subscription of this.subscriptions.values()) {
      // A renewal still queued from an earlier attempt is already pending.
      if (subscription.acked && !this.pending.has(subscription.requestId))
        this.sendSubscribe(subscription);
    }
    for (const pending of this.pending.queued()) this.send(pending);
  }

  private send(pending: Pending): void {
    if (this.socket === null || this.socket.readyState !== OPEN) return;
    this.socket.send(pending.text);
    pending.sent = true;
  }

  /** Watch the open socket for silence (`keepAlive`): a dead one is dropped, then renewed. */
  private watch(): void {
    const socket = this.socket;
    if (socket === null) return;
    this.keepAlive = watchSocket(this.options.keepAlive, socket, () => {
      if (socket !== this.socket) return;
      // Let it go now: on a dead network its close event may take minutes to come.
      this.socket = null;
      socket.close(NORMAL_CLOSURE, DEAD_REASON);
      this.dropped({ code: ABNORMAL_CLOSURE, reason: DEAD_REASON });
    });
  }

  private received(data: unknown): void {
    this.keepAlive?.heard();
    if (typeof data !== "string") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch (error) {
      this.events.emit("error", { error });
      return;
    }
    const frame = readServerFrame(parsed);
    const requestId = frame?.payload.request_id;
    if (frame === null || requestId === null || requestId === undefined) return;
    if (frame.type === "reply") {
      this.pending.take(requestId)?.settle(frame.payload);
      return;
    }
    const subscription = this.subscriptions.get(requestId);
    if (subscription?.stream === frame.stream) this.track(subscription, frame.payload);
  }

  /** Deliver an event unless seen already; a gap before it is announced first; an event
   * after events this client missed makes it resume. */
  private track(subscription: LiveSubscription, event: EventPayload): void {
    const fields = event as unknown as Record<string, unknown>;
    const verdict = classify(subscription.position, fields);
    if (verdict === "duplicate") return;
    if (verdict === "missed") {
      // Held back: resuming after the last position replays what was missed, then this one.
      if (!subscription.resuming && !this.pending.has(subscription.requestId)) {
        subscription.resuming = true;
        this.sendSubscribe(subscription);
      }
      return;
    }
    if (verdict === "gap") {
      const { stream, requestId } = subscription;
      this.events.emit("gap", { stream, requestId, reason: "missed_events" });
    }
    subscription.position = positionOf(fields) ?? subscription.position;
    deliver(subscription, event);
  }

  private dropped(close: CloseLike): void {
    this.socket = null;
    this.keepAlive?.stop();
    this.keepAlive = null;
    if (this.current === "closed") {
      this.events.emit("closed", { code: close.code, reason: close.reason, willReconnect: false });
      this.closed();
      return;
    }
    this.pending.dropped(close.code, close.reason);
    const busy = this.pending.size > 0 || this.subscriptions.size > 0;
    const retry =
      busy &&
      this.retries < (this.options.retryAttempts ?? Infinity) &&
      (this.options.shouldRetry ?? retryUnlessNormalClose)({ ...close, retries: this.retries });
    this.events.emit("closed", { code: close.code, reason: close.reason, willReconnect: retry });
    if (retry) this.reconnect();
    else this.giveUp(close);
  }

  private reconnect(): void {
    this.current = "waiting";
    const retries = this.retries++;
    this.events.emit("reconnecting", { retries });
    const wait = (this.options.retryWait ?? exponentialBackoff())(retries);
    const next = (): void => {
      if (this.current === "waiting") this.connect();
    };
    wait.then(next, next);
  }

  /** No more retries: what waits fails; the next request starts afresh. */
  private giveUp(close: CloseLike): void {
    this.current = "idle";
    this.retries = 0;
    const subscriptions = [...this.subscriptions.values()];
    this.subscriptions.clear();
    this.pending.failAll(close.code, close.reason);
    for (const { stream, requestId, acked } of subscriptions) {
      if (acked) {
        const error = new ConnectionClosedError(
          { stream, action: SUBSCRIBE, requestId },
          close.code,
          close.reason,
        );
        this.events.emit("error", { error, subscription: { stream, requestId } });
      }
    }
  }
}

/** Call a subscription's handler; a handler that throws does not break the client. */
function deliver(subscription: LiveSubscription, event: EventPayload): void {
  try {
    subscription.onEvent(event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
