/**
 * typedws-client: the runtime of typedws's generated TypeScript clients. Zero dependencies;
 * browsers and Node (with the `ws` package) alike.
 *
 * @module
 */

export { createClient, DEFAULT_TIMEOUT_MS } from "./client.js";
export {
  ClientError,
  ConnectionClosedError,
  RequestTimeoutError,
  TypedwsError,
  type RequestInfo,
} from "./errors.js";
export { DEFAULT_KEEPALIVE, PROBE_STREAM, type KeepAliveOptions } from "./keepalive.js";
export type { Position } from "./positions.js";
export type * from "./options.js";
export * from "./frames.js";
export * from "./protocol.js";
export {
  backoffDelay,
  exponentialBackoff,
  retryUnlessNormalClose,
  type BackoffOptions,
  type CloseInfo,
} from "./retry.js";
export {
  OPEN,
  type CloseLike,
  type MessageLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./websocket.js";
