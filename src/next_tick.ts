/**
 * `process.nextTick` where the runtime has it (Node, Bun, Deno's Node
 * compatibility), else `queueMicrotask`. Event ordering in the HTTP layer follows
 * Node's, which relies on next-tick callbacks running before promise jobs.
 *
 * @module
 */

type TickFn = (fn: () => void) => void;
type TickWithFn = <T>(fn: (arg: T) => void, arg: T) => void;

const proc = (globalThis as unknown as {
  process?: { nextTick?: (fn: (...args: unknown[]) => void, ...args: unknown[]) => void };
}).process;
const hasTick = !!proc && typeof proc.nextTick === "function";

/**
 * Runs `fn` on the next tick.
 *
 * @example
 * ```ts
 * nextTick(() => console.log("later"));
 * ```
 */
export const nextTick: TickFn = hasTick ? (fn) => proc!.nextTick!(fn) : (fn) => queueMicrotask(fn);

/**
 * Runs `fn(arg)` on the next tick: a shared function and its argument, no
 * closure per call (hot paths).
 *
 * @example
 * ```ts
 * const log = (s: string) => console.log(s);
 * nextTickWith(log, "later");
 * ```
 */
export const nextTickWith: TickWithFn = hasTick
  ? <T>(fn: (arg: T) => void, arg: T) => proc!.nextTick!(fn as (...args: unknown[]) => void, arg)
  : <T>(fn: (arg: T) => void, arg: T) => queueMicrotask(() => fn(arg));
