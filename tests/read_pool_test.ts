/**
 * The read pool the Deno and Bun transports copy small reads into: each copy
 * is its own chunk, equal to the bytes read, and never changes afterwards.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { POOL_MAX, ReadPool } from "../src/transport/read_pool.ts";

function filled(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = (i * 7 + seed) & 255;
  return b;
}

describe("ReadPool", () => {
  test("copies stay intact while the read buffer is reused and the pool fills up", () => {
    const pool = new ReadPool((n) => new Uint8Array(n));
    const readBuf = new Uint8Array(4096);
    const kept: Array<{ chunk: Uint8Array; want: Uint8Array }> = [];
    // Enough reads of mixed sizes to go through several pools.
    const sizes = [1, 7, 300, POOL_MAX, POOL_MAX + 1, 2000, 3, 4096, 1500, 999];
    for (let round = 0; round < 20; round++) {
      for (const size of sizes) {
        const want = filled(size, round * 31 + size);
        readBuf.set(want);
        kept.push({ chunk: pool.copy(readBuf, size), want });
        readBuf.fill(0xee); // the transport reads into it again
      }
    }
    for (const { chunk, want } of kept) assert.deepEqual(chunk, want);
  });

  test("big copies are buffers of their own; small ones are views of a shared pool", () => {
    const made: number[] = [];
    const pool = new ReadPool((n) => {
      made.push(n);
      return new Uint8Array(n);
    });
    const big = pool.copy(filled(POOL_MAX + 10, 1), POOL_MAX + 10);
    assert.equal(big.byteLength, POOL_MAX + 10);
    assert.equal(big.buffer.byteLength, POOL_MAX + 10);
    const a = pool.copy(filled(10, 2), 10);
    const b = pool.copy(filled(10, 3), 10);
    assert.equal(a.buffer, b.buffer);
    assert.ok(b.byteOffset >= a.byteOffset + 10);
    assert.equal(b.byteOffset % 8, 0);
    // One allocation for the big copy, one for the pool both small copies share.
    assert.equal(made.length, 2);
  });
});
