/** The connection's life: drops, reconnection with backoff, resubscription, close(). */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  backoffDelay,
  ClientError,
  ConnectionClosedError,
  createClient,
  TypedwsError,
  type Client,
  type ConnectionEvents,
} from "../src/index.js";
import { fakeWebSocket, flush, manualRetry } from "./fake.js";

const URL = "ws://api.test/ws/";

type Seen = [keyof ConnectionEvents, unknown];

function record(client: Client): Seen[] {
  const seen: Seen[] = [];
  for (const name of [
    "connecting",
    "open",
    "closed",
    "reconnecting",
    "resubscribed",
    "error",
  ] as const) {
    client.on(name, (info) => seen.push([name, info]));
  }
  return seen;
}

test("a sent request fails when the socket drops; a queued one is sent on the next connection", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const first = fake;
  const inFlight = client.request("questions", "create", { data: { question_text: "a" } });
  first.latest().open();
  first.latest().drop(1012, "restart");
  await assert.rejects(inFlight, (error: unknown) => {
    assert.ok(error instanceof ConnectionClosedError);
    assert.deepEqual([error.code, error.reason, error.action], [1012, "restart", "create"]);
    return true;
  });
  // Nothing is pending and nothing subscribed: no reason to reconnect until asked.
  assert.equal(client.state, "idle");
  assert.deepEqual(retry.calls, []);
  const later = client.request("questions", "list");
  assert.equal(fake.sockets.length, 2);
  fake.latest().open();
  assert.deepEqual(
    fake
      .latest()
      .frames()
      .map((frame) => (frame["payload"] as { action: string }).action),
    ["list"],
    "the failed create is not sent again",
  );
  fake.latest().reply(fake.latest().last(), 200, "ok");
  assert.equal(await later, "ok");
});

test("reconnection waits retryWait(0), retryWait(1)... until a socket opens, then starts over", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const seen = record(client);
  client.subscribe("questions", { action: "create" }, () => undefined);
  fake.latest().drop(); // the first handshake fails
  assert.deepEqual(retry.calls, [0]);
  assert.equal(client.state, "waiting");
  assert.equal(fake.sockets.length, 1, "no new socket before the wait ends");
  retry.release();
  await flush();
  assert.equal(fake.sockets.length, 2);
  fake.latest().drop();
  assert.deepEqual(retry.calls, [0, 1]);
  retry.release();
  await flush();
  fake.latest().open();
  fake.latest().drop();
  assert.deepEqual(retry.calls, [0, 1, 0], "a successful open resets the count");
  assert.deepEqual(
    seen.filter(([name]) => name === "reconnecting" || name === "connecting" || name === "open"),
    [
      ["connecting", { retries: 0 }],
      ["reconnecting", { retries: 0 }],
      ["connecting", { retries: 1 }],
      ["reconnecting", { retries: 1 }],
      ["connecting", { retries: 2 }],
      ["open", { retries: 2 }],
      ["reconnecting", { retries: 0 }],
    ],
  );
  await client.close();
});

test("the default backoff doubles from 500 ms up to 30 s, jittered below", () => {
  const top = () => 1;
  assert.deepEqual(
    [0, 1, 2, 3].map((n) => backoffDelay(n, {}, top)),
    [500, 1000, 2000, 4000],
  );
  assert.equal(backoffDelay(20, {}, top), 30_000);
  assert.equal(
    backoffDelay(0, {}, () => 0),
    400,
  );
  assert.equal(backoffDelay(2, { initialMs: 10, factor: 3, jitter: 0 }), 90);
});

test("live subscriptions are renewed with their original request_id and data after a drop", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const seen = record(client);
  const events: unknown[] = [];
  const sub = client.subscribe("questions", { action: ["update", "delete"], pk: 3 }, (event) =>
    events.push(event),
  );
  fake.latest().open();
  const subscribe = fake.latest().last();
  fake.latest().reply(subscribe, 201, {
    request_id: sub.requestId,
    action: ["update", "delete"],
    pk: 3,
    filter: {},
  });
  assert.deepEqual(await sub.ready, {
    request_id: 1,
    action: ["update", "delete"],
    pk: 3,
    filter: {},
  });
  fake.latest().drop(1012, "service restart");
  assert.deepEqual(seen.at(-2), [
    "closed",
    { code: 1012, reason: "service restart", willReconnect: true },
  ]);
  retry.release();
  await flush();
  const socket = fake.latest();
  socket.open();
  assert.deepEqual(socket.frames(), [subscribe], "the same frame, the same request_id");
  socket.reply(subscribe, 201, { request_id: 1, action: ["update", "delete"], pk: 3, filter: {} });
  assert.deepEqual(seen.at(-1), [
    "resubscribed",
    {
      stream: "questions",
      requestId: 1,
      ack: { request_id: 1, action: ["update", "delete"], pk: 3, filter: {} },
    },
  ]);
  socket.event(subscribe, "update", 3, { id: 3 });
  assert.deepEqual(events, [
    { action: "update", pk: 3, data: { id: 3 }, model: "polls.question", request_id: 1 },
  ]);
  await client.close();
});

test("a subscribe in flight when the socket drops is sent again, and its ready still resolves", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const sub = client.subscribe("questions", { action: "create" }, () => undefined);
  fake.latest().open();
  const subscribe = fake.latest().last();
  fake.latest().drop();
  retry.release();
  await flush();
  fake.latest().open();
  assert.deepEqual(fake.latest().frames(), [subscribe]);
  fake.latest().reply(subscribe, 201, { request_id: 1 });
  assert.deepEqual(await sub.ready, { request_id: 1 });
  await client.close();
});

test("a renewal the server refuses drops that subscription and says so", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const seen = record(client);
  const events: unknown[] = [];
  const sub = client.subscribe("questions", { action: "update", pk: 3 }, (event) =>
    events.push(event),
  );
  fake.latest().open();
  const subscribe = fake.latest().last();
  fake.latest().reply(subscribe, 201, {});
  await sub.ready;
  fake.latest().drop();
  retry.release();
  await flush();
  fake.latest().open();
  fake
    .latest()
    .reply(subscribe, 404, null, [{ code: "not_found", message: "Not found.", path: [] }]);
  const [name, info] = seen.at(-1)!;
  assert.equal(name, "error");
  assert.deepEqual((info as ConnectionEvents["error"]).subscription, {
    stream: "questions",
    requestId: 1,
  });
  fake.latest().event(subscribe, "update", 3, {});
  assert.deepEqual(events, []);
  await client.close();
});

test("shouldRetry and retryAttempts decide when to give up; what waits then fails", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const reasons: number[] = [];
  const client = createClient({
    url: URL,
    webSocketImpl: fake.impl,
    retryWait: retry.wait,
    retryAttempts: 1,
    shouldRetry: ({ code }) => {
      reasons.push(code);
      return code !== 4000;
    },
  });
  const seen = record(client);
  const queued = client.request("questions", "list");
  fake.latest().drop(1006);
  retry.release();
  await flush();
  fake.latest().drop(1006);
  await assert.rejects(queued, ConnectionClosedError);
  assert.deepEqual(
    reasons,
    [1006],
    "the second drop exceeds retryAttempts before shouldRetry is asked",
  );
  assert.deepEqual(seen.at(-1), ["closed", { code: 1006, reason: "", willReconnect: false }]);
  assert.equal(client.state, "idle");

  const refused = client.request("questions", "list");
  fake.latest().drop(4000, "go away");
  await assert.rejects(refused, ConnectionClosedError);
  assert.deepEqual(reasons, [1006, 4000]);
  assert.deepEqual(retry.calls, [0]);
});

test("close() rejects pending requests, never reconnects, and ends the client", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const seen = record(client);
  const sub = client.subscribe("questions", { action: "create" }, () => undefined);
  const pending = client.request("questions", "list");
  fake.latest().open();
  await client.close();
  await assert.rejects(
    pending,
    (error: unknown) => error instanceof ConnectionClosedError && error.code === 1000,
  );
  await assert.rejects(sub.ready, ConnectionClosedError);
  assert.equal(client.state, "closed");
  assert.deepEqual(seen.at(-1), [
    "closed",
    { code: 1000, reason: "client closed", willReconnect: false },
  ]);
  assert.deepEqual(retry.calls, []);
  await assert.rejects(client.request("questions", "list"), ConnectionClosedError);
  await assert.rejects(
    client.subscribe("questions", {}, () => undefined).ready,
    ConnectionClosedError,
  );
  assert.equal(fake.sockets.length, 1);
  await client.close(); // twice is fine
});

test("close() of a client that never connected resolves at once", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  await client.close();
  assert.equal(fake.sockets.length, 0);
});

test("subscribe: ready resolves with the ack, events go to the handler by request_id until unsubscribe", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const a: unknown[] = [];
  const b: unknown[] = [];
  const subA = client.subscribe("questions", { action: "create" }, (event) => a.push(event));
  const subB = client.subscribe("questions", { action: "update", pk: 1 }, (event) => b.push(event));
  const socket = fake.latest();
  socket.open();
  const [frameA, frameB] = socket.frames();
  assert.deepEqual(frameB, {
    stream: "questions",
    payload: { action: "subscribe", request_id: 2, data: { action: "update", pk: 1 } },
  });
  socket.reply(frameA!, 201, { request_id: 1, action: ["create"], pk: null, filter: {} });
  socket.reply(frameB!, 201, { request_id: 2, action: ["update"], pk: 1, filter: {} });
  assert.deepEqual((await subA.ready) as unknown, {
    request_id: 1,
    action: ["create"],
    pk: null,
    filter: {},
  });
  await subB.ready;
  socket.event(frameA!, "create", 5, { id: 5 });
  socket.event(frameB!, "update", 1, { id: 1 });
  assert.deepEqual(
    a.map((event) => (event as { pk: number }).pk),
    [5],
  );
  assert.deepEqual(
    b.map((event) => (event as { pk: number }).pk),
    [1],
  );

  const done = subA.unsubscribe();
  assert.deepEqual(socket.last(), {
    stream: "questions",
    payload: { action: "unsubscribe", request_id: 3, data: { request_id: 1 } },
  });
  socket.event(frameA!, "create", 6, { id: 6 });
  socket.reply(socket.last(), 200, { unsubscribed: 1 });
  await done;
  socket.event(frameA!, "create", 7, { id: 7 });
  assert.deepEqual(
    a.map((event) => (event as { pk: number }).pk),
    [5],
    "nothing after unsubscribe()",
  );
  await subA.unsubscribe(); // again: nothing to do
  assert.equal(socket.sent.length, 3);
  await client.close();
});

test("a refused subscribe rejects ready and routes nothing", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const events: unknown[] = [];
  const sub = client.subscribe("questions", { action: "nope" }, (event) => events.push(event));
  fake.latest().open();
  const frame = fake.latest().last();
  const errors = [{ code: "invalid", message: "bad", path: ["payload", "data", "action"] }];
  fake.latest().reply(frame, 400, null, errors);
  await assert.rejects(sub.ready, (error: unknown) => {
    assert.ok(error instanceof TypedwsError);
    assert.deepEqual([error.responseStatus, error.errors], [400, errors]);
    return true;
  });
  fake.latest().event(frame, "create", 1, {});
  assert.deepEqual(events, []);
  await client.close();
});

test("unsubscribing before the subscribe was sent sends neither", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const sub = client.subscribe("questions", { action: "create" }, () => undefined);
  await sub.unsubscribe();
  await assert.rejects(sub.ready, ClientError);
  fake.latest().open();
  assert.deepEqual(fake.latest().sent, []);
  await client.close();
});

test("unsubscribing while reconnecting drops the queued renewal quietly", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const seen = record(client);
  const sub = client.subscribe("questions", { action: "create" }, () => undefined);
  const other = client.subscribe("questions", { action: "delete" }, () => undefined);
  fake.latest().open();
  const [first, second] = fake.latest().frames();
  fake.latest().reply(first!, 201, {});
  fake.latest().reply(second!, 201, {});
  await Promise.all([sub.ready, other.ready]);
  fake.latest().drop();
  retry.release();
  await flush();
  fake.latest().open(); // both renewals go out, then the socket drops before their acks
  fake.latest().drop();
  await sub.unsubscribe(); // its renewal is queued again: dropped, not sent, no error
  retry.release();
  await flush();
  fake.latest().open();
  assert.deepEqual(fake.latest().frames(), [second]);
  assert.deepEqual(
    seen.filter(([name]) => name === "error"),
    [],
  );
  await client.close();
});

test("a renewal resumes with since, drops events seen already and reports gaps", async () => {
  const fake = fakeWebSocket();
  const retry = manualRetry();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, retryWait: retry.wait });
  const gaps: unknown[] = [];
  client.on("gap", (info) => gaps.push(info));
  const seqs: unknown[] = [];
  const sub = client.subscribe("questions", { action: "create" }, (event) =>
    seqs.push((event as { seq: number }).seq),
  );
  fake.latest().open();
  const subscribe = fake.latest().last();
  const ack = { request_id: 1, action: ["create"], pk: null, filter: {} };
  fake
    .latest()
    .reply(subscribe, 201, { ...ack, epoch: "e1", seq: 4, recovered: null, reason: null });
  await sub.ready;
  const event = (seq: number, prev: number | null, epoch = "e1"): unknown => ({
    type: "event",
    stream: "questions",
    payload: {
      action: "create",
      pk: seq,
      data: {},
      model: "polls.question",
      request_id: 1,
      epoch,
      seq,
      prev,
    },
  });
  fake.latest().receive(event(5, 4));
  fake.latest().receive(event(5, 4)); // seen already: dropped
  fake.latest().drop(1012, "restart");
  retry.release();
  await flush();
  const socket = fake.latest();
  socket.open();
  const renewal = socket.last() as { payload: { data: unknown } };
  assert.deepEqual(renewal.payload.data, { action: "create", since: { epoch: "e1", seq: 5 } });
  socket.reply(renewal as never, 201, {
    ...ack,
    epoch: "e1",
    seq: 5,
    recovered: true,
    reason: null,
  });
  socket.receive(event(7, 6)); // 6 never came: held back, the client resumes after 5
  const resume = socket.last() as { payload: { data: unknown } };
  assert.deepEqual(resume.payload.data, { action: "create", since: { epoch: "e1", seq: 5 } });
  socket.receive(event(8, 7)); // still waiting for the replay: held back too
  socket.reply(resume as never, 201, { ...ack, epoch: "e1", seq: 5, recovered: true });
  for (const seq of [6, 7, 8]) socket.receive(event(seq, seq - 1)); // the replay
  assert.deepEqual(gaps, []);
  socket.receive(event(1, null, "e2")); // the server lost its history
  assert.deepEqual(seqs, [5, 6, 7, 8, 1]);
  assert.deepEqual(gaps, [{ stream: "questions", requestId: 1, reason: "missed_events" }]);
  socket.drop(1012, "restart");
  retry.release();
  await flush();
  fake.latest().open();
  const again = fake.latest().last() as { payload: { data: unknown } };
  assert.deepEqual(again.payload.data, { action: "create", since: { epoch: "e2", seq: 1 } });
  fake.latest().reply(again as never, 201, {
    ...ack,
    epoch: "e3",
    seq: 0,
    recovered: false,
    reason: "epoch_changed",
  });
  assert.deepEqual(gaps.at(-1), { stream: "questions", requestId: 1, reason: "epoch_changed" });
  await client.close();
});
