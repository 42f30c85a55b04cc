/**
 * A subscription's place in its stream (docs/protocol.md, "Positions and resuming"): the client
 * remembers the last `{epoch, seq}` it saw, resubscribes with `since` after a reconnection,
 * drops an event it has already seen, and reports a gap when `prev` does not follow on.
 * Servers that send no positions (older ones) leave all of this inert.
 */

import { EPOCH, PREV, REASON, RECOVERED, SEQ, SINCE } from "./protocol.js";

/** A position in a stream. */
export interface Position {
  epoch: string;
  seq: number;
}

/** What an acknowledgement says: the position it starts from, and whether `since` resumed. */
export interface AckPosition {
  position: Position | null;
  recovered: boolean | null;
  reason: string | null;
}

/** Read the position fields of an acknowledgement's `data`; absent fields read as null. */
export function readAck(data: unknown): AckPosition {
  const ack = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  const epoch = ack[EPOCH];
  const seq = ack[SEQ];
  const position = typeof epoch === "string" && typeof seq === "number" ? { epoch, seq } : null;
  const recovered = typeof ack[RECOVERED] === "boolean" ? (ack[RECOVERED] as boolean) : null;
  const reason = typeof ack[REASON] === "string" ? (ack[REASON] as string) : null;
  return { position, recovered, reason };
}

/**
 * What an event is to a subscription at `position`: `"duplicate"` (seen already: drop it),
 * `"missed"` (its `prev` is a seq this client did not see: resume, the server replays them),
 * `"gap"` (events were lost: `prev` is null or the epoch changed), or `"next"`; `"unknown"`
 * without positions.
 */
export function classify(
  position: Position | null,
  event: Record<string, unknown>,
): "next" | "duplicate" | "missed" | "gap" | "unknown" {
  const epoch = event[EPOCH];
  const seq = event[SEQ];
  if (typeof epoch !== "string" || typeof seq !== "number") return "unknown";
  if (position === null) return "next";
  if (epoch !== position.epoch) return "gap";
  if (seq <= position.seq) return "duplicate";
  if (event[PREV] === null || event[PREV] === undefined) return "gap";
  return event[PREV] === position.seq ? "next" : "missed";
}

/** A subscribe's `data` resuming after `position` (unchanged without one). */
export function withSince(data: unknown, position: Position | null): unknown {
  if (position === null || typeof data !== "object" || data === null) return data;
  return { ...(data as Record<string, unknown>), [SINCE]: position };
}

/** The position an event leaves its subscription at. */
export function positionOf(event: Record<string, unknown>): Position | null {
  const epoch = event[EPOCH];
  const seq = event[SEQ];
  return typeof epoch === "string" && typeof seq === "number" ? { epoch, seq } : null;
}
