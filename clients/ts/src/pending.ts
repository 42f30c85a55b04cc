/**
 * The requests waiting for their reply, in the order they were made, each with its timer.
 *
 * A request is either queued (not yet on the wire: the socket is not open) or sent. When the
 * connection drops, a sent request fails, because it may have run on the server and sending it
 * again could run it twice; a queued one waits for the next connection. A `subscribe` is the
 * exception: the protocol makes it idempotent (the same `request_id` replaces the
 * subscription), so it goes back to the queue.
 *
 * @module
 */

import {
  ClientError,
  ConnectionClosedError,
  RequestTimeoutError,
  type RequestInfo,
} from "./errors.js";
import type { ReplyPayload, RequestId } from "./frames.js";

export interface Pending {
  readonly info: RequestInfo;
  /** The frame, serialized once. */
  readonly text: string;
  /** Whether it may be sent again after a drop (a `subscribe`). */
  readonly resend: boolean;
  sent: boolean;
  settle(reply: ReplyPayload): void;
  fail(error: ClientError): void;
}

export class PendingRequests {
  private readonly byId = new Map<RequestId, Pending>();
  private readonly timers = new Map<RequestId, ReturnType<typeof setTimeout>>();

  get size(): number {
    return this.byId.size;
  }

  has(id: RequestId): boolean {
    return this.byId.has(id);
  }

  /** Track `pending`; it fails with a {@link RequestTimeoutError} after `timeoutMs`. */
  add(pending: Pending, timeoutMs: number): void {
    const id = pending.info.requestId;
    this.byId.set(id, pending);
    if (Number.isFinite(timeoutMs)) {
      const timer = setTimeout(
        () => this.fail(id, new RequestTimeoutError(pending.info, timeoutMs)),
        timeoutMs,
      );
      this.timers.set(id, timer);
    }
  }

  /** Stop tracking the request and hand back its entry (for its reply), if it is still waiting. */
  take(id: RequestId): Pending | undefined {
    const pending = this.byId.get(id);
    if (pending !== undefined) {
      this.byId.delete(id);
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
    }
    return pending;
  }

  fail(id: RequestId, error: ClientError): void {
    this.take(id)?.fail(error);
  }

  /** The requests not on the wire yet, oldest first. */
  queued(): Pending[] {
    return [...this.byId.values()].filter((pending) => !pending.sent);
  }

  /** After a drop: fail the sent requests, queue again the ones that may be resent. */
  dropped(code: number, reason: string): void {
    for (const pending of [...this.byId.values()]) {
      if (!pending.sent) continue;
      if (pending.resend) {
        pending.sent = false;
      } else {
        this.fail(pending.info.requestId, new ConnectionClosedError(pending.info, code, reason));
      }
    }
  }

  /** Fail every request (the client is closing, or gave up reconnecting). */
  failAll(code: number | null, reason: string): void {
    for (const pending of [...this.byId.values()]) {
      this.fail(pending.info.requestId, new ConnectionClosedError(pending.info, code, reason));
    }
  }
}
