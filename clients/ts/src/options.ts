/**
 * The client's options, its connection events and the shapes its methods take and return.
 *
 * @module
 */

import type { ClientError } from "./errors.js";
import type { Lookup, RequestId } from "./frames.js";
import type { KeepAliveOptions } from "./keepalive.js";
import type { CloseInfo } from "./retry.js";
import type { WebSocketConstructor } from "./websocket.js";

export interface ClientOptions {
  /** The API's WebSocket URL, e.g. `ws://localhost:8000/ws/`. Required. */
  url: string;
  /**
   * The WebSocket class to connect with. Default: `globalThis.WebSocket` (browsers, Node 22+).
   * In Node 18 and 20 pass the `ws` package's class (a subclass of it can set headers such as
   * `Origin`).
   */
  webSocketImpl?: WebSocketConstructor;
  /**
   * How long a request waits for its reply, in milliseconds, counted from the call (time spent
   * connecting included). `Infinity` waits forever. Default: 10000. Each call can override it.
   */
  timeoutMs?: number;
  /**
   * Whether to reconnect after the connection dropped, given the close code and reason and the
   * retries made so far. Default: {@link retryUnlessNormalClose} (retry unless the server closed
   * with 1000).
   */
  shouldRetry?: (info: CloseInfo) => boolean;
  /**
   * Waits before reconnection attempt `retries` (0 for the first). Default:
   * `exponentialBackoff()`: 500 ms, doubling up to 30 s, each wait drawn within 20% below it.
   */
  retryWait?: (retries: number) => Promise<void>;
  /**
   * How many reconnection attempts in a row before giving up (pending requests and live
   * subscriptions then fail; the next request connects afresh). Default: `Infinity`.
   */
  retryAttempts?: number;
  /**
   * Makes each request's `request_id`; ids must be unique for the client's lifetime, since a
   * subscription keeps its id across reconnections. Default: the integers 1, 2, 3...
   */
  generateRequestId?: () => RequestId;
  /**
   * Dead-connection detection: after `idleMs` (default 20000) without a frame from the server
   * the client sends a probe the server answers at once; with no frame within `timeoutMs`
   * (default 10000) more, it drops the socket, reconnects and resumes. `false` turns it off
   * (then a vanished network is noticed only when TCP gives up). See `keepalive.ts`.
   */
  keepAlive?: KeepAliveOptions | false;
}

/** Options of one call. */
export interface CallOptions {
  /** This call's timeout in milliseconds. Default: the client's `timeoutMs` (10000 unless set). */
  timeoutMs?: number;
}

/** A request's parts besides its stream and action. */
export interface RequestInput {
  /** `[key, value]` of a detail action: `["pk", 1]`, `["slug", "intro"]`. */
  lookup?: readonly [string, Lookup];
  /** The action's `data`; `undefined` sends no `data` key. */
  data?: unknown;
}

/**
 * `idle`: no socket (not connected yet, or given up); `connecting`; `open`; `waiting`: before a
 * reconnection attempt; `closed`: `close()` was called, for good.
 */
export type ConnectionState = "idle" | "connecting" | "open" | "waiting" | "closed";

/** The connection events and what their listeners receive. */
export interface ConnectionEvents {
  /** A socket is being opened; `retries` is 0 for a first connection. */
  connecting: { retries: number };
  /** The socket is open; subscriptions and queued requests are being sent. */
  open: { retries: number };
  /** The socket closed; `willReconnect` says whether the client will try again. */
  closed: { code: number; reason: string; willReconnect: boolean };
  /** The client waits (`retryWait`) before reconnection attempt `retries` (0-based). */
  reconnecting: { retries: number };
  /** A live subscription was acknowledged again on a new connection. */
  resubscribed: { stream: string; requestId: RequestId; ack: unknown };
  /**
   * A subscription may have missed events: a resubscription answered `recovered: false`
   * (`reason` is the server's: `epoch_changed`, `history_trimmed`, `invalid_position`), or an
   * event whose `prev` or `epoch` does not follow on (`reason`: `missed_events`). Refetch what
   * the subscription shows.
   */
  gap: { stream: string; requestId: RequestId; reason: string };
  /**
   * Something went wrong outside any request: a socket error, a frame that is not JSON, or a
   * subscription that could not be renewed after a reconnection (it is dropped).
   */
  error: { error: unknown; subscription?: { stream: string; requestId: RequestId } };
}

/** A subscription, as `subscribe()` returns it at once. */
export interface SubscriptionHandle<Ack = unknown> {
  readonly stream: string;
  /** The subscription's name on the wire: the `request_id` of its `subscribe`. */
  readonly requestId: RequestId;
  /** Resolves with the acknowledgement's `data`, or rejects with a {@link ClientError}. */
  readonly ready: Promise<Ack>;
  /** Stop it: no event is delivered once this is called; resolves when the server agreed. */
  unsubscribe(): Promise<void>;
}

export interface Client {
  readonly state: ConnectionState;
  /**
   * Send one request; resolves with the reply's `data` when its status is 2xx, rejects with a
   * {@link ClientError} otherwise. The type parameter is the caller's claim about the reply
   * (generated clients make it from the document); nothing is validated at run time.
   */
  request<T = unknown>(
    stream: string,
    action: string,
    input?: RequestInput,
    options?: CallOptions,
  ): Promise<T>;
  /** Subscribe; `onEvent` gets each event's payload until `unsubscribe()` or `close()`. */
  subscribe<Ack = unknown, E = unknown>(
    stream: string,
    data: unknown,
    onEvent: (event: E) => void,
    options?: CallOptions,
  ): SubscriptionHandle<Ack>;
  /** Listen to a connection event; returns the function that stops listening. */
  on<K extends keyof ConnectionEvents>(
    event: K,
    listener: (info: ConnectionEvents[K]) => void,
  ): () => void;
  /** Close for good: no reconnection, pending requests fail; resolves once the socket closed. */
  close(): Promise<void>;
}

export type { ClientError };
