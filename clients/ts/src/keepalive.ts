/**
 * Dead-connection detection. A browser's WebSocket answers the server's pings by itself but
 * cannot send one, and a socket whose network vanished stays "open" until TCP gives up
 * (minutes). So the client watches for silence: after `idleMs` without any frame from the
 * server it sends a probe, a frame every typedws server answers at once (a request on the
 * stream {@link PROBE_STREAM}, which no API declares: the reply is a `404` the client ignores);
 * if nothing at all arrives within `timeoutMs` more, the connection is dead: the client drops
 * it, reconnects and resumes its subscriptions. Any frame received counts as a sign of life,
 * so a busy connection sends no probe.
 *
 * @module
 */

import { OPEN, type WebSocketLike } from "./websocket.js";

/** How the client detects a dead connection; `false` turns detection off. */
export interface KeepAliveOptions {
  /** Milliseconds without a frame from the server before a probe is sent. Default: 20000. */
  idleMs?: number;
  /** Milliseconds the probe waits for any frame before the socket is given up. Default: 10000. */
  timeoutMs?: number;
}

export const DEFAULT_KEEPALIVE = { idleMs: 20_000, timeoutMs: 10_000 } as const;
/** The stream of the probe frame: not a name an API can declare (it has a dot). */
export const PROBE_STREAM = "typedws.keepalive";
/** The probe's text: no `request_id`, so its `404` reply pairs with nothing. */
export const PROBE_TEXT = JSON.stringify({ stream: PROBE_STREAM, payload: { action: "ping" } });

/** The reason of a connection given up for silence. */
export const DEAD_REASON = "no reply to a keepalive probe";

type Timer = ReturnType<typeof setTimeout>;

/**
 * Start watching `socket` (just opened) as `options` say; `dead` is called when it went
 * silent. Returns the watch, to be told of each frame and stopped, or null when turned off.
 */
export function watchSocket(
  options: KeepAliveOptions | false | undefined,
  socket: WebSocketLike,
  dead: () => void,
): KeepAlive | null {
  if (options === false) return null;
  const probe = (): void => {
    if (socket.readyState === OPEN) socket.send(PROBE_TEXT);
  };
  const watch = new KeepAlive(options ?? {}, probe, dead);
  watch.heard();
  return watch;
}

/** One connection's silence watch; `heard()` on every frame, `stop()` when it closes. */
export class KeepAlive {
  private timer: Timer | null = null;

  constructor(
    private readonly options: KeepAliveOptions,
    private readonly probe: () => void,
    private readonly dead: () => void,
  ) {}

  /** Something arrived (or the socket just opened): wait `idleMs` for the next thing. */
  heard(): void {
    this.arm(this.options.idleMs ?? DEFAULT_KEEPALIVE.idleMs, () => {
      this.probe();
      this.arm(this.options.timeoutMs ?? DEFAULT_KEEPALIVE.timeoutMs, this.dead);
    });
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(ms: number, then: () => void): void {
    this.stop();
    const timer = setTimeout(then, ms);
    // In Node, a watch must not keep the process alive by itself (a browser's id is a number).
    (timer as unknown as { unref?: () => void }).unref?.();
    this.timer = timer;
  }
}
