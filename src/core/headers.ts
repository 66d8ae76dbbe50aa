/**
 * Header validation and incoming-header objects, with Node's rules.
 *
 * @module
 */

import {
  ERR_HTTP_INVALID_HEADER_VALUE,
  ERR_INVALID_CHAR,
  ERR_INVALID_HTTP_TOKEN,
} from "./errors.ts";

/** 1 for each tchar of RFC 9110 (`!#$%&'*+-.^_`|~`, digits, letters). */
const TOKEN = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TOKEN[ch.charCodeAt(0)] = 1;

/**
 * True when `s` is a non-empty HTTP token (only tchar characters), as Node's
 * `checkIsHttpToken`. Used for method names and header names.
 *
 * @example
 * ```ts
 * checkIsHttpToken("Content-Type"); // true
 * checkIsHttpToken("a b"); // false
 * ```
 */
export function checkIsHttpToken(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

/**
 * True when `s` holds a character not allowed in a header value: anything but
 * HTAB, 0x20-0x7E and 0x80-0xFF (so CR, LF, NUL, DEL and chars above 0xFF are invalid).
 *
 * @example
 * ```ts
 * checkInvalidHeaderChar("ok value"); // false
 * checkInvalidHeaderChar("bad\r\nvalue"); // true
 * ```
 */
export function checkInvalidHeaderChar(s: string): boolean {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09) return true;
    } else if (c === 0x7f || c > 0xff) {
      return true;
    }
  }
  return false;
}

/**
 * Throws `ERR_INVALID_HTTP_TOKEN` (`${label} must be a valid HTTP token ["name"]`)
 * unless `name` is a non-empty string made only of token characters.
 *
 * @example
 * ```ts
 * validateHeaderName("x-ok");
 * validateHeaderName("a b"); // throws TypeError [ERR_INVALID_HTTP_TOKEN]
 * ```
 */
export function validateHeaderName(name: string, label?: string): void {
  if (typeof name !== "string" || !name || !checkIsHttpToken(name)) {
    throw ERR_INVALID_HTTP_TOKEN(label || "Header name", name);
  }
}

/**
 * Throws `ERR_HTTP_INVALID_HEADER_VALUE` when `value` is undefined and
 * `ERR_INVALID_CHAR` when its string form holds an invalid character. As in
 * Node, non-strings are checked through their string conversion (an array
 * `["a", "b"]` as `"a,b"`, so each element is checked).
 *
 * @example
 * ```ts
 * validateHeaderValue("x-a", "fine");
 * validateHeaderValue("x-a", "no\nway"); // throws TypeError [ERR_INVALID_CHAR]
 * ```
 */
export function validateHeaderValue(name: string, value: unknown): void {
  if (value === undefined) throw ERR_HTTP_INVALID_HEADER_VALUE(value, name);
  // A template literal converts like Node's RegExp test does (and throws for symbols too).
  const s = typeof value === "string" ? value : `${value as string}`;
  if (checkInvalidHeaderChar(s)) throw ERR_INVALID_CHAR("header content", name);
}

// ---------------------------------------------------------------------------
// Lower-casing header names

/** Common header names, grouped by length: [lower-case, canonical-case]. */
const KNOWN_NAMES: string[][] = [
  "Age",
  "Via",
  "TE",
  "DNT",
  "Host",
  "Date",
  "ETag",
  "From",
  "Vary",
  "Link",
  "Allow",
  "Range",
  "Accept",
  "Cookie",
  "Server",
  "Origin",
  "Pragma",
  "Expect",
  "Expires",
  "Referer",
  "Upgrade",
  "Trailer",
  "Warning",
  "If-Match",
  "Location",
  "If-Range",
  "Forwarded",
  "Connection",
  "Keep-Alive",
  "Set-Cookie",
  "User-Agent",
  "Retry-After",
  "Content-MD5",
  "Content-Type",
  "Max-Forwards",
  "Accept-Ranges",
  "Authorization",
  "Cache-Control",
  "If-None-Match",
  "Last-Modified",
  "Content-Range",
  "Accept-Charset",
  "Content-Length",
  "Accept-Encoding",
  "Accept-Language",
  "X-Forwarded-For",
  "Referrer-Policy",
  "X-Requested-With",
  "Content-Encoding",
  "Content-Language",
  "Content-Location",
  "WWW-Authenticate",
  "Sec-WebSocket-Key",
  "X-Forwarded-Host",
  "X-Forwarded-Proto",
  "If-Modified-Since",
  "Transfer-Encoding",
  "Proxy-Connection",
  "Proxy-Authenticate",
  "Content-Disposition",
  "If-Unmodified-Since",
  "Proxy-Authorization",
  "Sec-WebSocket-Accept",
  "Sec-WebSocket-Version",
  "Sec-WebSocket-Protocol",
  "Sec-WebSocket-Extensions",
  "Strict-Transport-Security",
  "Upgrade-Insecure-Requests",
  "Access-Control-Allow-Origin",
].reduce<string[][]>((byLength, canonical) => {
  const list = (byLength[canonical.length] ??= []);
  list.push(canonical.toLowerCase(), canonical);
  return byLength;
}, []);

/**
 * Lower-cases a header name. Common names spelled in lower case or in their
 * canonical case (`Content-Type`, `ETag`, ...) return a shared interned string
 * without allocating; others go through `toLowerCase()`.
 *
 * @example
 * ```ts
 * toLowerCaseHeader("Content-Length"); // "content-length"
 * toLowerCaseHeader("X-Custom"); // "x-custom"
 * ```
 */
export function toLowerCaseHeader(name: string): string {
  const list = KNOWN_NAMES[name.length];
  if (list !== undefined) {
    for (let i = 0; i < list.length; i += 2) {
      if (name === list[i] || name === list[i + 1]) return list[i];
    }
  }
  return name.toLowerCase();
}

// ---------------------------------------------------------------------------
// message.headers / message.headersDistinct

/** How duplicates of a lower-cased header name are merged. */
const JOIN_COMMA = 0;
const DISCARD = 1;
const SET_COOKIE = 2;
const JOIN_SEMICOLON = 3;

const DUPLICATE_RULES: Map<string, number> = new Map([
  ["age", DISCARD],
  ["authorization", DISCARD],
  ["content-length", DISCARD],
  ["content-type", DISCARD],
  ["etag", DISCARD],
  ["expires", DISCARD],
  ["from", DISCARD],
  ["host", DISCARD],
  ["if-modified-since", DISCARD],
  ["if-unmodified-since", DISCARD],
  ["last-modified", DISCARD],
  ["location", DISCARD],
  ["max-forwards", DISCARD],
  ["proxy-authorization", DISCARD],
  ["referer", DISCARD],
  ["retry-after", DISCARD],
  ["server", DISCARD],
  ["user-agent", DISCARD],
  ["set-cookie", SET_COOKIE],
  ["cookie", JOIN_SEMICOLON],
]);

/**
 * True for the header names whose duplicates `message.headers` discards
 * (first value wins) unless `joinDuplicateHeaders` is set.
 *
 * @example
 * ```ts
 * isSingleValueHeader("content-type"); // true
 * isSingleValueHeader("accept"); // false
 * ```
 */
export function isSingleValueHeader(lowerName: string): boolean {
  return DUPLICATE_RULES.get(lowerName) === DISCARD;
}

/**
 * Adds `[name, value, ...]` pairs to a `message.headers`-style object with the
 * docs' rules: keys lower-cased; duplicates of age, authorization,
 * content-length, content-type, etag, expires, from, host, if-modified-since,
 * if-unmodified-since, last-modified, location, max-forwards,
 * proxy-authorization, referer, retry-after, server, user-agent are discarded
 * (first wins) — or joined with `, ` when `joinDuplicateHeaders`;
 * `set-cookie` is always an array; `cookie` values are joined with `; `; all
 * other duplicates are joined with `, `.
 *
 * @example
 * ```ts
 * const headers: Record<string, string | string[]> = {};
 * addIncomingHeaders(headers, ["Host", "a", "HOST", "b", "Accept", "x", "accept", "y"]);
 * // { host: "a", accept: "x, y" }
 * ```
 */
export function addIncomingHeaders(
  target: Record<string, string | string[]>,
  rawHeaders: readonly string[],
  joinDuplicateHeaders?: boolean,
): void {
  const n = rawHeaders.length - 1;
  for (let i = 0; i < n; i += 2) {
    const key = toLowerCaseHeader(rawHeaders[i]);
    const value = rawHeaders[i + 1];
    const rule = DUPLICATE_RULES.get(key) ?? JOIN_COMMA;
    if (rule === JOIN_COMMA || rule === JOIN_SEMICOLON) {
      // Node assigns to a plain object, where "__proto__" = string is a no-op:
      // the header is dropped. Do so explicitly (Deno has no __proto__ setter).
      if (key === "__proto__") continue;
      const prev = target[key];
      if (typeof prev === "string") {
        target[key] = prev + (rule === JOIN_COMMA ? ", " : "; ") + value;
      } else {
        target[key] = value;
      }
    } else if (rule === SET_COOKIE) {
      const prev = target[key];
      if (prev !== undefined) (prev as string[]).push(value);
      else target[key] = [value];
    } else {
      const prev = target[key];
      if (prev === undefined) target[key] = value;
      else if (joinDuplicateHeaders) target[key] = prev + ", " + value;
    }
  }
}

/**
 * Builds `message.headersDistinct`: every lower-cased name maps to the array of
 * all its values in order, with no joining. Like Node's, the object has a null
 * prototype.
 *
 * @example
 * ```ts
 * buildDistinctHeaders(["Accept", "a", "ACCEPT", "b"]); // { accept: ["a", "b"] }
 * ```
 */
export function buildDistinctHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  const n = rawHeaders.length - 1;
  for (let i = 0; i < n; i += 2) {
    const key = toLowerCaseHeader(rawHeaders[i]);
    const value = rawHeaders[i + 1];
    if (Object.prototype.hasOwnProperty.call(out, key)) {
      out[key].push(value);
    } else if (key === "__proto__") {
      Object.defineProperty(out, key, {
        value: [value],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else {
      out[key] = [value];
    }
  }
  return out;
}

/**
 * Node's `parseUniqueHeadersOption` for the `uniqueHeaders` option of servers
 * and requests: an array of names becomes a Set of lower-cased names; anything
 * else means "no unique headers" (`null`). Values of those headers are sent
 * once, array items joined with `; ` (see {@link joinUniqueHeaderValue}).
 *
 * @example
 * ```ts
 * parseUniqueHeadersOption(["X-Trace"]); // Set { "x-trace" }
 * ```
 */
export function parseUniqueHeadersOption(headers: unknown): Set<string> | null {
  if (!Array.isArray(headers)) return null;
  const unique = new Set<string>();
  for (let i = 0; i < headers.length; i++) unique.add(String(headers[i]).toLowerCase());
  return unique;
}

/**
 * The single value sent for a header listed in `uniqueHeaders`: array items
 * joined with `; `, other values as strings.
 *
 * @example
 * ```ts
 * joinUniqueHeaderValue(["a=1", "b=2"]); // "a=1; b=2"
 * ```
 */
export function joinUniqueHeaderValue(value: unknown): string {
  return Array.isArray(value) ? value.join("; ") : String(value);
}
