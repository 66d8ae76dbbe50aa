/**
 * Which `Runtime` the HTTP layer opens sockets with: detected once (a `Deno`
 * global means Deno's own sockets, a `Bun` global Bun's, anything else
 * `node:net`), overridable with `setRuntime` (tests, an in-memory network, or
 * forcing `node:net` on Deno/Bun).
 *
 * @module
 */

import type { Runtime } from "./transport.ts";
import { nodeNetRuntime } from "./node_net.ts";
import { denoRuntime } from "./deno.ts";
import { bunRuntime } from "./bun.ts";

let current: Runtime | null = null;

/** The runtime the current JS engine is: `"deno"`, `"bun"` or `"node"`. */
export function detectRuntimeName(): "node" | "deno" | "bun" {
  const g = globalThis as unknown as { Deno?: { version?: unknown }; Bun?: unknown };
  if (g.Bun !== undefined) return "bun";
  if (g.Deno !== undefined && typeof g.Deno === "object") return "deno";
  return "node";
}

/**
 * The runtime's native socket adapter (cached after the first call).
 *
 * @example
 * ```ts
 * const rt = getRuntime();
 * rt.listen({ port: 0 }, { onConnection() {}, onListening() {}, onError() {} });
 * ```
 */
export function getRuntime(): Runtime {
  if (current === null) {
    const name = detectRuntimeName();
    current = name === "deno" ? denoRuntime : name === "bun" ? bunRuntime : nodeNetRuntime;
  }
  return current;
}

/**
 * Replace the runtime every later `listen`/`connect` uses. Pass `null` to go
 * back to detection.
 *
 * @example
 * ```ts
 * import { nodeNetRuntime } from "./node_net.ts";
 * setRuntime(nodeNetRuntime); // node:net even on Deno or Bun
 * ```
 */
export function setRuntime(runtime: Runtime | null): void {
  current = runtime;
}

export { bunRuntime, denoRuntime, nodeNetRuntime };
