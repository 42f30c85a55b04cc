/**
 * An in-memory WebSocket for the unit tests: the test plays the server, opening, answering and
 * dropping each socket the client makes. No network.
 */

import type { CloseLike, MessageLike, WebSocketConstructor, WebSocketLike } from "../src/index.js";

type Json = Record<string, unknown>;

export class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: MessageLike) => void) | null = null;
  onclose: ((event: CloseLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    if (this.readyState !== 1) throw new Error("send() on a socket that is not open");
    this.sent.push(data);
  }

  close(code = 1005, reason = ""): void {
    this.readyState = 2;
    queueMicrotask(() => this.drop(code, reason));
  }

  /** The server accepts the handshake. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The connection ends (server gone, network lost). */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** A text frame from the server. */
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }

  /** The frames the client sent, parsed. */
  frames(): Json[] {
    return this.sent.map((text) => JSON.parse(text) as Json);
  }

  /** The last frame sent, parsed. */
  last(): Json {
    const frame = this.frames().at(-1);
    if (frame === undefined) throw new Error("nothing was sent");
    return frame;
  }

  /** Answer the request frame `request` with a reply. */
  reply(request: Json, status: number, data: unknown = null, errors: unknown[] = []): void {
    const payload = request["payload"] as Json;
    this.receive({
      type: "reply",
      stream: request["stream"],
      payload: {
        action: payload["action"],
        request_id: payload["request_id"],
        response_status: status,
        data,
        errors,
      },
    });
  }

  /** An event for the subscription made by the frame `subscribe`. */
  event(subscribe: Json, action: string, pk: number, data: unknown): void {
    const requestId = (subscribe["payload"] as Json)["request_id"];
    this.receive({
      type: "event",
      stream: subscribe["stream"],
      payload: { action, pk, data, model: "polls.question", request_id: requestId },
    });
  }
}

/** A WebSocket class recording every socket it makes. */
export function fakeWebSocket(): {
  impl: WebSocketConstructor;
  sockets: FakeSocket[];
  latest(): FakeSocket;
} {
  const sockets: FakeSocket[] = [];
  class Recorded extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    impl: Recorded,
    sockets,
    latest() {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error("no socket was made");
      return socket;
    },
  };
}

/** Let pending promise callbacks and microtasks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A `retryWait` the test releases by hand, recording each call's `retries`. */
export function manualRetry(): {
  wait: (retries: number) => Promise<void>;
  calls: number[];
  release(): void;
} {
  const calls: number[] = [];
  let releases: (() => void)[] = [];
  return {
    calls,
    wait(retries) {
      calls.push(retries);
      return new Promise<void>((resolve) => releases.push(resolve));
    },
    release() {
      const pending = releases;
      releases = [];
      for (const resolve of pending) resolve();
    },
  };
}
