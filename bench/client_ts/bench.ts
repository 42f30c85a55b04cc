// The TypeScript client as a load generator: its own CPU time per request, beside a raw `ws`
// loop sending the same frames. Run by bench/client_ts.py, which builds this file next to a
// client generated from the demo server's document; by hand:
//
//   node out/bench.js MODE WORKLOAD URL CONNECTIONS REQUESTS WARMUP
//
// MODE is `client` (the generated API: `api.questions.retrieve(pk)`...) or `raw` (`ws` and
// JSON.stringify/parse, matching replies by request_id: the floor any client pays); `seed`
// creates REQUESTS questions and exits. Each connection runs a closed loop (send, await the
// reply, send the next). Prints one JSON line.

import WebSocket from "ws";

import { createApi, type Api } from "./client.js";

type Mode = "client" | "raw" | "seed";
type Workload = "retrieve" | "list";

const [mode, workload, url, connections, requests, warmup] = process.argv.slice(2) as [
  Mode,
  Workload,
  string,
  string,
  string,
  string,
];
const origin = `http://${new globalThis.URL(url).host}`;
class OriginWebSocket extends WebSocket {
  constructor(address: string) {
    // No compression, as bench/load.py: what is measured is the client, not zlib.
    super(address, { origin, perMessageDeflate: false });
  }
}
const PKS = 100;

/** One closed loop of `count` calls of `call`. */
async function loop(count: number, call: (index: number) => Promise<unknown>): Promise<void> {
  for (let index = 0; index < count; index++) await call(index);
}

function clientCall(api: Api): (index: number) => Promise<unknown> {
  return workload === "retrieve"
    ? (index) => api.questions.retrieve((index % PKS) + 1)
    : () => api.questions.list({ page_size: 25 });
}

/** The raw baseline: the same frames, one socket, replies matched by request_id. */
async function rawConnection(): Promise<{ call: (index: number) => Promise<unknown>; close(): void }> {
  const socket = new OriginWebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const waiting = new Map<number, (data: unknown) => void>();
  let next = 0;
  socket.on("message", (text: WebSocket.RawData) => {
    const frame = JSON.parse(text.toString()) as {
      payload: { request_id: number; response_status: number; data: unknown };
    };
    const resolve = waiting.get(frame.payload.request_id);
    if (resolve === undefined) return;
    waiting.delete(frame.payload.request_id);
    if (frame.payload.response_status >= 300) throw new Error(`status ${frame.payload.response_status}`);
    resolve(frame.payload.data);
  });
  const call = (index: number): Promise<unknown> => {
    const requestId = ++next;
    const payload =
      workload === "retrieve"
        ? { action: "retrieve", request_id: requestId, pk: (index % PKS) + 1 }
        : { action: "list", request_id: requestId, data: { page_size: 25 } };
    return new Promise((resolve) => {
      waiting.set(requestId, resolve);
      socket.send(JSON.stringify({ stream: "questions", payload }));
    });
  };
  return { call, close: () => socket.close() };
}

async function run(): Promise<void> {
  const n = Number(connections);
  const perConnection = Math.ceil(Number(requests) / n);
  const warm = Math.ceil(Number(warmup) / n);
  if (mode === "seed") {
    const api = createApi({ url, webSocketImpl: OriginWebSocket });
    await loop(PKS, (index) => api.questions.create({ question_text: `bench ${index}` }));
    await api.$client.close();
    process.stdout.write(JSON.stringify({ seeded: PKS }) + "\n");
    return;
  }
  const calls: ((index: number) => Promise<unknown>)[] = [];
  const closers: (() => unknown)[] = [];
  for (let i = 0; i < n; i++) {
    if (mode === "client") {
      const api = createApi({ url, webSocketImpl: OriginWebSocket });
      calls.push(clientCall(api));
      closers.push(() => api.$client.close());
    } else {
      const raw = await rawConnection();
      calls.push(raw.call);
      closers.push(raw.close);
    }
  }
  await Promise.all(calls.map((call) => loop(warm, call)));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(calls.map((call) => loop(perConnection, call)));
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  await Promise.all(closers.map((close) => close()));
  const measured = perConnection * n;
  process.stdout.write(
    JSON.stringify({
      mode,
      workload,
      connections: n,
      requests: measured,
      total_requests: measured + warm * n,
      wall_s: wall,
      requests_per_s: measured / wall,
      cpu_user_us: used.user,
      cpu_system_us: used.system,
      cpu_us_per_request: (used.user + used.system) / measured,
    }) + "\n",
  );
}

run().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
