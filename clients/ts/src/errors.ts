/**
 * Why a request failed. Every error the client rejects with is a {@link ClientError}, naming
 * the request (`stream`, `action`, `requestId`); the three kinds say who gave up:
 *
 * - {@link TypedwsError}: the server answered with a non-2xx status and structured `errors`;
 * - {@link RequestTimeoutError}: no reply came within the request's timeout;
 * - {@link ConnectionClosedError}: the connection closed before the reply came (the request may
 *   or may not have run on the server: it is not sent again), or the client was closed.
 *
 * @module
 */

import type { ErrorItem, RequestId } from "./frames.js";

/** What every error of the client says about the request it ends. */
export interface RequestInfo {
  stream: string;
  action: string;
  requestId: RequestId;
}

export class ClientError extends Error {
  readonly stream: string;
  readonly action: string;
  readonly requestId: RequestId;

  constructor(message: string, request: RequestInfo) {
    super(message);
    this.name = new.target.name;
    this.stream = request.stream;
    this.action = request.action;
    this.requestId = request.requestId;
  }
}

/** The server refused the request: its reply's `response_status` and `errors`. */
export class TypedwsError extends ClientError {
  /** The reply's `response_status`: 400, 401, 403, 404, 405, 413, 429 or 500. */
  readonly responseStatus: number;
  /** Every problem the server found, each with a stable `code` and an absolute `path`. */
  readonly errors: ErrorItem[];

  constructor(request: RequestInfo, responseStatus: number, errors: ErrorItem[]) {
    const first = errors[0];
    const detail = first === undefined ? "" : `: ${first.code} at ${JSON.stringify(first.path)}`;
    super(`${request.stream}.${request.action} failed with ${responseStatus}${detail}`, request);
    this.responseStatus = responseStatus;
    this.errors = errors;
  }
}

/** No reply within `timeoutMs` milliseconds; a reply arriving later is ignored. */
export class RequestTimeoutError extends ClientError {
  readonly timeoutMs: number;

  constructor(request: RequestInfo, timeoutMs: number) {
    super(`${request.stream}.${request.action} got no reply within ${timeoutMs} ms`, request);
    this.timeoutMs = timeoutMs;
  }
}

/** The connection closed before the reply came, or `close()` was called. */
export class ConnectionClosedError extends ClientError {
  /** The WebSocket close code, when a socket closed (1000 for `close()`). */
  readonly code: number | null;
  readonly reason: string;

  constructor(request: RequestInfo, code: number | null, reason: string) {
    super(`${request.stream}.${request.action}: the connection closed (${reason})`, request);
    this.code = code;
    this.reason = reason;
  }
}
