/**
 * The request editor: a plain textarea holding one JSON frame, prefilled from the contract's
 * example with a fresh `request_id`, sent with Ctrl+Enter (⌘+Enter on a Mac).
 * @module editor
 */

let counter = 0;

/** A `request_id` unique on this page: `r1`, `r2`, ... */
export function nextRequestId() {
  counter += 1;
  return `r${counter}`;
}

/**
 * The frame to prefill for an operation: its example (or the least valid frame), with a fresh
 * `request_id`, and the lookup key set to the last object seen on the stream when known.
 * @param {import("./contract.js").Operation} operation
 * @param {unknown} [lastLookup] the lookup value of the stream's last object
 * @returns {Record<string, any>}
 */
export function prefill(operation, lastLookup) {
  const example = structuredClone(operation.example ?? {});
  const frame = isObject(example) ? example : {};
  frame.stream = operation.stream;
  const payload = isObject(frame.payload) ? frame.payload : {};
  frame.payload = { action: operation.action, request_id: nextRequestId(), ...without(payload) };
  if (operation.detail && operation.lookup && lastLookup !== undefined) {
    frame.payload[operation.lookup] = lastLookup;
  }
  return { stream: frame.stream, payload: frame.payload };
}

function without(payload) {
  const { action: _action, request_id: _requestId, ...rest } = payload;
  return rest;
}

/** JSON as the editor shows it. */
export function format(value) {
  return JSON.stringify(value, null, 2);
}

export class RequestEditor {
  /**
   * @param {HTMLTextAreaElement} textarea
   * @param {{onSend: () => void}} handlers
   */
  constructor(textarea, { onSend }) {
    this.textarea = textarea;
    textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        onSend();
      }
    });
  }

  get text() {
    return this.textarea.value;
  }

  set text(value) {
    this.textarea.value = value;
  }

  /**
   * After a send, give the frame in the editor a new `request_id`, so that sending again is a
   * new request; only when the editor still holds what was sent and it is a JSON object.
   * @param {string} sent
   */
  renewRequestId(sent) {
    if (this.text !== sent) return;
    let frame;
    try {
      frame = JSON.parse(sent);
    } catch {
      return;
    }
    if (!isObject(frame) || !isObject(frame.payload) || !("request_id" in frame.payload)) return;
    frame.payload.request_id = nextRequestId();
    this.text = format(frame);
  }
}

function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
