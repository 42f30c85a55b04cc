/**
 * The explorer page's controller: wires the contract, the editor, the socket and the log.
 *
 * Pick an action (sidebar or `#stream.action` in the URL), edit the prefilled frame, check it
 * against the contract in the browser (optional, on by default), send it, and read the reply
 * in the log; a reply's errors are also attached to the fields of the action they concern.
 * @module explorer
 */

import { findOperation, socketUrl } from "./contract.js";
import { byId, h, replace } from "./dom.js";
import { format, prefill, RequestEditor } from "./editor.js";
import { FieldsView, requestFields } from "./fields.js";
import { checkFrame } from "./frames.js";
import { FrameLog, isReply } from "./log.js";
import { errorList, LogView } from "./log-view.js";
import { markCurrent, renderNav } from "./nav.js";
import { Connection } from "./socket.js";

const STATE_LABELS = { connecting: "Connecting…", open: "Connected", closed: "Disconnected" };

export class Explorer {
  /**
   * @param {import("./contract.js").Contract} contract
   * @param {{maxFrameBytes: number, user: string|null}} config
   */
  constructor(contract, config) {
    this.contract = contract;
    this.config = config;
    /** @type {import("./contract.js").Operation|null} */
    this.operation = null;
    /** @type {Map<string, unknown>} the lookup value of each stream's last object */
    this.lastLookup = new Map();
    this.log = new FrameLog();
    this.logView = new LogView(this.log, {
      list: byId("log"), filter: byId("log-filter"), clear: byId("log-clear"),
      count: byId("log-count"),
    });
    this.fields = new FieldsView(byId("fields"));
    this.editor = new RequestEditor(byId("editor"), { onSend: () => this.send() });
    this.url = socketUrl(contract.address, window.location);
    /** Whether the socket opened since the last attempt began (a failed handshake did not). */
    this.opened = false;
    this.connection = new Connection(this.url, {
      onState: (state, detail) => this.showState(state, detail),
      onMessage: (data) => this.receive(data),
    });
  }

  /** Draw the page from the contract, open the socket, pick the first (or linked) action. */
  start() {
    byId("api-title").textContent = `${this.contract.title} ${this.contract.version}`.trim();
    byId("socket-url").textContent = this.url;
    byId("user").textContent = this.config.user ? `Signed in as ${this.config.user}` : "Anonymous";
    renderNav(byId("stream-list"), this.contract, (operation, byKeyboard) =>
      this.pick(operation, byKeyboard));
    this.logView.setStreams(this.contract.streams.map((stream) => stream.name));
    byId("request-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    byId("check").addEventListener("click", () => this.check());
    byId("reset").addEventListener("click", () => this.reset());
    byId("send-anyway").addEventListener("click", () => this.send({ force: true }));
    byId("connection-toggle").addEventListener("click", () => this.toggleConnection());
    window.addEventListener("hashchange", () => this.pickFromHash());
    if (!this.pickFromHash()) {
      const first = this.contract.streams[0]?.actions[0];
      if (first) this.pick(first, false);
    }
    this.connection.open();
    document.body.dataset.ready = "true";
  }

  /** Pick the action `#stream.action` names; false when it names none. */
  pickFromHash() {
    let hash;
    try {
      hash = decodeURIComponent(window.location.hash.slice(1));
    } catch {
      return false; // a malformed escape names nothing
    }
    const [stream, action] = hash.split(".");
    const operation = findOperation(this.contract, stream, action);
    if (operation === undefined) return false;
    if (operation !== this.operation) this.pick(operation, false);
    return true;
  }

  /**
   * Show an action: its description, fields and a prefilled frame.
   * @param {import("./contract.js").Operation} operation
   * @param {boolean} focusEditor
   */
  pick(operation, focusEditor) {
    this.operation = operation;
    if (window.location.hash !== `#${operation.id}`) {
      history.replaceState(null, "", `#${operation.id}`);
    }
    markCurrent(byId("stream-list"), operation.id);
    replace(byId("request-heading"), h("span", { className: "request-route" },
      operation.stream, h("span", { className: "sep" }, " · "), operation.action));
    replace(byId("action-meta"),
      h("span", { className: `method method--${operation.method.toLowerCase()}` },
        operation.method),
      operation.detail ? h("span", { className: "badge" }, `detail: ${operation.lookup}`) : null,
      h("code", { className: "schema-name", title: "request schema" }, operation.request));
    replace(byId("action-description"),
      h("p", { className: "summary" }, operation.summary),
      operation.description ? h("p", {}, operation.description) : null);
    this.fields.show(requestFields(operation.request, this.contract.schemas));
    this.reset();
    if (focusEditor) byId("editor").focus();
  }

  /** Put the action's example back in the editor, with a fresh request_id. */
  reset() {
    if (this.operation === null) return;
    const lookup = this.lastLookup.get(this.operation.stream);
    this.editor.text = format(prefill(this.operation, lookup));
    this.showProblems(null);
  }

  /** Check the editor's frame against the contract; returns the verdict. */
  check() {
    const verdict = checkFrame(this.editor.text, this.contract, {
      maxFrameBytes: this.config.maxFrameBytes,
    });
    this.showProblems(verdict.ok ? { ok: true } : { source: "browser", ...verdict });
    return verdict;
  }

  /**
   * Send the editor's frame, after checking it when "check before sending" is on.
   * @param {{force?: boolean}} [options] `force` sends a frame the check refused
   */
  async send({ force = false } = {}) {
    const text = this.editor.text;
    if (!force && byId("check-first").checked && !this.check().ok) {
      byId("send-anyway").hidden = false;
      return;
    }
    this.showProblems(null);
    try {
      await this.connection.open();
    } catch (error) {
      this.log.note(`Not sent: ${error.message}`, "error");
      return;
    }
    this.log.sent(text);
    this.connection.send(text);
    this.editor.renewRequestId(text);
  }

  /** @param {string|Blob|ArrayBuffer} data */
  receive(data) {
    if (typeof data !== "string") {
      this.log.note("Received a binary frame (typedws sends text only).", "error");
      return;
    }
    const entry = this.log.received(data);
    if (isReply(entry.frame)) this.afterReply(entry);
  }

  /** Remember the object a reply names; show its errors on the fields of the current action. */
  afterReply(entry) {
    const { payload } = entry.frame;
    const known = findOperation(this.contract, entry.stream, entry.action) !== undefined;
    const data = payload.data;
    if (known && entry.status < 300 && data && typeof data === "object") {
      const lookup = this.lookupOf(entry.stream, data);
      if (lookup !== undefined) this.lastLookup.set(entry.stream, lookup);
    }
    const current = this.operation;
    if (current && entry.stream === current.stream && entry.action === current.action) {
      this.showProblems(entry.errors.length
        ? { source: "server", status: entry.status, errors: entry.errors }
        : null);
    }
  }

  /** The value naming `data`'s object for the stream's detail actions (`pk` is `id`). */
  lookupOf(stream, data) {
    const detail = this.contract.streams.find((item) => item.name === stream)
      ?.actions.find((operation) => operation.detail);
    if (!detail) return undefined;
    const key = detail.lookup === "pk" && !("pk" in data) ? "id" : detail.lookup;
    return data[key];
  }

  /**
   * Show a check's or a reply's problems: on their fields, and listed under the editor.
   * @param {null | {ok: true} | {source: "browser"|"server", status: number|null,
   *   errors: {code: string, message: string, path: (string|number)[]}[]}} result
   */
  showProblems(result) {
    const box = byId("check-result");
    byId("send-anyway").hidden = true;
    if (result === null) {
      this.fields.clearErrors();
      replace(box);
      box.dataset.state = "";
      return;
    }
    if (result.ok) {
      this.fields.clearErrors();
      box.dataset.state = "ok";
      replace(box, h("p", {}, "Valid: the server would accept this frame."));
      return;
    }
    this.fields.showErrors(result.errors);
    box.dataset.state = "error";
    const who = result.source === "server"
      ? `The server replied ${result.status}`
      : `Checked in the browser: the server would reply ${result.status}`;
    const count = result.errors.length;
    replace(box, h("p", {}, `${who} with ${count} error${count === 1 ? "" : "s"}:`),
      errorList(result.errors));
  }

  showState(state, detail) {
    const status = byId("connection-status");
    status.dataset.state = state;
    status.textContent = STATE_LABELS[state];
    byId("connection-toggle").textContent = state === "closed" ? "Connect" : "Disconnect";
    if (state === "connecting") this.opened = false;
    if (state === "open") {
      this.opened = true;
      const banner = byId("banner");
      if (banner.dataset.kind === "connection") banner.hidden = true;
      this.log.note(`Connected to ${detail}`);
    }
    if (state === "closed") {
      this.log.note(`Disconnected (${detail})`, "error");
      if (!this.opened) this.diagnose();
    }
  }

  /** The handshake failed (the browser says only "1006"): ask the server why, and say it. */
  async diagnose() {
    const banner = byId("banner");
    let message;
    try {
      const url = `${this.config.diagnosisUrl}?origin=${encodeURIComponent(window.location.origin)}`;
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      const diagnosis = await response.json();
      message = diagnosis.problem ?? `The socket ${this.url} did not open, and the server sees `
        + "no reason: is the page served by the process that serves the socket?";
    } catch (error) {
      message = `Cannot connect to ${this.url}: the server does not answer `
        + `(${error.message}). Is it running?`;
    }
    banner.textContent = message;
    banner.dataset.kind = "connection";
    banner.hidden = false;
  }

  toggleConnection() {
    if (this.connection.state === "open") this.connection.close();
    else this.connection.open();
  }
}
