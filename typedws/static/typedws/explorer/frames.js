/**
 * One request frame's text checked as the server checks it, before it is sent.
 *
 * The mirror of `typedws/frames.py`: size, JSON, envelope, stream, action, then the action's
 * request schema (`validation.js`). The verdict carries the status the server would reply with
 * (400, 404, 405, 413), the errors and what the reply would echo.
 *
 * ```js
 * checkFrame('{"stream": "questions", "payload": {"action": "nope"}}', contract)
 * // {ok: false, status: 405, errors: [{code: "action_not_allowed", ...}], echo: {...}}
 * ```
 *
 * Known differences: a `request_id` written `1.0` is echoed as `1` (the server echoes it as
 * written, the same number once parsed); errors about several unknown keys that look like
 * array indexes (`"0"`, `"1"`) come in ascending order, not text order (both are what a browser
 * cannot see after `JSON.parse`); and every error is listed, where the server's reply keeps the
 * first `TYPEDWS["MAX_ERRORS"]` and says how many it left out.
 *
 * @module frames
 */

import { findOperation } from "./contract.js";
import { errorItem, isObject, jsonType, REF_PREFIX, validate } from "./validation.js";

/** Nesting the server's JSON parser accepts: values inside at most this many containers. */
export const MAX_DEPTH = 200;

const REQUIRED = "This field is required.";
const NOT_FINITE = "Numbers must be finite; this one is too large for a double-precision float.";

/**
 * @typedef {object} Verdict
 * @property {boolean} ok
 * @property {number|null} status the server's reply status when not `ok`
 * @property {import("./validation.js").ErrorItem[]} errors
 * @property {{stream: string|null, action: string|null, request_id: string|number|null}} echo
 * @property {unknown} frame the parsed frame, when it could be parsed
 */

/**
 * Check one text frame against the contract.
 * @param {string} text exactly what would be sent
 * @param {import("./contract.js").Contract} contract
 * @param {{maxFrameBytes?: number}} [options] the server's `TYPEDWS["MAX_FRAME_BYTES"]`
 * @returns {Verdict}
 */
export function checkFrame(text, contract, { maxFrameBytes = Infinity } = {}) {
  const sent = text.toWellFormed(); // what a WebSocket sends of a lone surrogate
  if (new TextEncoder().encode(sent).length > maxFrameBytes) {
    const message = `Frames are limited to ${maxFrameBytes} bytes.`;
    return fail(413, [errorItem("frame_too_large", message, [])]);
  }
  const frame = parse(sent);
  if (frame instanceof Error) {
    return fail(400, [errorItem("parse_error", `Invalid JSON: ${frame.message}`, [])]);
  }
  // JSON has no infinities, but `JSON.parse` reads 1e999 as one: the server refuses each.
  const infinite = nonFinitePaths(frame, [], []);
  if (infinite.length) {
    const echo = isObject(frame) ? echoOf(frame.stream, frame.payload) : undefined;
    const errors = infinite.map((path) => errorItem("parse_error", NOT_FINITE, path));
    return fail(400, errors, echo, frame);
  }
  if (!isObject(frame)) {
    const message = `A frame must be a JSON object, not ${jsonType(frame)}.`;
    return fail(400, [errorItem("invalid", message, [])], undefined, frame);
  }
  return route(frame, contract);
}

function route(frame, contract) {
  const { stream, payload } = frame;
  const echo = echoOf(stream, payload);
  const envelope = envelopeErrors(stream, payload);
  if (envelope.length) return fail(400, envelope, echo, frame);
  if (!contract.routes.has(stream)) {
    const error = errorItem("unknown_stream", `Unknown stream '${stream}'.`, ["stream"]);
    return fail(404, [error], echo, frame);
  }
  const action = payload.action;
  const path = ["payload", "action"];
  if (action === undefined || action === null) {
    return fail(400, [errorItem("required", REQUIRED, path)], echo, frame);
  }
  if (typeof action !== "string") {
    return fail(400, [typeError("a string", action, path)], echo, frame);
  }
  const operation = findOperation(contract, stream, action);
  if (operation === undefined) {
    const allowed = [...contract.routes.get(stream).keys()].join(", ");
    const message = `Action '${action}' is not allowed on stream '${stream}'; allowed: ${allowed}.`;
    return fail(405, [errorItem("action_not_allowed", message, path)], echo, frame);
  }
  const schema = { $ref: `${REF_PREFIX}${operation.request}` };
  const errors = validate(schema, frame, contract.schemas);
  if (errors.length) return fail(400, errors, echo, frame);
  return { ok: true, status: null, errors: [], echo, frame };
}

/** JSON as the server reads it: also refused are deep nesting and lone surrogate escapes. */
function parse(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return error;
  }
  if (tooDeep(value, 0)) return new Error(`nesting deeper than ${MAX_DEPTH} levels`);
  if (!wellFormed(value)) return new Error("lone surrogate in a string escape");
  return value;
}

function tooDeep(value, depth) {
  if (typeof value !== "object" || value === null) return false;
  const children = Object.values(value);
  if (children.length && depth + 1 > MAX_DEPTH) return true;
  return children.some((child) => tooDeep(child, depth + 1));
}

function nonFinitePaths(value, path, found) {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) found.push([...path]);
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => nonFinitePaths(item, [...path, index], found));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) nonFinitePaths(item, [...path, key], found);
  }
  return found;
}

function wellFormed(value) {
  if (typeof value === "string") return value.isWellFormed();
  if (typeof value !== "object" || value === null) return true;
  return Object.entries(value).every(([key, item]) => key.isWellFormed() && wellFormed(item));
}

function envelopeErrors(stream, payload) {
  const errors = [];
  if (stream === undefined || stream === null) {
    errors.push(errorItem("required", REQUIRED, ["stream"]));
  } else if (typeof stream !== "string") {
    errors.push(typeError("a string", stream, ["stream"]));
  }
  if (payload === undefined || payload === null) {
    errors.push(errorItem("required", REQUIRED, ["payload"]));
  } else if (!isObject(payload)) {
    errors.push(typeError("an object", payload, ["payload"]));
  }
  return errors;
}

/** What the server's reply to a rejected frame echoes of it. */
function echoOf(stream, payload) {
  const echo = { stream: typeof stream === "string" ? stream : null, action: null,
    request_id: null };
  if (isObject(payload)) {
    const { action, request_id: requestId } = payload;
    echo.action = typeof action === "string" ? action : null;
    echo.request_id = typeof requestId === "string" || Number.isInteger(requestId)
      ? requestId : null;
  }
  return echo;
}

function typeError(expected, value, path) {
  return errorItem("invalid", `Expected ${expected}, got ${jsonType(value)}.`, path);
}

function fail(status, errors, echo = { stream: null, action: null, request_id: null }, frame) {
  return { ok: false, status, errors, echo, frame };
}
