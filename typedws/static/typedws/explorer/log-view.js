/**
 * The frame log on the page: one list item per entry of a `FrameLog`, newest last, with the
 * frame's route, `request_id`, status and pairing in its summary line, the whole frame and
 * its errors (with their paths) in the expandable body, and a copy button.
 * @module log-view
 */

import { copyText, formatPath, h, replace } from "./dom.js";

const DIRECTIONS = { out: ["→", "sent"], in: ["←", "received"], note: ["•", "note"] };
const PREVIEW_LENGTH = 140;

export class LogView {
  /**
   * @param {import("./log.js").FrameLog} log
   * @param {{list: HTMLElement, filter: HTMLSelectElement, clear: HTMLButtonElement,
   *          count: HTMLElement}} elements
   */
  constructor(log, { list, filter, clear, count }) {
    this.log = log;
    this.list = list;
    this.filter = filter;
    this.count = count;
    /** @type {Map<number, HTMLElement>} */
    this.items = new Map();
    log.subscribe((change) => this.apply(change));
    filter.addEventListener("change", () => this.applyFilter());
    clear.addEventListener("click", () => log.clear());
  }

  /** Offer each stream in the filter. */
  setStreams(names) {
    replace(this.filter, h("option", { value: "" }, "All streams"),
      names.map((name) => h("option", { value: name }, name)));
  }

  /** @param {import("./log.js").Change} change */
  apply(change) {
    if (change.type === "clear") {
      this.items.clear();
      this.list.replaceChildren();
    } else if (change.type === "add") {
      const atBottom = this.isScrolledToBottom();
      const item = this.render(change.entry);
      this.items.set(change.entry.id, item);
      this.list.append(item);
      // Follow new frames unless the reader scrolled up; only the log scrolls, not the page.
      if (atBottom) this.list.parentElement.scrollTop = this.list.parentElement.scrollHeight;
    } else {
      const old = this.items.get(change.entry.id);
      if (old) old.querySelector(".entry-meta").replaceWith(meta(change.entry, this.log));
    }
    this.updateCount();
  }

  render(entry) {
    const item = h("li", {
      id: `entry-${entry.id}`,
      className: `entry entry--${entry.kind} entry--${entry.direction}`,
      dataset: { entryId: entry.id, stream: entry.stream ?? "", kind: entry.kind },
      hidden: !this.matches(entry),
    });
    if (entry.kind === "note") {
      item.dataset.level = entry.level;
      item.append(summaryLine(entry, this.log));
      return item;
    }
    const body = h("div", { className: "entry-body" },
      errorList(entry.errors),
      h("pre", { className: "json", tabindex: "0", aria: { label: `Frame #${entry.id}` } },
        pretty(entry)),
      copyButton(entry));
    item.append(h("details", { open: entry.errors.length > 0 },
      h("summary", {}, summaryLine(entry, this.log)), body));
    return item;
  }

  matches(entry) {
    const stream = this.filter.value;
    return !stream || entry.kind === "note" || entry.stream === stream;
  }

  applyFilter() {
    for (const entry of this.log.entries) {
      const item = this.items.get(entry.id);
      if (item) item.hidden = !this.matches(entry);
    }
    this.updateCount();
  }

  updateCount() {
    const shown = this.log.entries.filter((entry) => entry.kind !== "note" && this.matches(entry));
    this.count.textContent = plural(shown.length, "frame");
  }

  isScrolledToBottom() {
    const scroller = this.list.parentElement;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  }
}

/** The one-line summary: direction, kind, route, request_id, status, pairing, time. */
function summaryLine(entry, log) {
  const [arrow, label] = DIRECTIONS[entry.direction];
  const line = h("span", { className: "entry-line" },
    h("span", { className: "dir", title: label, aria: { label } }, arrow),
    h("span", { className: "entry-id" }, `#${entry.id}`),
    entry.kind === "note"
      ? h("span", { className: "note-text" }, entry.text)
      : h("span", { className: "kind" }, entry.kind),
    entry.kind === "note" ? null : route(entry),
    entry.kind === "note" ? null : meta(entry, log),
    h("time", { className: "time", datetime: new Date(entry.time).toISOString() },
      clock(entry.time)));
  if (entry.kind === "note") return line;
  return h("span", { className: "entry-summary" }, line,
    h("code", { className: "preview" }, preview(entry)));
}

function route(entry) {
  const parts = [entry.stream ?? "?", entry.action].filter(Boolean).join(" · ");
  return h("span", { className: "route" }, parts,
    entry.requestId === null ? null
      : h("span", { className: "rid", title: "request_id" }, JSON.stringify(entry.requestId)));
}

/** Status and pairing, redrawn when a reply or an event arrives for a request. */
function meta(entry, log) {
  const paired = entry.pairedWith === null ? null : log.get(entry.pairedWith);
  return h("span", { className: "entry-meta" },
    entry.status === null ? null : statusBadge(entry.status),
    entry.direction === "out" && entry.status === null && entry.events === 0
      ? h("span", { className: "waiting" }, "waiting")
      : null,
    pairing(entry, paired),
    entry.events ? h("span", { className: "events" }, plural(entry.events, "event")) : null,
    entry.kind === "event" && entry.seq !== null
      ? h("span", { className: "seq", title: "seq" }, `seq ${entry.seq}`)
      : null,
    entry.gap === null ? null
      : h("span", { className: "gap", role: "status", title: "events were missed: refetch" },
        `gap: ${entry.gap}`));
}

function pairing(entry, paired) {
  if (entry.pairedWith === null) return null;
  const target = `#${entry.pairedWith}`;
  if (entry.kind === "request") {
    const latency = entry.latency === null ? "" : ` in ${entry.latency} ms`;
    return h("span", { className: "pair" }, `reply ${target}${latency}`);
  }
  const what = entry.kind === "event" ? `for ${paired?.action ?? "request"}` : "to";
  return h("span", { className: "pair" }, `${what} ${target}`);
}

function statusBadge(status) {
  const family = typeof status === "number" ? `${Math.floor(status / 100)}xx` : "unknown";
  return h("span", { className: `status status--${family}`, title: "response_status" },
    String(status));
}

/** Errors as a list: path, code, message. */
export function errorList(errors) {
  if (!errors.length) return null;
  return h("ul", { className: "errors", aria: { label: "Errors" } },
    errors.map((error) => h("li", { className: "error" },
      h("code", { className: "error-path" }, formatPath(error.path ?? [])),
      h("span", { className: "error-code" }, error.code),
      h("span", { className: "error-message" }, error.message))));
}

function copyButton(entry) {
  const button = h("button", { type: "button", className: "copy small" }, "Copy frame");
  button.addEventListener("click", async () => {
    try {
      await copyText(entry.text);
      button.textContent = "Copied";
    } catch {
      button.textContent = "Copy failed";
    }
    setTimeout(() => { button.textContent = "Copy frame"; }, 1500);
  });
  return button;
}

function pretty(entry) {
  return entry.frame === undefined ? entry.text : JSON.stringify(entry.frame, null, 2);
}

function preview(entry) {
  if (entry.errors.length) {
    return entry.errors.map((error) => `${error.code} at ${formatPath(error.path ?? [])}`)
      .join("; ");
  }
  const value = entry.frame === undefined ? entry.text : payloadData(entry.frame);
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? "";
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}

/** What a frame is about: a payload's `data`, or a request's keys besides its route. */
function payloadData(frame) {
  const payload = frame?.payload;
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return frame;
  if ("data" in payload && (payload.data !== null || "response_status" in payload)) {
    return payload.data;
  }
  const { action: _action, request_id: _requestId, ...rest } = payload;
  return Object.keys(rest).length ? rest : "";
}

function clock(time) {
  const date = new Date(time);
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.`
    + pad(date.getMilliseconds(), 3);
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
