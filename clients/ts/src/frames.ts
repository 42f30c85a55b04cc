/**
 * Frames: building a request and reading a server frame, with the types of their payloads.
 * The names they use come from `protocol.ts`, generated from the server's
 * `typedws/protocol.py` by `make protocol`.
 *
 * A request (client to server):
 * ```json
 * {"stream": "questions",
 *  "payload": {"action": "create", "request_id": "r1", "data": {"question_text": "?"}}}
 * ```
 * its reply, and after a `subscribe` an event (server to client), told apart by `type`:
 * ```json
 * {"type": "reply", "stream": "questions",
 *  "payload": {"action": "create", "request_id": "r1", "response_status": 201,
 *              "data": {"id": 1, "question_text": "?"}, "errors": []}}
 * {"type": "event", "stream": "questions",
 *  "payload": {"action": "update", "pk": 1, "data": {"id": 1, "question_text": "?"},
 *              "model": "polls.question", "request_id": "s1"}}
 * ```
 *
 * @module
 */

import {
  ACTION,
  DATA,
  ERRORS,
  EVENT,
  EVENT_ACTIONS,
  PAYLOAD,
  REPLY,
  REQUEST_ID,
  RESPONSE_STATUS,
  STREAM,
  TYPE,
} from "./protocol.js";

export type EventAction = (typeof EVENT_ACTIONS)[number];

/** A request's id: chosen by the client, echoed verbatim by the server. */
export type RequestId = string | number;
/** The value of a detail action's lookup key (`pk`, or the binding's `lookup_field`). */
export type Lookup = string | number;
/** An absolute location in a frame: object keys and array indexes. */
export type Path = (string | number)[];

/** One problem: a stable code, a human message and an absolute path from the frame root. */
export interface ErrorItem {
  code: string;
  message: string;
  path: Path;
}

/** The statuses of `docs/protocol.md`, as DRF and djangochannelsrestframework use them. */
export const Status = {
  OK: 200,
  CREATED: 201,
  NO_CONTENT: 204,
  BAD_REQUEST: 400,
  NOT_AUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  FRAME_TOO_LARGE: 413,
  THROTTLED: 429,
  SERVER_ERROR: 500,
} as const;

/** A request succeeded iff its reply's status is 2xx. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export interface RequestPayload {
  action: string;
  request_id?: RequestId | null;
  data?: unknown;
  /** The lookup key of a detail action (`pk`, `slug`...). */
  [lookup: string]: unknown;
}

export interface RequestFrame {
  stream: string;
  payload: RequestPayload;
}

/** What goes in a request besides its stream and action; an absent member is left out. */
export interface RequestParts {
  requestId?: RequestId | null;
  /** `[key, value]` of a detail action, e.g. `["pk", 1]` or `["slug", "intro"]`. */
  lookup?: readonly [string, Lookup];
  data?: unknown;
}

/** Build a request frame; keys whose part is absent (or `undefined`) are not sent. */
export function requestFrame(
  stream: string,
  action: string,
  parts: RequestParts = {},
): RequestFrame {
  const payload: RequestPayload = { [ACTION]: action };
  if (parts.requestId !== undefined) payload[REQUEST_ID] = parts.requestId;
  if (parts.lookup !== undefined) payload[parts.lookup[0]] = parts.lookup[1];
  if (parts.data !== undefined) payload[DATA] = parts.data;
  return { [STREAM]: stream, [PAYLOAD]: payload };
}

export interface ReplyPayload {
  action: string | null;
  request_id: RequestId | null;
  response_status: number;
  data: unknown;
  errors: ErrorItem[];
}

export interface ReplyFrame {
  type: typeof REPLY;
  stream: string | null;
  payload: ReplyPayload;
}

export interface EventPayload {
  action: string;
  pk?: Lookup;
  data: unknown;
  model?: string;
  request_id: RequestId | null;
}

export interface EventFrame {
  type: typeof EVENT;
  stream: string;
  payload: EventPayload;
}

export type ServerFrame = ReplyFrame | EventFrame;

/**
 * Read a parsed server frame: a reply or an event, or `null` for anything else (a later
 * protocol's frame kinds are ignored, not errors). Only the keys the client routes on are
 * checked; the rest is the document's business.
 */
export function readServerFrame(frame: unknown): ServerFrame | null {
  if (!isObject(frame) || !isObject(frame[PAYLOAD])) return null;
  const payload = frame[PAYLOAD];
  if (!isRequestId(payload[REQUEST_ID]) && payload[REQUEST_ID] !== null) return null;
  if (frame[TYPE] === REPLY) {
    if (typeof payload[RESPONSE_STATUS] !== "number") return null;
    const errors = Array.isArray(payload[ERRORS]) ? payload[ERRORS] : [];
    return {
      type: REPLY,
      stream: str(frame[STREAM]),
      payload: { ...payload, errors } as ReplyPayload,
    };
  }
  if (frame[TYPE] === EVENT && typeof frame[STREAM] === "string") {
    return { type: EVENT, stream: frame[STREAM], payload: payload as unknown as EventPayload };
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is RequestId {
  return typeof value === "string" || typeof value === "number";
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}
