/**
 * When to reconnect after the connection drops: a replaceable policy of two functions, one that
 * decides whether to try again and one that waits before the try.
 *
 * @module
 */

import type { CloseLike } from "./websocket.js";

/** Why the connection was lost, as `shouldRetry` sees it. */
export interface CloseInfo extends CloseLike {
  /** Reconnection attempts made since the last successful open (0 for the first drop). */
  retries: number;
}

export interface BackoffOptions {
  /** The first wait, in milliseconds. Default: 500. */
  initialMs?: number;
  /** The longest wait, in milliseconds. Default: 30000. */
  maxMs?: number;
  /** How much longer each wait is than the one before. Default: 2. */
  factor?: number;
  /** The share of each wait drawn at random, to spread many clients' retries. Default: 0.2. */
  jitter?: number;
}

/** The wait before retry number `retries` (0-based): exponential, capped, with jitter. */
export function backoffDelay(
  retries: number,
  options: BackoffOptions = {},
  random = Math.random,
): number {
  const { initialMs = 500, maxMs = 30_000, factor = 2, jitter = 0.2 } = options;
  const base = Math.min(maxMs, initialMs * factor ** retries);
  return Math.round(base * (1 - jitter + jitter * random()));
}

/** A `retryWait` that sleeps {@link backoffDelay}. */
export function exponentialBackoff(
  options: BackoffOptions = {},
): (retries: number) => Promise<void> {
  return (retries) => new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, options)));
}

/** The default `shouldRetry`: every drop is worth a retry, except a normal close (1000). */
export function retryUnlessNormalClose(info: CloseInfo): boolean {
  return info.code !== 1000;
}
