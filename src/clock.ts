/**
 * Clocks read once and shared, as Node's loop time and its `Date` header cache:
 *
 * - {@link loopNow} is `performance.now()` read at most once per turn of the
 *   event loop (the first read queues a microtask that forgets it). Every
 *   request reads the clock when its bytes arrive, again when the idle timer
 *   restarts and when the message starts; on Deno each `performance.now()` is
 *   a runtime call. Like libuv's loop time, it does not advance while one
 *   callback runs.
 * - {@link httpDate} is the `Date` header value, made once per wall-clock
 *   second and forgotten by an unref'd timer at the next second, so a
 *   response reads no clock at all.
 *
 * @module
 */

import { startUnrefTimer } from "./timer_queue.ts";

let loopTime = 0;
let loopTimeValid = false;

function forgetLoopTime(): void {
  loopTimeValid = false;
}

/**
 * Monotonic milliseconds (`performance.now()`), the same value for everything
 * that runs before the current microtasks drain.
 *
 * @example
 * ```ts
 * const started = loopNow();
 * ```
 */
export function loopNow(): number {
  if (loopTimeValid) return loopTime;
  loopTimeValid = true;
  queueMicrotask(forgetLoopTime);
  return loopTime = performance.now();
}

let dateValue = "";

function forgetDate(): void {
  dateValue = "";
}

/**
 * The current time as an HTTP `Date` value (`toUTCString()`), computed at most
 * once per second.
 *
 * @example
 * ```ts
 * httpDate(); // "Tue, 05 Mar 2024 10:00:00 GMT"
 * ```
 */
export function httpDate(): string {
  if (dateValue !== "") return dateValue;
  const now = new Date();
  dateValue = now.toUTCString();
  startUnrefTimer(forgetDate, 1000 - now.getUTCMilliseconds());
  return dateValue;
}
