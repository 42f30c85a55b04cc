/**
 * Wire protocol v1: the vocabulary `docs/protocol.md` defines, mirroring `typedws/protocol.py`
 * name for name, plus the two things a client does with it: build a request frame and read a
 * server frame.
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

// Top-level keys of a frame.
export const TYPE = "type";
export const STREAM = "stream";
export const PAYLOAD = "payload";

// Keys of a request payload.
export const ACTION = "action";
export const REQUEST_ID = "request_id";
export const DATA = "data";

// Keys a reply payload always carries.
export const RESPONSE_STATUS = "response_status";
export const ERRORS = "errors";

// The literal discriminator of server-to-client frames.
export const REPLY = "reply";
export const EVENT = "event";

// Keys of an event payload (besides `action`, `data` and `request_id`).
export const PK = "pk";
export const MODEL = "model";

// Keys of an event's position, which every event payload ends with.
export const EPOCH = "epoch";
export const SEQ = "seq";
export const PREV = "prev";

// Keys of a `subscribe`'s data (besides `action` and `pk`).
export const FILTER = "filter";
export const SINCE = "since";

// Keys a subscription's acknowledgement adds (besides epoch and seq).
export const RECOVERED = "recovered";
export const REASON = "reason";

/** The actions an event reports. */
export const EVENT_ACTIONS = ["create", "update", "delete"] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

// Keys of `list`'s data the paginator reads.
export const PAGE = "page";
export const PAGE_SIZE = "page_size";

// The subscription actions the client sends itself.
export const SUBSCRIBE = "subscribe";
export const UNSUBSCRIBE = "unsubscribe";

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

/** The codes typedws itself emits; DRF's own codes (`required`, `max_length`...) pass through. */
export const ErrorCode = {
  PARSE_ERROR: "parse_error",
  INVALID: "invalid",
  REQUIRED: "required",
  UNKNOWN_FIELD: "unknown_field",
  UNKNOWN_STREAM: "unknown_stream",
  ACTION_NOT_ALLOWED: "action_not_allowed",
  BINARY_FRAME: "binary_frame",
  FRAME_TOO_LARGE: "frame_too_large",
  SERVER_ERROR: "server_error",
  TOO_MANY_SUBSCRIPTIONS: "too_many_subscriptions",
} as const;

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

/**
 * A built-in action: its wire name, the DRF viewset method serving it, whether it targets one
 * object, and the HTTP method DRF permissions see.
 */
export interface StandardAction {
  readonly name: string;
  readonly methodName: string;
  readonly detail: boolean;
  readonly httpMethod: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
}

export const STANDARD_ACTIONS: readonly StandardAction[] = [
  { name: "create", methodName: "create", detail: false, httpMethod: "POST" },
  { name: "retrieve", methodName: "retrieve", detail: true, httpMethod: "GET" },
  { name: "update", methodName: "update", detail: true, httpMethod: "PUT" },
  { name: "patch", methodName: "partial_update", detail: true, httpMethod: "PATCH" },
  { name: "list", methodName: "list", detail: false, httpMethod: "GET" },
  { name: "delete", methodName: "destroy", detail: true, httpMethod: "DELETE" },
  { name: "subscribe", methodName: "subscribe", detail: false, httpMethod: "GET" },
  { name: "unsubscribe", methodName: "unsubscribe", detail: false, httpMethod: "GET" },
  { name: "subscribe_instance", methodName: "subscribe_instance", detail: true, httpMethod: "GET" },
  {
    name: "unsubscribe_instance",
    methodName: "unsubscribe_instance",
    detail: true,
    httpMethod: "GET",
  },
];

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
