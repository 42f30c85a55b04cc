/**
 * The frame log's model: every frame sent and received, replies paired with their requests by
 * `request_id`, events with the subscription that asked for them. No DOM here (`log-view.js`
 * draws it), so the pairing rules are plain functions of the frames.
 *
 * Pairing: a reply belongs to the oldest request still waiting with the same `request_id`
 * (string `"1"` and number `1` differ, as on the wire); an event (`type: "event"`) belongs to
 * the latest request sent with its `request_id`, the subscribe.
 *
 * Positions (docs/protocol.md, "Positions and resuming"): each event shows its `seq`; the
 * subscribe remembers the last position its subscription reached (its acknowledgement's, then
 * each event's), and an event whose `prev` is not that seq (or is null, or from a new epoch)
 * is marked as a gap, as is an acknowledgement saying `recovered: false`.
 *
 * @module log
 */

/**
 * @typedef {object} Entry
 * @property {number} id 1, 2, ... in arrival order
 * @property {number} time `Date.now()` when logged
 * @property {"out"|"in"|"note"} direction
 * @property {"request"|"reply"|"event"|"frame"|"note"} kind `frame`: unreadable or unknown
 * @property {string} text the frame exactly as sent or received, or the note
 * @property {unknown} frame the parsed frame, `undefined` when it is not JSON
 * @property {string|null} stream
 * @property {string|null} action
 * @property {unknown} requestId
 * @property {number|null} status a reply's `response_status`; a request's, once answered
 * @property {{code: string, message: string, path: (string|number)[]}[]} errors
 * @property {number|null} pairedWith the request of a reply or event; the reply of a request
 * @property {number|null} latency milliseconds from a request to its reply
 * @property {number} events events received for a request (a subscribe)
 * @property {number|null} seq an event's `seq`
 * @property {string|null} gap why events were missed before this event or acknowledgement
 * @property {{epoch: string, seq: number}|null} position a subscribe's last position
 * @property {"info"|"error"} level for notes
 */

/** @typedef {{type: "add"|"update", entry: Entry} | {type: "clear"}} Change */

export class FrameLog {
  constructor() {
    /** @type {Entry[]} */
    this.entries = [];
    /** @type {Map<string, Entry[]>} requests waiting for a reply, by request_id */
    this.waiting = new Map();
    /** @type {Map<string, Entry>} the latest request sent with each request_id */
    this.latest = new Map();
    /** @type {Set<(change: Change) => void>} */
    this.listeners = new Set();
    this.nextId = 1;
  }

  /** Call `listener` on every change; returns the unsubscribe function. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Log a frame sent.
   * @param {string} text
   * @returns {Entry}
   */
  sent(text) {
    const entry = this.add("out", "request", text);
    const key = keyOf(entry.requestId);
    if (!this.waiting.has(key)) this.waiting.set(key, []);
    this.waiting.get(key).push(entry);
    this.latest.set(key, entry);
    this.emit({ type: "add", entry });
    return entry;
  }

  /**
   * Log a frame received, paired with its request where one can be found.
   * @param {string} text
   * @returns {Entry}
   */
  received(text) {
    const entry = this.add("in", "frame", text);
    const frame = entry.frame;
    if (isReply(frame)) {
      entry.kind = "reply";
      entry.status = frame.payload.response_status;
      entry.errors = Array.isArray(frame.payload.errors) ? frame.payload.errors : [];
      this.pairReply(entry);
    } else if (isEvent(frame)) {
      entry.kind = "event";
      this.pairEvent(entry);
    }
    this.emit({ type: "add", entry });
    return entry;
  }

  /**
   * Log a note of the explorer's own (connected, closed, not sent).
   * @param {string} text
   * @param {"info"|"error"} [level]
   */
  note(text, level = "info") {
    const entry = this.add("note", "note", text);
    entry.level = level;
    this.emit({ type: "add", entry });
    return entry;
  }

  /** Forget every entry and every request still waiting. */
  clear() {
    this.entries = [];
    this.waiting.clear();
    this.latest.clear();
    this.emit({ type: "clear" });
  }

  /** @param {number} id */
  get(id) {
    return this.entries.find((entry) => entry.id === id);
  }

  add(direction, kind, text) {
    const frame = direction === "note" ? undefined : parseOrUndefined(text);
    const payload = isObject(frame) && isObject(frame.payload) ? frame.payload : {};
    const entry = {
      id: this.nextId++,
      time: Date.now(),
      direction,
      kind,
      text,
      frame,
      stream: isObject(frame) && typeof frame.stream === "string" ? frame.stream : null,
      action: typeof payload.action === "string" ? payload.action : null,
      requestId: payload.request_id ?? null,
      status: null,
      errors: [],
      pairedWith: null,
      latency: null,
      events: 0,
      seq: typeof payload.seq === "number" ? payload.seq : null,
      gap: null,
      position: null,
      level: "info",
    };
    this.entries.push(entry);
    return entry;
  }

  pairReply(reply) {
    const queue = this.waiting.get(keyOf(reply.requestId));
    const request = queue?.shift();
    if (!request) return;
    reply.pairedWith = request.id;
    request.pairedWith = reply.id;
    request.status = reply.status;
    request.latency = reply.time - request.time;
    const ack = reply.frame.payload.data;
    if (isObject(ack) && typeof ack.epoch === "string" && typeof ack.seq === "number") {
      request.position = { epoch: ack.epoch, seq: ack.seq };
      if (ack.recovered === false) reply.gap = ack.reason ?? "not recovered";
    }
    this.emit({ type: "update", entry: request });
  }

  pairEvent(event) {
    const request = this.latest.get(keyOf(event.requestId));
    if (!request) return;
    event.pairedWith = request.id;
    request.events += 1;
    event.gap = gapBefore(request.position, event.frame.payload);
    if (event.seq !== null && typeof event.frame.payload.epoch === "string") {
      request.position = { epoch: event.frame.payload.epoch, seq: event.seq };
    }
    this.emit({ type: "update", entry: request });
  }

  emit(change) {
    for (const listener of this.listeners) listener(change);
  }
}

/**
 * Why events were missed before `payload`, an event of a subscription last at `position`, or
 * null when it follows on (or carries no position).
 */
export function gapBefore(position, payload) {
  if (position === null || typeof payload.seq !== "number") return null;
  if (payload.epoch !== position.epoch) return "new epoch";
  if (payload.prev === null) return "events lost";
  if (payload.prev !== position.seq) return `missed after seq ${position.seq}`;
  return null;
}

/** The pairing key of a request_id: JSON keeps `"1"` and `1` apart. */
export function keyOf(requestId) {
  return JSON.stringify(requestId ?? null);
}

/** A reply frame: `type: "reply"`, or (older peers) a payload with `response_status`. */
export function isReply(frame) {
  if (!isObject(frame) || !isObject(frame.payload)) return false;
  return frame.type === "reply" || (frame.type === undefined && "response_status" in frame.payload);
}

/** A subscription event frame: `type: "event"`. */
export function isEvent(frame) {
  return isObject(frame) && frame.type === "event" && isObject(frame.payload);
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseOrUndefined(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
