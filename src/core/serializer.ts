/**
 * Serialization of outgoing HTTP/1.1 messages: heads, chunk framing, trailers.
 *
 * Pure TypeScript, runtime-neutral. Used by `OutgoingMessage` (server
 * responses and client requests alike).
 *
 * ## API
 *
 * - {@link createHeadState}`(firstLine)` starts a head; `firstLine` already ends
 *   with CRLF (`"HTTP/1.1 200 OK\r\n"`, `"GET / HTTP/1.1\r\n"`).
 * - {@link addHeader}`(state, name, value, validate, unique?)` appends one field
 *   the way Node's `processHeader` does: array values become repeated lines
 *   (except `Cookie` with 2+ values and names listed in `unique`, which are
 *   joined with `"; "`); with `validate` the name/value are checked
 *   (`ERR_INVALID_HTTP_TOKEN`, `ERR_HTTP_INVALID_HEADER_VALUE`, `ERR_INVALID_CHAR`).
 * - {@link addHeaders}`(state, headers, validate, unique?)` appends a whole
 *   header collection: a plain object, a flat raw array `[name, value, ...]`
 *   (odd length: `ERR_INVALID_ARG_VALUE`), an array of `[name, value]` pairs,
 *   or a {@link HeaderStore} (validated already, `validate` ignored).
 * - While adding, the state notes what Node's `matchHeader` notes, so the
 *   caller decides framing without scanning again: `connection` (+
 *   `connectionClose` / `connectionOther`), `contentLength` (+
 *   `contentLengthValue`), `transferEncoding` (+ `chunked`), `date`, `expect`,
 *   `trailer`, `keepAlive`, `host`, `upgrade`.
 * - The caller appends its own generated lines with {@link appendLine} and
 *   finishes with {@link finishHead} (adds the blank line) to get one string.
 * - Bodies: {@link frameChunk} builds `hex-size CRLF data CRLF` as ONE
 *   `Uint8Array`; {@link lastChunk}`(trailers)` is `0 CRLF trailers CRLF`;
 *   {@link serializeTrailers} renders `addTrailers()` input (`Trailer name`
 *   validation, `ERR_INVALID_CHAR` for bad values).
 *
 * @example
 * ```ts
 * const st = createHeadState("HTTP/1.1 200 OK\r\n");
 * addHeaders(st, { "Content-Type": "text/plain", "Set-Cookie": ["a=1", "b=2"] }, true);
 * if (!st.contentLength && !st.transferEncoding) appendLine(st, "Transfer-Encoding", "chunked");
 * const head = finishHead(st); // "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\n..."
 * ```
 *
 * @module
 */

import { checkInvalidHeaderChar, validateHeaderName, validateHeaderValue } from "./headers.ts";
import { ERR_INVALID_ARG_VALUE, ERR_INVALID_CHAR } from "./errors.ts";

/** A value `setHeader` accepts: strings, numbers, or lists of them (repeated lines). */
export type OutgoingHeaderValue = string | number | readonly (string | number)[];

/**
 * Header store of an outgoing message: lower-cased name → `[name as set, value]`,
 * insertion-ordered (Node's `kOutHeaders`).
 */
export type HeaderStore = Map<string, [string, OutgoingHeaderValue]>;

/** Anything `writeHead`/`request({ headers })` accepts as headers. */
export type HeadersInput =
  | Readonly<Record<string, OutgoingHeaderValue | undefined>>
  | readonly (string | number | readonly (string | number)[])[]
  | readonly (readonly [string, OutgoingHeaderValue])[]
  | HeaderStore;

/** A head being built plus what was noticed in it. */
export interface HeadState {
  /** The head text so far (first line and header lines, each with CRLF). */
  text: string;
  /** A `Connection` field was added. */
  connection: boolean;
  /** A `Connection` field had the `close` token. */
  connectionClose: boolean;
  /** A `Connection` field without the `close` token was added (keep-alive, upgrade, ...). */
  connectionOther: boolean;
  /** A `Content-Length` field was added. */
  contentLength: boolean;
  /** `+value` of the last `Content-Length` (NaN when not numeric), as Node's `_contentLength`. */
  contentLengthValue: number;
  /** A `Transfer-Encoding` field was added. */
  transferEncoding: boolean;
  /** A `Transfer-Encoding` field had the `chunked` token. */
  chunked: boolean;
  /** A `Date` field was added. */
  date: boolean;
  /** An `Expect` field was added. */
  expect: boolean;
  /** A `Trailer` field was added. */
  trailer: boolean;
  /** A `Keep-Alive` field was added. */
  keepAlive: boolean;
  /** A `Host` field was added. */
  host: boolean;
  /** An `Upgrade` field was added. */
  upgrade: boolean;
}

const RE_CONN_CLOSE = /(?:^|\W)close(?:$|\W)/i;
const RE_TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

/**
 * Starts a head with `firstLine` (which ends with CRLF).
 *
 * @example
 * ```ts
 * const st = createHeadState("GET / HTTP/1.1\r\n");
 * ```
 */
export function createHeadState(firstLine: string): HeadState {
  return {
    text: firstLine,
    connection: false,
    connectionClose: false,
    connectionOther: false,
    contentLength: false,
    contentLengthValue: NaN,
    transferEncoding: false,
    chunked: false,
    date: false,
    expect: false,
    trailer: false,
    keepAlive: false,
    host: false,
    upgrade: false,
  };
}

function note(state: HeadState, name: string, value: string | number): void {
  const n = name.length;
  if (n < 4 || n > 17) return;
  switch (name.toLowerCase()) {
    case "connection":
      state.connection = true;
      if (RE_CONN_CLOSE.test(String(value))) state.connectionClose = true;
      else state.connectionOther = true;
      break;
    case "transfer-encoding":
      state.transferEncoding = true;
      if (RE_TE_CHUNKED.test(String(value))) state.chunked = true;
      break;
    case "content-length":
      state.contentLength = true;
      state.contentLengthValue = +value;
      break;
    case "date":
      state.date = true;
      break;
    case "expect":
      state.expect = true;
      break;
    case "trailer":
      state.trailer = true;
      break;
    case "keep-alive":
      state.keepAlive = true;
      break;
    case "host":
      state.host = true;
      break;
    case "upgrade":
      state.upgrade = true;
      break;
  }
}

let utf8Decoder: TextDecoder | null = null;

/**
 * Node sends a `Content-Disposition` value that follows a known Content-Length
 * as `Buffer.from(value, "latin1")` turned back into text (RFC 6266 section 4.3,
 * nodejs/node#46528): its bytes read as UTF-8.
 */
function dispositionValue(value: string | number): string {
  const s = String(value);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  utf8Decoder ??= new TextDecoder();
  return utf8Decoder.decode(bytes);
}

function storeLine(
  state: HeadState,
  name: string,
  value: string | number,
  validate: boolean,
): void {
  if (validate) validateHeaderValue(name, value);
  if (
    name.length === 19 && state.contentLengthValue &&
    name.toLowerCase() === "content-disposition"
  ) value = dispositionValue(value);
  state.text += name + ": " + value + "\r\n";
  note(state, name, value);
}

function isCookie(name: string): boolean {
  return name.length === 6 && name.toLowerCase() === "cookie";
}

/**
 * Appends one header field as Node's `processHeader` does (see the module doc).
 *
 * @example
 * ```ts
 * addHeader(st, "Set-Cookie", ["a=1", "b=2"], true); // two lines
 * ```
 */
export function addHeader(
  state: HeadState,
  name: string,
  value: OutgoingHeaderValue | undefined,
  validate: boolean,
  unique?: ReadonlySet<string> | null,
): void {
  if (validate) validateHeaderName(name);
  if (Array.isArray(value)) {
    const list = value as readonly (string | number)[];
    if ((list.length < 2 || !isCookie(name)) && (!unique || !unique.has(name.toLowerCase()))) {
      for (let i = 0; i < list.length; i++) storeLine(state, name, list[i], validate);
      return;
    }
    storeLine(state, name, list.join("; "), validate);
    return;
  }
  storeLine(state, name, value as string | number, validate);
}

/**
 * Appends a whole header collection (object, flat raw array, array of pairs, or a
 * {@link HeaderStore}).
 *
 * @example
 * ```ts
 * addHeaders(st, ["Content-Type", "text/plain", "X-A", "1"], true);
 * ```
 */
export function addHeaders(
  state: HeadState,
  headers: HeadersInput,
  validate: boolean,
  unique?: ReadonlySet<string> | null,
): void {
  if (headers instanceof Map) {
    for (const entry of headers.values()) addHeader(state, entry[0], entry[1], false, unique);
    return;
  }
  if (Array.isArray(headers)) {
    const arr = headers as readonly unknown[];
    if (arr.length > 0 && Array.isArray(arr[0])) {
      for (let i = 0; i < arr.length; i++) {
        const e = arr[i] as readonly [string, OutgoingHeaderValue];
        addHeader(state, e[0], e[1], validate, unique);
      }
      return;
    }
    if (arr.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE("headers", headers);
    for (let i = 0; i < arr.length; i += 2) {
      addHeader(state, arr[i] as string, arr[i + 1] as OutgoingHeaderValue, validate, unique);
    }
    return;
  }
  const obj = headers as Readonly<Record<string, OutgoingHeaderValue | undefined>>;
  for (const key in obj) {
    if (Object.prototype.hasOwnProperty.call(obj, key)) {
      addHeader(state, key, obj[key], validate, unique);
    }
  }
}

/**
 * Appends a generated line (no validation, nothing noted).
 *
 * @example
 * ```ts
 * appendLine(st, "Connection", "keep-alive");
 * ```
 */
export function appendLine(state: HeadState, name: string, value: string): void {
  state.text += name + ": " + value + "\r\n";
}

/**
 * Ends the head (the blank line) and returns its text.
 *
 * @example
 * ```ts
 * finishHead(createHeadState("HTTP/1.1 204 No Content\r\n")); // "HTTP/1.1 204 No Content\r\n\r\n"
 * ```
 */
export function finishHead(state: HeadState): string {
  return state.text + "\r\n";
}

/** Trailer input as `addTrailers()` takes it: an object, or an array of `[name, value]` pairs. */
export type TrailersInput =
  | Readonly<Record<string, OutgoingHeaderValue>>
  | readonly (readonly [string, OutgoingHeaderValue])[];

function checkTrailerValue(name: string, value: string | number): void {
  if (checkInvalidHeaderChar(String(value))) throw ERR_INVALID_CHAR("trailer content", name);
}

/**
 * Renders trailer fields as Node's `addTrailers()` does (each line with CRLF,
 * no final blank line). Array values of 2+ items become repeated lines unless
 * the name is in `unique` (then joined with `"; "`).
 *
 * @example
 * ```ts
 * serializeTrailers({ "Content-MD5": "abc" }); // "Content-MD5: abc\r\n"
 * ```
 */
export function serializeTrailers(
  trailers: TrailersInput,
  unique?: ReadonlySet<string> | null,
  partial?: { _trailer: string },
): string {
  let out = "";
  const isArray = Array.isArray(trailers);
  const keys = Object.keys(trailers);
  try {
    for (let i = 0; i < keys.length; i++) {
      let name: string;
      let value: OutgoingHeaderValue;
      if (isArray) {
        const e = (trailers as readonly (readonly [string, OutgoingHeaderValue])[])[i];
        name = e[0];
        value = e[1];
      } else {
        name = keys[i];
        value = (trailers as Readonly<Record<string, OutgoingHeaderValue>>)[name];
      }
      validateHeaderName(name, "Trailer name");
      if (Array.isArray(value)) {
        const list = value as readonly (string | number)[];
        if (list.length > 1 && (!unique || !unique.has(name.toLowerCase()))) {
          for (let j = 0; j < list.length; j++) {
            checkTrailerValue(name, list[j]);
            out += name + ": " + list[j] + "\r\n";
          }
          continue;
        }
        value = list.join("; ");
      }
      checkTrailerValue(name, value as string | number);
      out += name + ": " + value + "\r\n";
    }
  } catch (e) {
    // As Node's addTrailers: the lines before the bad one stay set.
    if (partial) partial._trailer = out;
    throw e;
  }
  return out;
}

/**
 * The end of a chunked body: `0 CRLF`, the trailer lines, CRLF.
 *
 * @example
 * ```ts
 * lastChunk(""); // "0\r\n\r\n"
 * ```
 */
export function lastChunk(trailers: string): string {
  return "0\r\n" + trailers + "\r\n";
}

const HEX = "0123456789abcdef";

/** Number of hex digits of `n` (n ≥ 0). */
function hexDigits(n: number): number {
  let d = 1;
  while (n >= 16) {
    n = Math.floor(n / 16);
    d++;
  }
  return d;
}

/**
 * Writes `hex(size) CRLF` into `target` at `offset`; returns the offset after it.
 *
 * @example
 * ```ts
 * writeChunkHeader(new Uint8Array(8), 0, 255); // 4 ("ff\r\n")
 * ```
 */
export function writeChunkHeader(target: Uint8Array, offset: number, size: number): number {
  const d = hexDigits(size);
  let n = size;
  for (let i = d - 1; i >= 0; i--) {
    target[offset + i] = HEX.charCodeAt(n % 16);
    n = Math.floor(n / 16);
  }
  target[offset + d] = 13;
  target[offset + d + 1] = 10;
  return offset + d + 2;
}

/**
 * Bytes of the framing around a chunk of `size` bytes (`hex CRLF` + `CRLF`).
 *
 * @example
 * ```ts
 * chunkOverhead(10); // 5
 * ```
 */
export function chunkOverhead(size: number): number {
  return hexDigits(size) + 4;
}

/**
 * Frames `data` as one chunk (`hex-size CRLF data CRLF`) in a single new array.
 * Empty `data` gives an empty array (an empty chunk would end the body).
 *
 * @example
 * ```ts
 * frameChunk(new TextEncoder().encode("hi")); // "2\r\nhi\r\n"
 * ```
 */
export function frameChunk(data: Uint8Array): Uint8Array {
  const size = data.byteLength;
  if (size === 0) return new Uint8Array(0);
  const out = new Uint8Array(size + chunkOverhead(size));
  const off = writeChunkHeader(out, 0, size);
  out.set(data, off);
  out[off + size] = 13;
  out[off + size + 1] = 10;
  return out;
}
