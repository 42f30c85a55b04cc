// The `ws` package's class, sending the Origin a page served by the API's host would send:
// Channels' AllowedHostsOriginValidator refuses a handshake without one, and `ws` sends none.

import WebSocket from "ws";

import type { WebSocketConstructor } from "typedws-client";

export function originWebSocket(url: string): WebSocketConstructor {
  const origin = `http://${new globalThis.URL(url).host}`;
  return class OriginWebSocket extends WebSocket {
    constructor(address: string) {
      super(address, { origin });
    }
  };
}
