/** Dead-connection detection: a probe after `idleMs` of silence, the socket dropped and
 * renewed (with `since`) when nothing answers within `timeoutMs`; on mocked timers. */

import assert from "node:assert/strict";
import { mock, test } from "node:test";

import { createClient, PROBE_STREAM } from "../src/index.js";
import { fakeWebSocket, flush, manualRetry } from "./fake.js";

const URL = "ws://api.test/ws/";
const KEEPALIVE = { idleMs: 1000, timeoutMs: 500 };

function probes(sent: string[]): number {
  return sent.filter((text) => (JSON.parse(text) as { stream: string }).stream === PROBE_STREAM)
    .length;
}

test("silence brings a probe; an answer keeps the socket; no answer drops it and resumes", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const fake = fakeWebSocket();
    const retry = manualRetry();
    const client = createClient({
      url: URL,
      webSocketImpl: fake.impl,
      retryWait: retry.wait,
      keepAlive: KEEPALIVE,
    });
    const closed: unknown[] = [];
    client.on("closed", (info) => closed.push(info));
    const sub = client.subscribe("questions", { action: "create" }, () => undefined);
    const socket = fake.latest();
    socket.open();
    socket.reply(socket.last(), 201, { request_id: 1, epoch: "e1", seq: 3, recovered: null });
    await sub.ready;

    mock.timers.tick(999);
    assert.equal(probes(socket.sent), 0);
    mock.timers.tick(1);
    assert.equal(probes(socket.sent), 1);
    const probe = socket.frames().at(-1) as { payload: Record<string, unknown> };
    assert.deepEqual(probe.payload, { action: "ping" });
    socket.receive({ type: "reply", stream: PROBE_STREAM, payload: { request_id: null } });
    mock.timers.tick(999);
    assert.equal(probes(socket.sent), 1); // the answer started a new idle wait
    assert.deepEqual(closed, []);

    mock.timers.tick(1); // second probe: nobody answers now
    assert.equal(probes(socket.sent), 2);
    mock.timers.tick(499);
    assert.deepEqual(closed, []);
    mock.timers.tick(1);
    assert.deepEqual(closed, [
      { code: 1006, reason: "no reply to a keepalive probe", willReconnect: true },
    ]);
    retry.release();
    await flush();
    const next = fake.latest();
    assert.notEqual(next, socket);
    next.open();
    const renewal = next.last() as { payload: { data: unknown } };
    assert.deepEqual(renewal.payload.data, { action: "create", since: { epoch: "e1", seq: 3 } });
    await client.close();
  } finally {
    mock.timers.reset();
  }
});

test("keepAlive: false sends no probe", async () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const fake = fakeWebSocket();
    const client = createClient({ url: URL, webSocketImpl: fake.impl, keepAlive: false });
    const sub = client.subscribe("questions", { action: "create" }, () => undefined);
    fake.latest().open();
    fake.latest().reply(fake.latest().last(), 201, { request_id: 1 });
    await sub.ready;
    mock.timers.tick(3_600_000);
    assert.equal(probes(fake.latest().sent), 0);
    assert.equal(client.state, "open");
    await client.close();
  } finally {
    mock.timers.reset();
  }
});
