'use strict';
/**
 * Drives the unmodified npm package dcrf-client@0.3.0 (djangochannelsrestframework's JavaScript
 * client, multiplexed mode) against a live typedws server, and prints one JSON summary line.
 *
 *     node tests/dcrf_client/check.cjs ws://127.0.0.1:8000/ws/
 *
 * Exit status: 0 when every step behaved as dcrf-client users expect, 1 on the first step that
 * did not, 2 on timeout. `tests/e2e/test_dcrf_client.py` runs it and asserts on the summary.
 */

const WebSocket = require('ws');
const dcrf = require('dcrf-client').default;

const TIMEOUT_MS = Number(process.env.DCRF_CHECK_TIMEOUT_MS || 20000);
const STREAM = 'questions';

const summary = { ok: false, url: null, origin: null, steps: {} };

function finish(code, extra) {
  const text = JSON.stringify({ ...summary, ...extra });
  process.stdout.write(`${text}\n`, () => process.exit(code));
}

function originOf(url) {
  const parsed = new URL(url);
  return `${parsed.protocol === 'wss:' ? 'https:' : 'http:'}//${parsed.host}`;
}

/**
 * dcrf-client hands `options.websocket` to reconnecting-websocket, which builds its socket with
 * `new WebSocket(url, protocols)` only. Channels' AllowedHostsOriginValidator refuses a
 * handshake without an Origin header (a browser always sends one; `ws` sends none by default),
 * so the class it is given sets the Origin a page served by the same host would send.
 */
function webSocketWithOrigin(origin) {
  return class OriginWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { origin });
    }
  };
}

/**
 * Collects what a `subscribe(stream, pk, callback)` callback receives; `until(n)` resolves
 * once n events arrived (the script's own timeout bounds the wait).
 */
function recorder() {
  const events = [];
  let waiting = null;
  return {
    events,
    callback(data, action) {
      events.push({ action, data });
      if (waiting && events.length >= waiting.count) waiting.resolve(events);
    },
    until(count) {
      if (events.length >= count) return Promise.resolve(events);
      return new Promise((resolve) => {
        waiting = { count, resolve };
      });
    },
  };
}

function connect(url, origin, options = {}) {
  const client = dcrf.connect(url, {
    ...options,
    websocket: { WebSocket: webSocketWithOrigin(origin), maxRetries: 0, connectionTimeout: 5000 },
  });
  // A refused or failed handshake would only leave every request queued: fail at once instead.
  client.transport.socket.addEventListener('error', (event) => {
    finish(1, { error: `WebSocket error: ${event.message || event.error || event.type}` });
  });
  return client;
}

/** The value a promise rejects with; throws if it resolves instead. */
async function rejection(promise) {
  let value;
  try {
    value = await promise;
  } catch (payload) {
    return payload;
  }
  throw new Error(`expected a rejection, got a resolution with ${JSON.stringify(value)}`);
}

async function step(name, run) {
  summary.current = name;
  summary.steps[name] = await run();
  delete summary.current;
  return summary.steps[name];
}

async function main(url) {
  const origin = originOf(url);
  summary.url = url;
  summary.origin = origin;
  const client = connect(url, origin);
  // A second client configured as DRF ModelSerializers need it: the pk is `data.id`.
  const byId = connect(url, origin, { pkField: 'id' });

  const marker = `dcrf-${process.pid}-${Date.now()}`;
  const created = await step('create', () =>
    client.create(STREAM, { question_text: `${marker} created` }, `create-${marker}`),
  );
  const pk = created.id;
  // subscribe(stream, pk, callback), unmodified: the pk as a number, as a string, and with
  // pkField 'id'. Each resolves with the acknowledgement; events reach the callbacks.
  const asNumber = recorder();
  const asString = recorder();
  const withIdField = recorder();
  await step('subscribe', () => client.subscribe(STREAM, pk, asNumber.callback));
  await step('subscribe_string_pk', () =>
    client.subscribe(STREAM, String(pk), asString.callback),
  );
  await step('subscribe_pk_field_id', () => byId.subscribe(STREAM, pk, withIdField.callback));
  await step('retrieve', () => client.retrieve(STREAM, pk));
  await step('update', () => client.update(STREAM, pk, { question_text: `${marker} updated` }));
  await step('patch', () => client.patch(STREAM, pk, { question_text: `${marker} patched` }));
  await step('list', () => client.list(STREAM, { search: marker, page_size: 10 }));
  await step('echo', () =>
    client.request(STREAM, { action: 'echo', pk, data: { from: 'dcrf-client' } }),
  );
  // Several requests in flight at once: each promise must get its own reply.
  await step('parallel_retrieve', () =>
    Promise.all([pk, pk, pk].map((id) => client.retrieve(STREAM, id))),
  );
  await step('invalid_create', () =>
    rejection(client.create(STREAM, { question_text: 'x'.repeat(201) })),
  );
  await step('unknown_stream', () => rejection(client.list('no-such-stream')));
  await step('delete', () => client.delete(STREAM, pk));
  await step('retrieve_after_delete', () => rejection(client.retrieve(STREAM, pk)));
  await step('list_after_delete', () => client.list(STREAM, { search: marker }));
  // update, patch (both "update" for dcrf-client), then delete.
  await step('subscription_events', () => asNumber.until(3));
  await step('subscription_events_string_pk', () => asString.until(3));
  await step('subscription_events_pk_field_id', () => withIdField.until(3));
  // One more round trip on each socket: a duplicate event would have arrived before its reply.
  await Promise.all([client.list(STREAM, { page_size: 1 }), byId.list(STREAM, { page_size: 1 })]);
  byId.close();

  summary.ok = true;
  client.close();
}

const timer = setTimeout(
  () => finish(2, { error: `timed out after ${TIMEOUT_MS} ms` }),
  TIMEOUT_MS,
);

const url = process.argv[2];
if (!url) {
  finish(1, { error: 'usage: node check.cjs ws://HOST:PORT/PATH/' });
} else {
  main(url).then(
    () => {
      clearTimeout(timer);
      finish(0, {});
    },
    (error) => {
      clearTimeout(timer);
      const detail = error instanceof Error ? error.message : error;
      finish(1, { error: detail });
    },
  );
}
