/**
 * Byte <-> string conversions used by the protocol layer.
 *
 * HTTP heads are decoded "latin1" in Node's sense: one UTF-16 code unit per
 * byte, value 0x00-0xFF. This is NOT `new TextDecoder("latin1")`, which the
 * Encoding Standard maps to windows-1252 (0x80-0x9F become other characters).
 *
 * @module
 */

/** Largest slice handed to `String.fromCharCode.apply` at once (keeps the argument list small). */
const CHUNK = 4096;
/** Up to this many bytes a plain loop is fastest (measured on V8 and JSC). */
const SHORT = 24;

const fromCharCode = String.fromCharCode;
/** For pure-ASCII ranges UTF-8 decoding equals latin1, and native decoding is much faster. */
const asciiDecoder = new TextDecoder();

/**
 * Decodes `bytes[start..end)` to a string with one character per byte (Node's `latin1`).
 *
 * Short ranges use a loop; longer pure-ASCII ranges use the native UTF-8
 * decoder; others use `String.fromCharCode.apply` on slices of at most 4096 bytes.
 *
 * @example
 * ```ts
 * latin1Decode(new Uint8Array([0x48, 0x69, 0xe9]), 0, 3); // "Hi\u00e9"
 * ```
 */
export function latin1Decode(bytes: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len <= 0) return "";
  if (len <= SHORT) {
    let s = "";
    for (let i = start; i < end; i++) s += fromCharCode(bytes[i]);
    return s;
  }
  let acc = 0;
  for (let i = start; i < end; i++) acc |= bytes[i];
  if (acc < 0x80) return asciiDecoder.decode(bytes.subarray(start, end));
  if (len <= CHUNK) {
    return fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = "";
  for (let i = start; i < end; i += CHUNK) {
    const stop = i + CHUNK < end ? i + CHUNK : end;
    out += fromCharCode.apply(null, bytes.subarray(i, stop) as unknown as number[]);
  }
  return out;
}

/**
 * Encodes a string one byte per character (Node's `latin1`): characters above
 * 0xFF keep only their low byte (`c & 0xFF`), as `Buffer.from(s, "latin1")` does.
 *
 * @example
 * ```ts
 * latin1Encode("Hi\u00e9"); // Uint8Array [0x48, 0x69, 0xe9]
 * ```
 */
export function latin1Encode(s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = s.charCodeAt(i); // Uint8Array stores c & 0xFF
  return out;
}

/**
 * Writes `s` latin1-encoded into `target` at `offset`; returns the offset after it.
 * The caller guarantees room for `s.length` bytes.
 *
 * @example
 * ```ts
 * const buf = new Uint8Array(8);
 * latin1EncodeInto("GET ", buf, 0); // 4
 * ```
 */
export function latin1EncodeInto(s: string, target: Uint8Array, offset: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) target[offset + i] = s.charCodeAt(i);
  return offset + n;
}

const encoder = new TextEncoder();

/**
 * Encodes a string as UTF-8 (lone surrogates become U+FFFD, as in Node).
 *
 * @example
 * ```ts
 * utf8Encode("\u00e9"); // Uint8Array [0xc3, 0xa9]
 * ```
 */
export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/**
 * The length of `s` in UTF-8 bytes, as `Buffer.byteLength(s, "utf8")` counts it
 * (a surrogate pair is 4 bytes, a lone surrogate 3: it is sent as U+FFFD).
 * A loop over the string: for short strings cheaper than a native call (on
 * Deno that call is an op).
 *
 * @example
 * ```ts
 * utf8ByteLength("h\u00e9"); // 3
 * ```
 */
export function utf8ByteLength(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        // Two code units, four bytes.
        bytes += 2;
        i++;
        continue;
      }
    }
    bytes += 2;
  }
  return bytes;
}

/**
 * True when every character of `s` is below 0x80, so latin1 and UTF-8 give the same bytes.
 *
 * @example
 * ```ts
 * isAscii("hello"); // true
 * ```
 */
export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
