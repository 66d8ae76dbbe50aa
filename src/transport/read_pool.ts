/**
 * Small reads copied into chunks carved from one shared pool: one allocation
 * per 16 KiB of reads instead of one per read, and views of a buffer the
 * runtime already set up (on Bun, a view of a fresh read buffer costs more
 * than copying a small one). Chunks handed out are never written again.
 *
 * @module
 */

/** Copies of reads up to this size come from the pool. */
export const POOL_MAX = 2048;
const POOL_SIZE = 16384;

/**
 * A pool of read copies over buffers made by `alloc`.
 *
 * @example
 * ```ts
 * const pool = new ReadPool((n) => new Uint8Array(n));
 * const chunk = pool.copy(new Uint8Array([1, 2, 3, 4]), 2); // Uint8Array [1, 2]
 * ```
 */
export class ReadPool {
  readonly #alloc: (size: number) => Uint8Array;
  #pool: Uint8Array | null = null;
  #offset = 0;

  /** `alloc(size)` makes the pool's buffers and copies bigger than `POOL_MAX`. */
  constructor(alloc: (size: number) => Uint8Array) {
    this.#alloc = alloc;
  }

  /** The first `n` bytes of `buf` in a chunk of their own. */
  copy(buf: Uint8Array, n: number): Uint8Array {
    const src = n === buf.byteLength ? buf : buf.subarray(0, n);
    if (n > POOL_MAX) {
      const out = this.#alloc(n);
      out.set(src);
      return out;
    }
    let pool = this.#pool;
    if (pool === null || this.#offset + n > POOL_SIZE) {
      pool = this.#pool = this.#alloc(POOL_SIZE);
      this.#offset = 0;
    }
    const start = this.#offset;
    pool.set(src, start);
    // Keep chunks 8-byte aligned, as Node's Buffer pool does.
    this.#offset = (start + n + 7) & ~7;
    return pool.subarray(start, start + n);
  }
}
