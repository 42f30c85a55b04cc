/** Requests: lazy connection, queueing, matching by request_id, errors, timeouts, stray frames. */

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createClient,
  RequestTimeoutError,
  TypedwsError,
  type ConnectionEvents,
} from "../src/index.js";
import { fakeWebSocket, flush } from "./fake.js";

const URL = "ws://api.test/ws/";

test("nothing connects until the first request, which opens the socket", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  assert.equal(fake.sockets.length, 0);
  assert.equal(client.state, "idle");
  const reply = client.request("questions", "list");
  assert.equal(fake.sockets.length, 1);
  assert.equal(fake.latest().url, URL);
  assert.equal(client.state, "connecting");
  fake.latest().open();
  fake.latest().reply(fake.latest().last(), 200, { results: [] });
  assert.deepEqual(await reply, { results: [] });
  assert.equal(client.state, "open");
});

test("requests made while connecting are queued and sent in order once open", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const first = client.request("questions", "create", { data: { question_text: "a" } });
  const second = client.request("questions", "retrieve", { lookup: ["pk", 7] });
  const socket = fake.latest();
  assert.deepEqual(socket.sent, []);
  assert.equal(fake.sockets.length, 1, "one socket for both");
  socket.open();
  const [create, retrieve] = socket.frames();
  assert.deepEqual(create, {
    stream: "questions",
    payload: { action: "create", request_id: 1, data: { question_text: "a" } },
  });
  assert.deepEqual(retrieve, {
    stream: "questions",
    payload: { action: "retrieve", request_id: 2, pk: 7 },
  });
  socket.reply(create!, 201, { id: 1 });
  socket.reply(retrieve!, 200, { id: 7 });
  assert.deepEqual(await Promise.all([first, second]), [{ id: 1 }, { id: 7 }]);
});

test("replies are matched by request_id, whatever their order", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const calls = [1, 2, 3].map((pk) =>
    client.request("questions", "retrieve", { lookup: ["pk", pk] }),
  );
  const socket = fake.latest();
  socket.open();
  const frames = socket.frames();
  const ids = frames.map((frame) => (frame["payload"] as { request_id: unknown }).request_id);
  assert.equal(new Set(ids).size, 3, "each request has its own id");
  for (const frame of [...frames].reverse()) {
    socket.reply(frame, 200, { pk: (frame["payload"] as { pk: number }).pk });
  }
  assert.deepEqual(await Promise.all(calls), [{ pk: 1 }, { pk: 2 }, { pk: 3 }]);
});

test("a custom generateRequestId names the requests", async () => {
  const fake = fakeWebSocket();
  let n = 0;
  const client = createClient({
    url: URL,
    webSocketImpl: fake.impl,
    generateRequestId: () => `req-${++n}`,
  });
  const reply = client.request("questions", "list");
  fake.latest().open();
  assert.equal((fake.latest().last()["payload"] as { request_id: string }).request_id, "req-1");
  fake.latest().reply(fake.latest().last(), 200, []);
  await reply;
});

test("a non-2xx reply rejects with a TypedwsError carrying the status and the errors", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const reply = client.request("questions", "create", { data: { question_text: "" } });
  const socket = fake.latest();
  socket.open();
  const errors = [
    {
      code: "blank",
      message: "This field may not be blank.",
      path: ["payload", "data", "question_text"],
    },
  ];
  socket.reply(socket.last(), 400, null, errors);
  const error = await reply.then(
    () => assert.fail("resolved"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof TypedwsError);
  assert.equal(error.responseStatus, 400);
  assert.deepEqual(error.errors, errors);
  assert.deepEqual([error.stream, error.action, error.requestId], ["questions", "create", 1]);
  assert.match(error.message, /questions\.create failed with 400: blank/);
});

test("a 204 resolves with null", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const reply = client.request("questions", "delete", { lookup: ["pk", 1] });
  fake.latest().open();
  fake.latest().reply(fake.latest().last(), 204, null);
  assert.equal(await reply, null);
});

test("a request times out after the client's timeoutMs, or the call's own", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, timeoutMs: 1000 });
  const byDefault = client.request("questions", "list");
  const overridden = client.request("questions", "list", {}, { timeoutMs: 5000 });
  const socket = fake.latest();
  socket.open();
  const [first, second] = socket.frames();
  t.mock.timers.tick(999);
  await flush();
  t.mock.timers.tick(1);
  await assert.rejects(
    byDefault,
    (error: unknown) => error instanceof RequestTimeoutError && error.timeoutMs === 1000,
  );
  // A reply after the timeout is ignored: the promise already rejected, nothing throws.
  socket.reply(first!, 200, "late");
  t.mock.timers.tick(3999);
  socket.reply(second!, 200, "in time");
  assert.equal(await overridden, "in time");
});

test("a queued request times out too, and is then never sent", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl, timeoutMs: 100 });
  const reply = client.request("questions", "list");
  t.mock.timers.tick(100);
  await assert.rejects(reply, RequestTimeoutError);
  fake.latest().open();
  assert.deepEqual(fake.latest().sent, []);
});

test("frames for unknown ids, unknown streams or of unknown kinds are ignored", async () => {
  const fake = fakeWebSocket();
  const client = createClient({ url: URL, webSocketImpl: fake.impl });
  const errors: ConnectionEvents["error"][] = [];
  client.on("error", (info) => errors.push(info));
  const events: unknown[] = [];
  const sub = client.subscribe("questions", { action: "update" }, (event) => events.push(event));
  const reply = client.request("questions", "list");
  const socket = fake.latest();
  socket.open();
  const [subscribe, list] = socket.frames();
  socket.reply(subscribe!, 201, { request_id: 1 });
  await sub.ready;
  socket.receive({
    type: "reply",
    stream: "questions",
    payload: { action: "list", request_id: 999, response_status: 200, data: 1, errors: [] },
  });
  socket.receive({
    type: "event",
    stream: "questions",
    payload: { action: "update", pk: 1, data: {}, model: "m", request_id: 999 },
  });
  socket.receive({
    type: "event",
    stream: "choices",
    payload: { action: "update", pk: 1, data: {}, model: "m", request_id: 1 },
  });
  socket.receive({ type: "heartbeat", stream: "questions", payload: { request_id: 2 } });
  socket.receive({ type: "reply", stream: "questions", payload: { request_id: 2 } });
  socket.receive({
    stream: "questions",
    payload: { action: "list", request_id: 2, response_status: 200, data: 1, errors: [] },
  });
  socket.onmessage?.({ data: new ArrayBuffer(4) });
  assert.deepEqual(events, []);
  assert.equal(errors.length, 0, "unknown but well-formed frames are not errors");
  socket.receive("{not json");
  assert.equal(errors.length, 1);
  assert.ok(errors[0]!.error instanceof SyntaxError);
  socket.reply(list!, 200, "the real reply");
  assert.equal(await reply, "the real reply");
});

test("without a global WebSocket and no webSocketImpl, createClient says what to pass", () => {
  const global = globalThis as { WebSocket?: unknown };
  const saved = global.WebSocket;
  delete global.WebSocket;
  try {
    assert.throws(() => createClient({ url: URL }), /pass `webSocketImpl`/);
  } finally {
    if (saved !== undefined) global.WebSocket = saved;
  }
});

test("the global WebSocket is the default implementation", async () => {
  const fake = fakeWebSocket();
  const global = globalThis as { WebSocket?: unknown };
  const saved = global.WebSocket;
  global.WebSocket = fake.impl;
  try {
    const client = createClient({ url: URL });
    const reply = client.request("questions", "list");
    fake.latest().open();
    fake.latest().reply(fake.latest().last(), 200, "via the global");
    assert.equal(await reply, "via the global");
  } finally {
    global.WebSocket = saved;
  }
});

test("protocol.ts names the vocabulary of typedws/protocol.py", async () => {
  const protocol = await import("../src/protocol.js");
  assert.deepEqual(
    [
      protocol.TYPE,
      protocol.STREAM,
      protocol.PAYLOAD,
      protocol.ACTION,
      protocol.REQUEST_ID,
      protocol.DATA,
    ],
    ["type", "stream", "payload", "action", "request_id", "data"],
  );
  assert.deepEqual(
    [
      protocol.RESPONSE_STATUS,
      protocol.ERRORS,
      protocol.REPLY,
      protocol.EVENT,
      protocol.PK,
      protocol.MODEL,
    ],
    ["response_status", "errors", "reply", "event", "pk", "model"],
  );
  assert.deepEqual(protocol.EVENT_ACTIONS, ["create", "update", "delete"]);
  assert.deepEqual(
    protocol.STANDARD_ACTIONS.filter((action) => action.detail).map((action) => action.name),
    ["retrieve", "update", "patch", "delete", "subscribe_instance", "unsubscribe_instance"],
  );
  assert.equal(protocol.ErrorCode.UNKNOWN_STREAM, "unknown_stream");
  const frames = await import("../src/frames.js");
  assert.deepEqual(
    [frames.isSuccess(204), frames.isSuccess(302), frames.isSuccess(400)],
    [true, false, false],
  );
});
