/**
 * The shared frame corpus (`tests/corpus/frames.json`, also run by pytest against the server):
 * each valid frame is exactly what the client builds for its parts, and each invalid case's
 * expected errors, sent back in a reply, surface unchanged in the TypedwsError.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  ConnectionClosedError,
  createClient,
  requestFrame,
  TypedwsError,
  type Lookup,
  type RequestId,
} from "../src/index.js";
import { fakeWebSocket } from "./fake.js";

interface Case {
  name: string;
  valid: boolean;
  frame?: unknown;
  status?: number;
  errors?: { code: string; path: (string | number)[] }[];
  echo?: { stream: string | null; action: string | null; request_id: RequestId | null };
}

interface Payload {
  action: string;
  request_id?: RequestId | null;
  data?: unknown;
  [key: string]: unknown;
}

const CORPUS = new URL("../../../../tests/corpus/frames.json", import.meta.url);
// The corpus holds one deliberate `NaN` (a frame the server must refuse as not JSON), which
// JSON.parse refuses too; that case only needs its expected errors.
const cases = (
  JSON.parse(readFileSync(CORPUS, "utf8").replace(/: NaN\b/g, ": null")) as { cases: Case[] }
).cases;
const valid = cases.filter((item) => item.valid);
const invalid = cases.filter((item) => !item.valid);

/** A valid frame's parts, as a caller of the client names them. */
function parts(frame: { stream: string; payload: Payload }): {
  action: string;
  requestId?: RequestId | null;
  lookup?: [string, Lookup];
  data?: unknown;
} {
  const { action, request_id: requestId, data, ...rest } = frame.payload;
  const lookups = Object.entries(rest) as [string, Lookup][];
  assert.ok(lookups.length <= 1, "at most one lookup key");
  return {
    action,
    ...("request_id" in frame.payload ? { requestId } : {}),
    ...(lookups[0] === undefined ? {} : { lookup: lookups[0] }),
    ...("data" in frame.payload ? { data } : {}),
  };
}

test("the corpus has valid and invalid cases", () => {
  assert.ok(valid.length >= 10);
  assert.ok(invalid.length >= 20);
});

for (const item of valid) {
  const frame = item.frame as { stream: string; payload: Payload };

  test(`valid corpus frame ${item.name}: requestFrame() builds exactly it`, () => {
    const { action, ...rest } = parts(frame);
    assert.deepEqual(requestFrame(frame.stream, action, rest), frame);
  });

  test(`valid corpus frame ${item.name}: the client sends it, under its own request_id`, async () => {
    const fake = fakeWebSocket();
    const client = createClient({
      url: "ws://api.test/ws/",
      webSocketImpl: fake.impl,
      timeoutMs: Infinity,
    });
    const { action, lookup, data } = parts(frame);
    const reply = client.request(frame.stream, action, { ...(lookup ? { lookup } : {}), data });
    fake.latest().open();
    assert.deepEqual(fake.latest().last(), {
      ...frame,
      payload: { ...frame.payload, request_id: 1 },
    });
    await client.close();
    await assert.rejects(reply, ConnectionClosedError);
  });
}

for (const item of invalid) {
  test(`invalid corpus case ${item.name}: the reply's errors reject as a TypedwsError`, async () => {
    assert.ok(item.errors !== undefined && item.status !== undefined && item.echo !== undefined);
    const fake = fakeWebSocket();
    const client = createClient({ url: "ws://api.test/ws/", webSocketImpl: fake.impl });
    const stream = item.echo.stream ?? "questions";
    const action = item.echo.action ?? "list";
    const reply = client.request(stream, action);
    const socket = fake.latest();
    socket.open();
    const errors = item.errors.map((error) => ({ ...error, message: `${error.code} here` }));
    socket.reply(socket.last(), item.status, null, errors);
    const error = await reply.then(
      () => assert.fail("resolved"),
      (reason: unknown) => reason,
    );
    assert.ok(error instanceof TypedwsError);
    assert.equal(error.responseStatus, item.status);
    assert.deepEqual(error.errors, errors);
    assert.deepEqual(
      error.errors.map(({ code, path }) => ({ code, path })),
      item.errors,
    );
    assert.deepEqual([error.stream, error.action, error.requestId], [stream, action, 1]);
    await client.close();
  });
}
