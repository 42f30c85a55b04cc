// The chaos test's TypeScript subscriber: the client generated from the demo's document, over
// the `ws` package, subscribed to every create of `questions` and `choices`. Prints one JSON
// line per event and per gap, `{"kind": "ready"}` once both subscriptions are acknowledged,
// and exits when stdin closes.
//
//   node out/chaos.js ws://127.0.0.1:PROXY/ws/ http://127.0.0.1:SERVER

import WebSocket from "ws";

import type { WebSocketConstructor } from "typedws-client";
import { createApi } from "./client.js";

const [url = "", origin = ""] = process.argv.slice(2);

class OriginWebSocket extends WebSocket {
  constructor(address: string) {
    super(address, { origin });
  }
}

const api = createApi({
  url,
  webSocketImpl: OriginWebSocket as unknown as WebSocketConstructor,
  retryWait: () => new Promise((resolve) => setTimeout(resolve, 200)),
  keepAlive: { idleMs: 2000, timeoutMs: 2000 },
});
const say = (line: object): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
api.$client.on("gap", ({ stream, reason }) => say({ kind: "gap", stream, reason }));

interface Positioned {
  pk: unknown;
  epoch: string;
  seq: number;
  prev: number | null;
}
const record =
  (stream: string) =>
  ({ pk, epoch, seq, prev }: Positioned): void =>
    say({ kind: "event", stream, pk, epoch, seq, prev });

const questions = api.questions.subscribe({ action: "create" }, record("questions"));
const choices = api.choices.subscribe({ action: "create" }, record("choices"));
await Promise.all([questions.ready, choices.ready]);
say({ kind: "ready" });
process.stdin.resume();
process.stdin.on("end", () => {
  void api.$client.close().then(() => process.exit(0));
});
