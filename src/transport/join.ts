/**
 * Writing several chunks as one on transports whose runtime has no vectored
 * write (Deno's `Conn`, Bun's socket): one joined buffer up to 256 KiB (a
 * copy costs less than a write), chunk by chunk beyond.
 *
 * @module
 */

import type { WriteCallback } from "./transport.ts";

/** Chunks totalling up to this many bytes are joined into one buffer. */
export const JOIN_LIMIT = 262144;

/**
 * `chunks` copied into one new buffer of `total` bytes.
 *
 * @example
 * ```ts
 * concat([new Uint8Array([1]), new Uint8Array([2, 3])], 3); // Uint8Array [1, 2, 3]
 * ```
 */
export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  return copyInto(chunks, new Uint8Array(total));
}

/**
 * `chunks` copied one after another to the start of `out` (big enough for
 * them all); returns `out`.
 *
 * @example
 * ```ts
 * copyInto([new Uint8Array([1]), new Uint8Array([2])], new Uint8Array(4)); // [1, 2, 0, 0]
 * ```
 */
export function copyInto(chunks: readonly Uint8Array[], out: Uint8Array): Uint8Array {
  let offset = 0;
  for (let i = 0; i < chunks.length; i++) {
    out.set(chunks[i], offset);
    offset += chunks[i].byteLength;
  }
  return out;
}

/**
 * A transport's `writev` in terms of its `write`: joined when small enough,
 * else one write per chunk with `callback` on the last.
 *
 * @example
 * ```ts
 * class T { write(c: Uint8Array, cb?: WriteCallback): boolean { return true; } }
 * writeJoined(new T(), [new Uint8Array(1), new Uint8Array(2)]);
 * ```
 */
export function writeJoined(
  transport: { write(chunk: Uint8Array, callback?: WriteCallback): boolean },
  chunks: readonly Uint8Array[],
  callback?: WriteCallback,
): boolean {
  let total = 0;
  for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
  const last = chunks.length - 1;
  if (last === 0 || total > JOIN_LIMIT) {
    for (let i = 0; i < last; i++) transport.write(chunks[i]);
    return transport.write(chunks[last], callback);
  }
  return transport.write(concat(chunks, total), callback);
}
