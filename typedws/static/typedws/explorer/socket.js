/**
 * The explorer's one WebSocket to the API: opened on demand, reported on, never retried
 * behind the user's back (a debugging page should show a dropped connection, not hide it).
 * @module socket
 */

/** @typedef {"connecting"|"open"|"closed"} SocketState */

export class Connection {
  /**
   * @param {string} url
   * @param {{onState: (state: SocketState, detail: string) => void,
   *          onMessage: (data: string|Blob|ArrayBuffer) => void}} handlers
   * @param {typeof WebSocket} [WebSocketImpl]
   */
  constructor(url, handlers, WebSocketImpl = WebSocket) {
    this.url = url;
    this.handlers = handlers;
    this.WebSocketImpl = WebSocketImpl;
    /** @type {WebSocket|null} */
    this.socket = null;
    /** @type {Promise<void>|null} */
    this.opening = null;
  }

  /** @returns {SocketState} */
  get state() {
    if (this.socket === null) return "closed";
    if (this.socket.readyState === this.WebSocketImpl.OPEN) return "open";
    if (this.socket.readyState === this.WebSocketImpl.CONNECTING) return "connecting";
    return "closed";
  }

  /**
   * Open the socket unless it is open or opening; resolves once it is open.
   * The browser sends the page's cookies (the Django session) with the handshake.
   * @returns {Promise<void>}
   */
  open() {
    if (this.state === "open") return Promise.resolve();
    if (this.state === "connecting" && this.opening) return this.opening;
    const socket = new this.WebSocketImpl(this.url);
    this.socket = socket;
    this.handlers.onState("connecting", this.url);
    this.opening = new Promise((resolve, reject) => {
      socket.addEventListener("open", () => {
        this.handlers.onState("open", this.url);
        resolve();
      });
      socket.addEventListener("close", (event) => {
        if (this.socket === socket) this.socket = null;
        const reason = event.reason ? `: ${event.reason}` : "";
        this.handlers.onState("closed", `code ${event.code}${reason}`);
        reject(new Error(`The socket closed (code ${event.code})`));
      });
      socket.addEventListener("message", (event) => this.handlers.onMessage(event.data));
    });
    this.opening.catch(() => {}); // a close before open is reported through onState
    return this.opening;
  }

  /** Close the socket, if any. */
  close() {
    this.socket?.close(1000, "closed by the explorer");
  }

  /**
   * Send one text frame on the open socket (`await open()` first).
   * @param {string} text
   */
  send(text) {
    if (this.state !== "open") throw new Error("The socket is not open.");
    this.socket.send(text);
  }
}
