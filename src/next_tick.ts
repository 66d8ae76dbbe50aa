/**
 * `process.nextTick` where the runtime has it (Node, Bun, Deno's Node
 * compatibility), else `queueMicrotask`. Event ordering in the HTTP layer follows
 * Node's, which relies on next-tick callbacks running before promise jobs.
 *
 * @module
 */

type TickFn = (fn: () => void) => void;

const proc = (globalThis as unknown as { process?: { nextTick?: (fn: () => void) => void } })
  .process;

/**
 * Runs `fn` on the next tick.
 *
 * @example
 * ```ts
 * nextTick(() => console.log("later"));
 * ```
 */
export const nextTick: TickFn = proc && typeof proc.nextTick === "function"
  ? (fn) => proc.nextTick!(fn)
  : (fn) => queueMicrotask(fn);
