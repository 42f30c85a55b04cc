// Generated from typedws/protocol.py by `make protocol`. Do not edit: change that file, regenerate.
/**
 * The wire vocabulary of typedws: the server's `typedws/protocol.py`, name for name
 * (`docs/protocol.md` is the normative text). Frames are built and read in `frames.ts`.
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

// Keys a reply payload always carries, in this order.
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

// Keys a subscription's acknowledgement adds to the subscription (besides epoch and seq), and
// the reasons it gives when it could not resume.
export const RECOVERED = "recovered";
export const REASON = "reason";
export const RESUME_FAILURES = ["epoch_changed", "history_trimmed", "invalid_position"] as const;

// Keys of an error item.
export const CODE = "code";
export const MESSAGE = "message";
export const PATH = "path";

// The actions a client sends to follow a stream's changes, and the one that reads a page.
export const SUBSCRIBE = "subscribe";
export const UNSUBSCRIBE = "unsubscribe";
export const LIST = "list";

// The actions an event reports.
export const EVENT_ACTIONS = ["create", "update", "delete"] as const;

// Keys of `list`'s data the paginator reads.
export const PAGE = "page";
export const PAGE_SIZE = "page_size";

// Where the contract's named schemas live: every `$ref` of the document starts with it.
export const SCHEMA_REF_PREFIX = "#/components/schemas/";

/**
 * The codes typedws itself emits; DRF's own codes (`required`, `max_length`, ...) pass
 * through unchanged.
 */
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
  TOO_MANY_ERRORS: "too_many_errors",
  SERVICE_UNAVAILABLE: "service_unavailable",
  LAYER_UNAVAILABLE: "layer_unavailable",
} as const;

/** The WebSocket close codes typedws itself sends (docs/protocol.md, "Close codes"). */
export const CloseCode = {
  SLOW_CONSUMER: 4008,
} as const;

/**
 * A built-in action as the wire knows it: its name, whether it targets one object (the
 * lookup key sits in the payload), the `response_status` of its success, and the one-line
 * summary the contract and the generated clients show.
 */
export interface StandardAction {
  readonly name: string;
  readonly detail: boolean;
  readonly status: number;
  readonly summary: string;
}

export const STANDARD_ACTIONS: readonly StandardAction[] = [
  { name: "create", detail: false, status: 201, summary: "Create an object." },
  { name: "retrieve", detail: true, status: 200, summary: "Read one object." },
  { name: "update", detail: true, status: 200, summary: "Replace one object's writable fields." },
  { name: "patch", detail: true, status: 200, summary: "Change some of one object's fields." },
  {
    name: "list",
    detail: false,
    status: 200,
    summary: "Read a page of objects, filtered and ordered.",
  },
  { name: "delete", detail: true, status: 204, summary: "Delete one object." },
  {
    name: "subscribe",
    detail: false,
    status: 201,
    summary: "Receive an event for each change of the objects you may see.",
  },
  {
    name: "unsubscribe",
    detail: false,
    status: 200,
    summary: "Stop one subscription (by its request_id), or all of this stream's.",
  },
  {
    name: "subscribe_instance",
    detail: true,
    status: 201,
    summary: "Subscribe to one object's updates and deletion (DCRF's shape).",
  },
  {
    name: "unsubscribe_instance",
    detail: true,
    status: 204,
    summary: "Stop the subscribe_instance subscriptions to one object.",
  },
];

// What the contract says of actions the table does not name.
export const CUSTOM_ACTION_SUMMARY = "A custom action.";
export const CUSTOM_DETAIL_ACTION_SUMMARY = "A custom action on one object.";
