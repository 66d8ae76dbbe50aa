/**
 * Pieces shared by the seeded fuzz tests: the short byte strings a mutation
 * inserts, and cutting a byte string at given offsets.
 *
 * @module
 */

/** Short insertions every mutator uses: line ends, separators, odd bytes. */
export const BYTE_INSERTS: readonly string[] = [
  "\r",
  "\n",
  "\r\n",
  " ",
  "\t",
  "\0",
  ":",
  ";",
  "0",
  "f",
  "\x7f",
  "\xff",
  "\r\n\r\n",
];

/** `bytes` cut at `points` (ascending offsets inside it): one view per piece. */
export function splitAt(bytes: Uint8Array, points: Iterable<number>): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}
