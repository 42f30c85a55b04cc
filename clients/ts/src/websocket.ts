/**
 * The little of a WebSocket the client uses, so that any implementation fits: the browser's
 * global `WebSocket`, Node 22's, or the `ws` package's class in Node 18 and 20:
 *
 * ```ts
 * import WebSocket from "ws";
 * createClient({ url, webSocketImpl: WebSocket });
 * ```
 *
 * @module
 */

// Method syntax makes the handler's parameter bivariant, so that an implementation whose
// handlers take its own richer event classes (`ws`'s `MessageEvent`, the DOM's) still fits.
type Handler<E> = { handle(event: E): void }["handle"];

/** What the client reads of a message event: text frames carry a string. */
export interface MessageLike {
  data: unknown;
}

/** What the client reads of a close event. */
export interface CloseLike {
  code: number;
  reason: string;
}

export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<MessageLike> | null;
  onclose: Handler<CloseLike> | null;
  onerror: Handler<unknown> | null;
}

/** A WebSocket class: `new WebSocketImpl(url)`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket, the same in every implementation. */
export const OPEN = 1;

/** The global `WebSocket` of browsers (and Node 22+), if there is one. */
export function globalWebSocket(): WebSocketConstructor | undefined {
  return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
}
