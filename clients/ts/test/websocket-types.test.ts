/**
 * The WebSocket classes users pass fit `webSocketImpl` (a compile-time check: this file only
 * compiles if they do), and the `ws` class really is accepted by createClient.
 */

import assert from "node:assert/strict";
import { test } from "node:test";

import WebSocket from "ws";

import { createClient, type WebSocketConstructor } from "../src/index.js";

// The DOM's class (browsers, Node 22+), by its type.
type DomFits = typeof globalThis.WebSocket extends WebSocketConstructor ? true : false;
export const domFits: DomFits = true;

// The `ws` package's class, and a subclass setting an Origin as a page would.
export const fromWs: WebSocketConstructor = WebSocket;
export class WithOrigin extends WebSocket {
  constructor(url: string) {
    super(url, { origin: "http://localhost" });
  }
}

test("the ws class and a subclass of it are accepted as webSocketImpl", async () => {
  for (const impl of [WebSocket, WithOrigin]) {
    const client = createClient({ url: "ws://127.0.0.1:9/ws/", webSocketImpl: impl });
    assert.equal(client.state, "idle");
    await client.close();
  }
});
