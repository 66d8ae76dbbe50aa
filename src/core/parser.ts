/**
 * Incremental HTTP/1.x parser for requests and responses.
 *
 * A byte-level state machine in the spirit of llhttp in strict mode: input may
 * be split at any byte, several messages may arrive in one chunk (pipelining),
 * errors carry llhttp's codes and reason strings as Node reports them. Complete
 * request/status lines and header lines take a fast path (tight table-driven
 * loops); anything unusual or cut by a chunk boundary goes through the
 * byte-level states. A head is decoded once (latin1, one character per byte)
 * and fields are substrings of it; body pieces are views of the input.
 *
 * Where Node 20 (llhttp 9) is more lenient than RFC 9112, the strict reading is
 * applied (`lenient` gives Node's `insecureHTTPParser` relaxations back): only
 * `HTTP/1.0` and `HTTP/1.1` (no HTTP/0.9 line, no RTSP/ICE protocol), exactly
 * one SP between the parts of the request line, no request whose only
 * `Transfer-Encoding` field is empty, no control bytes in a reason phrase, and
 * an HTTP/1.0 message with `Transfer-Encoding` is never keep-alive (RFC 9112
 * 6.1). Where RFC 9110 lets a recipient choose, Node's choice is made: a
 * `Content-Length` list (even of identical values) or a repeated
 * `Content-Length` field is refused, and so is anything after `chunked` in a
 * request's `Transfer-Encoding`, an empty list element included (`lenient`
 * accepts identical values and empty elements). As in Node, the framing fields
 * are read byte by byte: a bad `Content-Length` or `Transfer-Encoding` fails as
 * soon as its byte comes, only SP may follow a token in them (`chunked\t` is
 * not chunked, `5\t` no length), and lengths go up to 2^64 - 1.
 *
 * @example
 * ```ts
 * const p = new HTTPParser("request", {
 *   onHeaders(head) { console.log(head.method, head.url); return HEADERS_BODY; },
 *   onBody(chunk) { console.log(chunk.length); },
 *   onComplete() { console.log("done"); },
 * });
 * p.execute(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: a\r\n\r\n"));
 * ```
 *
 * @module
 */

import { MAX_HEADER_SIZE, MAX_HEADERS_COUNT, METHODS } from "./constants.ts";
import { latin1Decode } from "./latin1.ts";

/** Which side of the conversation the parser reads. */
export type ParserKind = "request" | "response";

/** Limits and leniency. */
export interface ParserOptions {
  /**
   * Max bytes of a message head (default 16384). Counted as Node counts them:
   * the request target or reason phrase plus every header name and value
   * (trailers are counted separately); reaching the limit is HPE_HEADER_OVERFLOW.
   */
  maxHeaderSize?: number;
  /** Header pairs kept in `rawHeaders` (default 2000); extra pairs are parsed and dropped, as Node does. 0 = no limit. */
  maxHeadersCount?: number;
  /** Node's `insecureHTTPParser`: relax only what Node's lenient flags relax. */
  lenient?: boolean;
}

/** The head of a message, given to `onHeaders`. */
export interface MessageHead {
  /** HTTP major version (1). */
  versionMajor: number;
  /** HTTP minor version (0 or 1). */
  versionMinor: number;
  /** `[name, value, name, value, ...]`, names as sent, values without OWS, bytes decoded latin1 (one char per byte). */
  rawHeaders: string[];
  /** Request method ("GET", ...); "" on responses. */
  method: string;
  /** Request target as sent; "" on responses. */
  url: string;
  /** Response status code; 0 on requests. */
  statusCode: number;
  /** Response reason phrase (latin1); "" on requests. */
  statusMessage: string;
  /**
   * Request: CONNECT, or an Upgrade header with an "upgrade" token in Connection.
   * Response: 101 with Upgrade. The owner decides with the return value of `onHeaders`.
   */
  upgrade: boolean;
  /** Whether the connection may carry another message after this one (llhttp's rules). */
  shouldKeepAlive: boolean;
  /** A `Host` field is among `rawHeaders`. */
  host: boolean;
  /** An `Expect` field is among `rawHeaders`. */
  expect: boolean;
  /** A `Transfer-Encoding` field was received. */
  transferEncoding: boolean;
}

/** What `onHeaders` answers. */
export const HEADERS_BODY = 0;
/** No body follows although the framing headers say so (response to HEAD, or to CONNECT that is not 2xx). */
export const HEADERS_SKIP_BODY = 1;
/**
 * No body; stop parsing after the head: the rest of the bytes belong to another protocol.
 * As llhttp does, `onComplete([])` is called for the message right away, then `upgraded`
 * is set and `execute()` returns the index just after the head.
 */
export const HEADERS_UPGRADE = 2;

/** Callbacks, called synchronously inside `execute()`/`finish()`. */
export interface ParserCallbacks {
  /** The head is complete. Return HEADERS_BODY, HEADERS_SKIP_BODY or HEADERS_UPGRADE. */
  onHeaders(head: MessageHead): number;
  /** A piece of body (de-chunked). A view into the input chunk: valid as long as the caller keeps that chunk. */
  onBody(chunk: Uint8Array): void;
  /** The message is complete. `rawTrailers` as rawHeaders (empty when none). */
  onComplete(rawTrailers: string[]): void;
}

/** A parse failure, carrying llhttp's code and reason as Node reports them. */
export class ParseError extends Error {
  /** `HPE_INVALID_METHOD`, `HPE_HEADER_OVERFLOW`, ... */
  code: string;
  /** llhttp's reason text, e.g. "Invalid method encountered". */
  reason: string;
  /** Bytes of the current `execute()` chunk consumed before the error. */
  bytesParsed: number;
  /** The chunk being parsed when the error happened. */
  rawPacket: Uint8Array | undefined;
  /** Creates the error; the message is `Parse Error: ${reason}` as in Node. */
  constructor(code: string, reason: string, bytesParsed = 0, rawPacket?: Uint8Array) {
    super(`Parse Error: ${reason}`);
    this.name = "Error";
    this.code = code;
    this.reason = reason;
    this.bytesParsed = bytesParsed;
    this.rawPacket = rawPacket;
  }
}

/** Largest total size of one chunk's extensions (names and values), as Node's `kMaxChunkExtensionsSize`. */
export const MAX_CHUNK_EXTENSIONS_SIZE = 16384;

// ---------------------------------------------------------------------------
// Character classes (one lookup per byte on the hot paths).

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;

/** tchar (RFC 9110 5.6.2). */
const TOKEN = new Uint8Array(256);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "!#$%&'*+-.^_`|~") TOKEN[ch.charCodeAt(0)] = 1;

/** field-vchar / SP / HTAB: header values and reason phrases (obs-text allowed). */
const VALUE = new Uint8Array(256);
VALUE[HT] = 1;
for (let c = 0x20; c <= 0xff; c++) if (c !== 0x7f) VALUE[c] = 1;

/** Bytes of a request target: visible US-ASCII (llhttp's strict URL chars). */
const URL_CHAR = new Uint8Array(256);
for (let c = 0x21; c <= 0x7e; c++) URL_CHAR[c] = 1;

/** qdtext of a quoted chunk-extension value. */
const QDTEXT = new Uint8Array(256);
QDTEXT[HT] = 1;
QDTEXT[SP] = 1;
QDTEXT[0x21] = 1;
for (let c = 0x23; c <= 0x5b; c++) QDTEXT[c] = 1;
for (let c = 0x5d; c <= 0x7e; c++) QDTEXT[c] = 1;
for (let c = 0x80; c <= 0xff; c++) QDTEXT[c] = 1;

/** Hex digit value + 1 (0 = not a hex digit). */
const HEX = new Uint8Array(256);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c + 1;
for (let c = 0; c < 6; c++) {
  HEX[0x41 + c] = c + 11;
  HEX[0x61 + c] = c + 11;
}

/** Method strings grouped by `length * 256 + first byte`, interned. */
const METHOD_TABLE: Map<number, string[]> = new Map();
for (const m of METHODS) {
  const key = m.length * 256 + m.charCodeAt(0);
  const list = METHOD_TABLE.get(key);
  if (list) list.push(m);
  else METHOD_TABLE.set(key, [m]);
}

/**
 * Methods llhttp reads in a request line that Node never serves over HTTP:
 * RTSP's (refused once the protocol is read), and `PRI`, which must be the
 * start of the HTTP/2 connection preface.
 */
const OTHER_METHODS: readonly string[] = [
  "DESCRIBE",
  "ANNOUNCE",
  "SETUP",
  "PLAY",
  "PAUSE",
  "TEARDOWN",
  "GET_PARAMETER",
  "SET_PARAMETER",
  "REDIRECT",
  "RECORD",
  "FLUSH",
  "PRI",
];

/**
 * The names llhttp's method matcher walks: it rejects a method at the first
 * byte that leaves all of them, which sets `bytesParsed`.
 */
const METHOD_TRIE_NAMES: readonly string[] = METHODS.concat(OTHER_METHODS);
/** Longest method name llhttp reads. */
const MAX_METHOD_LENGTH = METHOD_TRIE_NAMES.reduce((n, m) => Math.max(n, m.length), 0);

/** `\r\nSM\r\n\r\n`: what follows `PRI * HTTP/2.0\r\n` in the HTTP/2 preface. */
const PRI_REST = [CR, LF, 0x53, 0x4d, CR, LF, CR, LF];

/** How many leading chars of `s` some known method name starts with. */
function methodPrefixLength(s: string): number {
  let best = 0;
  for (let k = 0; k < METHOD_TRIE_NAMES.length; k++) {
    const m = METHOD_TRIE_NAMES[k];
    let n = 0;
    while (n < m.length && n < s.length && m.charCodeAt(n) === s.charCodeAt(n)) n++;
    if (n > best) best = n;
  }
  return best;
}

function lookupMethod(data: Uint8Array, start: number, end: number): string | null {
  const list = METHOD_TABLE.get((end - start) * 256 + data[start]);
  if (list === undefined) return null;
  outer: for (let k = 0; k < list.length; k++) {
    const m = list[k];
    for (let j = 1; j < m.length; j++) {
      if (m.charCodeAt(j) !== data[start + j]) continue outer;
    }
    return m;
  }
  return null;
}

function lookupMethodString(s: string): string | null {
  if (s.length === 0) return null;
  const list = METHOD_TABLE.get(s.length * 256 + s.charCodeAt(0));
  if (list === undefined) return null;
  for (let k = 0; k < list.length; k++) if (list[k] === s) return list[k];
  return null;
}

// ---------------------------------------------------------------------------
// Decoding. Where the runtime has Node's Buffer (Node, Bun, Deno 2), its
// native latin1Slice decodes a byte range in one call; elsewhere the portable
// decoder. A head is decoded in windows (one call for a typical head) and each
// field is a substring of the window.

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
const nativeLatin1: Latin1Slice | null = (() => {
  const B = (globalThis as unknown as { Buffer?: { prototype?: { latin1Slice?: unknown } } })
    .Buffer;
  const fn = B?.prototype?.latin1Slice;
  if (typeof fn !== "function") return null;
  try {
    // Must accept a plain Uint8Array receiver and map every byte to one char.
    const probe = new Uint8Array([0x41, 0x80, 0xff]);
    const s = (fn as Latin1Slice).call(probe, 0, 3);
    return s === "A\u0080\u00ff" ? fn as Latin1Slice : null;
  } catch {
    return null;
  }
})();

function decodeRange(data: Uint8Array, start: number, end: number): string {
  if (end <= start) return "";
  return nativeLatin1 !== null
    ? nativeLatin1.call(data, start, end)
    : latin1Decode(data, start, end);
}

/** Bytes decoded at once when a head field is needed. */
const WINDOW = 2048;

/** Removes trailing SP/HTAB. */
function trimEnd(s: string): string {
  let e = s.length;
  while (e > 0) {
    const c = s.charCodeAt(e - 1);
    if (c !== SP && c !== HT) break;
    e--;
  }
  return e === s.length ? s : s.slice(0, e);
}

/** `s` equals the lower-case ASCII `lower`, ignoring case (s holds tchars only). */
function eqLower(s: string, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if ((s.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** `s` equals the lower-case ASCII `lower`, ignoring ASCII case (any chars). */
function eqIgnoreCase(s: string, lower: string): boolean {
  if (s.length !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// Header names with a framing meaning.
const H_OTHER = 0;
const H_CONTENT_LENGTH = 1;
const H_TRANSFER_ENCODING = 2;
const H_CONNECTION = 3;
const H_UPGRADE = 4;
const H_HOST = 5;
const H_EXPECT = 6;

function headerKind(name: string): number {
  switch (name.length) {
    case 4:
      return eqLower(name, "host") ? H_HOST : H_OTHER;
    case 6:
      return eqLower(name, "expect") ? H_EXPECT : H_OTHER;
    case 7:
      return eqLower(name, "upgrade") ? H_UPGRADE : H_OTHER;
    case 10:
      return eqLower(name, "connection") ? H_CONNECTION : H_OTHER;
    case 14:
      return eqLower(name, "content-length") ? H_CONTENT_LENGTH : H_OTHER;
    case 16:
      return eqLower(name, "proxy-connection") ? H_CONNECTION : H_OTHER;
    case 17:
      return eqLower(name, "transfer-encoding") ? H_TRANSFER_ENCODING : H_OTHER;
  }
  return H_OTHER;
}

// ---------------------------------------------------------------------------
// States.

const S_MSG_START = 0;
const S_REQ_METHOD = 1;
const S_REQ_URL_START = 2;
const S_REQ_URL = 3;
const S_REQ_PROTO = 4;
const S_REQ_MAJOR = 5;
const S_REQ_DOT = 6;
const S_REQ_MINOR = 7;
const S_REQ_LINE_CR = 8;
const S_REQ_LINE_LF = 9;
const S_RES_PROTO = 10;
const S_RES_MAJOR = 11;
const S_RES_DOT = 12;
const S_RES_MINOR = 13;
const S_RES_SP = 14;
const S_RES_STATUS = 15;
const S_RES_AFTER_STATUS = 16;
const S_RES_REASON = 17;
const S_RES_LINE_LF = 18;
const S_HEADERS_START = 19;
const S_FIELD_START = 20;
const S_FIELD = 21;
const S_FIELD_COLON_WS = 22;
const S_VALUE_WS = 23;
const S_VALUE = 24;
const S_VALUE_LF = 25;
const S_VALUE_LWS = 26;
const S_HEADERS_LF = 27;
const S_BODY_CL = 28;
const S_BODY_EOF = 29;
const S_CHUNK_SIZE_START = 30;
const S_CHUNK_SIZE = 31;
const S_CHUNK_SIZE_WS = 32;
const S_CHUNK_EXT_NAME_START = 33;
const S_CHUNK_EXT_NAME = 34;
const S_CHUNK_EXT_VALUE_START = 35;
const S_CHUNK_EXT_VALUE = 36;
const S_CHUNK_EXT_QUOTED = 37;
const S_CHUNK_EXT_QPAIR = 38;
const S_CHUNK_EXT_QDONE = 39;
const S_CHUNK_SIZE_LF = 40;
const S_CHUNK_DATA = 41;
const S_CHUNK_DATA_CR = 42;
const S_CHUNK_DATA_LF = 43;
/** After a `PRI` request line: the rest of the HTTP/2 connection preface. */
const S_PRI_PREFACE = 44;
const S_CLOSED = 45;
const S_DEAD = 46;
/** Inside `onHeaders`: not parsing, but within a message. */
const S_CALLBACK = 47;

/** "HTTP/" */
const PROTO = [0x48, 0x54, 0x54, 0x50, 0x2f];
/** 16^12: a chunk size at least this large has 13 significant hex digits or more. */
const HEX_13_DIGITS = 0x1000000000000;
/** `RTSP/` and `ICE/`, the other protocol names llhttp takes in a status line. */
const RTSP_PROTO = [0x52, 0x54, 0x53, 0x50, 0x2f];
const ICE_PROTO = [0x49, 0x43, 0x45, 0x2f];

/** Sentinel returned by the head/complete helpers: stop `execute()` now. */
const STOP = -1;

const EMPTY_VIEW = new Uint8Array(0);

/** Incremental parser: feed bytes split anywhere; callbacks fire as messages are recognised. */
export class HTTPParser {
  /** Set once an error happened; `execute` then does nothing until `reset`. */
  error: ParseError | null = null;
  /** Set when a head was answered with HEADERS_UPGRADE: the bytes after it are not HTTP. */
  upgraded = false;

  private isRequest: boolean;
  private cb: ParserCallbacks;
  private maxHeaderSize: number;
  private maxHeaderEntries: number;
  private lenient: boolean;

  private state = S_MSG_START;
  private paused = false;
  private epoch = 0;
  /** The chunk being executed (for errors). */
  private chunk: Uint8Array = EMPTY_VIEW;

  // Current span: bytes decoded from earlier chunks.
  private pending = "";
  /** Decoded window of the current chunk: `win` holds bytes [winStart, winEnd). */
  private win = "";
  private winStart = 0;
  private winEnd = -1;
  /** Counter for multi-byte literals ("HTTP/", status digits). */
  private matchIdx = 0;
  /** The protocol name a status line is being matched against. */
  private resProto = PROTO;

  // Current message.
  private method = "";
  /** The method is one of RTSP's (see OTHER_METHODS). */
  private rtspMethod = false;
  /** The request line had no version (HTTP/0.9): refused once the head is read. */
  private http09 = false;
  private url = "";
  private statusCode = 0;
  private statusMessage = "";
  private versionMajor = 0;
  private versionMinor = 0;
  private rawHeaders: string[] = [];
  private trailers: string[] = [];
  private inTrailers = false;
  /** Field lines seen in the current header or trailer section. */
  private sectionFields = 0;
  /** The current batch of 31 field lines is kept (see `commitField`). */
  private batchKept = true;
  private headerSize = 0;
  private fieldName = "";
  private fieldKind = H_OTHER;
  private fieldValue = "";
  /**
   * The whitespace trimmed off the end of `fieldValue` held an HTAB. llhttp
   * reads the framing fields' values byte by byte and takes only SP after a
   * token, so `chunked\t`, `close\t` or `5\t` are not `chunked`, `close`, `5`.
   */
  private fieldTab = false;

  private hasContentLength = false;
  private contentLength = 0;
  private hasTransferEncoding = false;
  /** A request's Transfer-Encoding field line was empty. */
  private teEmpty = false;
  /** The current field is a request's trailer Transfer-Encoding (refused once it has a value). */
  private trailerTE = false;
  /** The last transfer-coding seen is `chunked`. */
  private teChunked = false;
  /** `chunked` was seen (anywhere) in the Transfer-Encoding list. */
  private teSawChunked = false;
  private connClose = false;
  private connKeepAlive = false;
  private connUpgrade = false;
  private hasUpgrade = false;
  private hasHost = false;
  private hasExpect = false;
  private skipBody = false;
  private chunkedBody = false;

  /** Body bytes left (Content-Length body or current chunk). */
  private remaining = 0;
  private chunkSize = 0;
  /** Significant hex digits of a chunk size once it reaches 13 (see `chunkSizeOverflow`). */
  private chunkDigits = 0;
  private extSize = 0;

  /** Creates a parser of the given kind. */
  constructor(kind: ParserKind, callbacks: ParserCallbacks, options?: ParserOptions) {
    this.isRequest = kind === "request";
    this.cb = callbacks;
    const max = options?.maxHeaderSize;
    this.maxHeaderSize = typeof max === "number" && max > 0 ? max : MAX_HEADER_SIZE;
    const count = options?.maxHeadersCount;
    // As Node: an explicit count is of pairs; the default (2000) counts entries.
    this.maxHeaderEntries = typeof count === "number" && count >= 0 ? count * 2 : MAX_HEADERS_COUNT;
    this.lenient = options?.lenient === true;
  }

  /**
   * Parse `data`. Returns the number of bytes consumed: all of them normally;
   * fewer after an upgrade (the rest is the upgrade `head`) or after `pause()`;
   * -1 on a parse error (see `error`).
   *
   * A pause requested inside `onHeaders` or `onBody` takes effect only while
   * the message still needs more bytes (the completion of a message whose last
   * byte is in this chunk is always delivered); a pause inside `onComplete`
   * stops right after that message.
   */
  execute(data: Uint8Array): number {
    if (this.error !== null) return -1;
    if (this.paused || this.upgraded || this.state >= S_DEAD) return 0;
    this.chunk = data;
    this.winEnd = -1;
    const len = data.length;
    const lenient = this.lenient;
    let state = this.state;
    let i = 0;
    // Start of the current span in this chunk (spans continue from earlier chunks at 0).
    let mark = 0;
    let c = 0;

    while (i < len) {
      switch (state) {
        case S_MSG_START: {
          c = data[i];
          if (c === CR || c === LF) {
            i++;
            continue;
          }
          this.startMessage();
          const r = this.isRequest ? this.requestLine(data, i, len) : this.statusLine(data, i, len);
          if (r < 0) return this.overflow(i);
          if (r !== i) {
            i = r;
            state = S_HEADERS_START;
            continue;
          }
          mark = i;
          state = this.isRequest ? S_REQ_METHOD : S_RES_PROTO;
          continue;
        }

        // ------------------------------------------------------------ request line
        case S_REQ_METHOD: {
          let j = i;
          while (j < len) {
            c = data[j];
            if ((c >= 0x41 && c <= 0x5a) || c === 0x2d || c === 0x5f) j++;
            else break;
          }
          if (j - mark + this.pending.length > MAX_METHOD_LENGTH) {
            return this.methodError(data, mark, j);
          }
          if (j === len) {
            // Partial method: reject now when no method starts like this.
            const seen = this.pending + decodeRange(data, mark, j);
            if (methodPrefixLength(seen) < seen.length) return this.methodError(data, mark, j);
            i = len;
            continue;
          }
          if (c !== SP) return this.methodError(data, mark, j);
          let method: string | null;
          if (this.pending === "") {
            method = j > mark ? lookupMethod(data, mark, j) : null;
          } else {
            method = lookupMethodString(this.pending + decodeRange(data, mark, j));
          }
          if (method === null) {
            const name = this.pending + decodeRange(data, mark, j);
            const k = OTHER_METHODS.indexOf(name);
            if (k < 0) return this.methodError(data, mark, j);
            method = OTHER_METHODS[k];
            this.rtspMethod = method !== "PRI";
          }
          this.pending = "";
          this.method = method;
          i = j + 1;
          state = S_REQ_URL_START;
          continue;
        }

        case S_REQ_URL_START: {
          c = data[i];
          if (c === SP) {
            if (lenient) {
              i++;
              continue;
            }
            return this.fail("HPE_INVALID_URL", "Unexpected start char in url", i);
          }
          mark = i;
          state = S_REQ_URL;
          continue;
        }

        case S_REQ_URL: {
          let j = i;
          while (j < len && URL_CHAR[data[j]] === 1) j++;
          if (j === len) {
            // An absolute or authority form cut here: Node's parser refuses a
            // bad one at its byte, not once the target is complete.
            const first = this.pending === "" ? data[mark] : this.pending.charCodeAt(0);
            if (j > mark && (this.method === "CONNECT" || (first !== 0x2f && first !== 0x2a))) {
              const bad = checkUrlForm(
                this.pending + decodeRange(data, mark, j),
                this.method === "CONNECT",
                true,
              );
              if (bad !== null) return this.fail("HPE_INVALID_URL", bad, j);
            }
            i = len;
            continue;
          }
          c = data[j];
          if (c !== SP) {
            if (c === CR || c === LF) {
              // HTTP/0.9 request line (no version): not served. As in llhttp, an
              // empty target, a malformed absolute/authority form or a CR not
              // followed by LF is a bad URL, and headers follow the line: their
              // errors come first, and the request is refused once its head is
              // complete (Node would serve it).
              if (c === CR && j + 1 < len && data[j + 1] !== LF) {
                return this.fail("HPE_INVALID_URL", "Expected CRLF", j + 1);
              }
              const url = this.pending + decodeRange(data, mark, j);
              if (url === "") return this.fail("HPE_INVALID_URL", "Invalid characters in url", j);
              const first = url.charCodeAt(0);
              if (this.method === "CONNECT" || (first !== 0x2f && first !== 0x2a)) {
                const bad = checkUrlForm(url, this.method === "CONNECT");
                if (bad !== null) return this.fail("HPE_INVALID_URL", bad, j);
              }
              this.pending = "";
              if (this.countHeader(j - mark)) return this.overflow(j);
              this.url = url;
              this.versionMajor = 0;
              this.versionMinor = 9;
              this.http09 = true;
              i = j + 1;
              state = c === CR ? S_REQ_LINE_LF : S_HEADERS_START;
              continue;
            }
            return this.fail("HPE_INVALID_URL", this.urlCharError(data, mark, j), j);
          }
          const url = this.pending === ""
            ? this.sub(data, mark, j)
            : this.pending + decodeRange(data, mark, j);
          this.pending = "";
          if (this.countHeader(j - mark)) return this.overflow(j);
          const first = url.charCodeAt(0);
          if (this.method === "CONNECT" || (first !== 0x2f && first !== 0x2a)) {
            const bad = checkUrlForm(url, this.method === "CONNECT");
            if (bad !== null) return this.fail("HPE_INVALID_URL", bad, j);
          }
          this.url = url;
          i = j + 1;
          this.matchIdx = 0;
          state = S_REQ_PROTO;
          continue;
        }

        case S_REQ_PROTO: {
          if (this.rtspMethod && this.matchIdx === 0) {
            // An RTSP method: Node's parser serves it only with RTSP/x.x, never here.
            return this.fail("HPE_INVALID_CONSTANT", "Invalid method for HTTP/x.x request", i);
          }
          // Fast path: the whole "HTTP/1.x\r\n" is here.
          if (
            this.matchIdx === 0 && i + 10 <= len && data[i] === 0x48 && data[i + 1] === 0x54 &&
            data[i + 2] === 0x54 && data[i + 3] === 0x50 && data[i + 4] === 0x2f &&
            data[i + 5] === 0x31 && data[i + 6] === 0x2e &&
            (data[i + 7] === 0x31 || data[i + 7] === 0x30) && data[i + 8] === CR &&
            data[i + 9] === LF
          ) {
            this.versionMajor = 1;
            this.versionMinor = data[i + 7] - 0x30;
            i += 10;
            state = this.afterRequestLine();
            continue;
          }
          c = data[i];
          if (c === SP && lenient && this.matchIdx === 0) {
            i++;
            continue;
          }
          if (c !== PROTO[this.matchIdx]) {
            return this.fail("HPE_INVALID_CONSTANT", "Expected HTTP/", i);
          }
          i++;
          if (++this.matchIdx === 5) state = S_REQ_MAJOR;
          continue;
        }

        case S_REQ_MAJOR:
        case S_RES_MAJOR: {
          c = data[i];
          if (c < 0x30 || c > 0x39) {
            return this.fail("HPE_INVALID_VERSION", "Invalid major version", i);
          }
          this.versionMajor = c - 0x30;
          i++;
          state = state === S_REQ_MAJOR ? S_REQ_DOT : S_RES_DOT;
          continue;
        }

        case S_REQ_DOT:
        case S_RES_DOT: {
          if (data[i] !== 0x2e) return this.fail("HPE_INVALID_VERSION", "Expected dot", i);
          i++;
          state = state === S_REQ_DOT ? S_REQ_MINOR : S_RES_MINOR;
          continue;
        }

        case S_REQ_MINOR:
        case S_RES_MINOR: {
          c = data[i];
          if (c < 0x30 || c > 0x39) {
            return this.fail("HPE_INVALID_VERSION", "Invalid minor version", i);
          }
          this.versionMinor = c - 0x30;
          // Requests: 1.0 and 1.1 only (RFC 9112; see shared/wire-cases). Responses
          // (and PRI, which is refused after its line): also 0.9 and 2.0, as llhttp.
          if (
            !lenient &&
            (this.versionMajor === 1
              ? this.versionMinor > 1
              : (state === S_REQ_MINOR && this.method !== "PRI") ||
                (this.versionMajor === 0
                  ? this.versionMinor !== 9
                  : this.versionMajor !== 2 || this.versionMinor !== 0))
          ) {
            return this.fail("HPE_INVALID_VERSION", "Invalid HTTP version", i);
          }
          i++;
          state = state === S_REQ_MINOR ? S_REQ_LINE_CR : S_RES_SP;
          continue;
        }

        case S_REQ_LINE_CR: {
          c = data[i];
          if (c === CR) {
            i++;
            state = S_REQ_LINE_LF;
          } else if (c === LF && lenient) {
            i++;
            state = this.afterRequestLine();
          } else {
            return this.fail("HPE_INVALID_VERSION", "Expected CRLF after version", i);
          }
          continue;
        }

        case S_REQ_LINE_LF: {
          if (data[i] === LF) i++;
          else if (this.http09) return this.fail("HPE_INVALID_URL", "Expected CRLF", i);
          else if (!lenient) return this.fail("HPE_STRICT", "Expected CRLF after version", i);
          state = this.http09 ? S_HEADERS_START : this.afterRequestLine();
          continue;
        }

        case S_PRI_PREFACE: {
          // As Node's parser: a PRI request line must go on with the HTTP/2
          // preface; either way the request is refused.
          if (data[i] !== PRI_REST[this.matchIdx]) {
            return this.fail("HPE_INVALID_VERSION", "Expected HTTP/2 Connection Preface", i);
          }
          i++;
          if (++this.matchIdx === PRI_REST.length) {
            return this.fail("HPE_PAUSED_H2_UPGRADE", "Pause on PRI/Upgrade", i);
          }
          continue;
        }

        // ----------------------------------------------------------- status line
        case S_RES_PROTO: {
          c = data[i];
          if (this.matchIdx === 0) {
            this.resProto = c === 0x52 ? RTSP_PROTO : c === 0x49 ? ICE_PROTO : PROTO;
          }
          if (c !== this.resProto[this.matchIdx]) {
            return this.fail("HPE_INVALID_CONSTANT", "Expected HTTP/, RTSP/ or ICE/", i);
          }
          i++;
          if (++this.matchIdx === this.resProto.length) state = S_RES_MAJOR;
          continue;
        }

        case S_RES_SP: {
          if (data[i] !== SP) {
            return this.fail("HPE_INVALID_VERSION", "Expected space after version", i);
          }
          i++;
          this.matchIdx = 0;
          this.statusCode = 0;
          state = S_RES_STATUS;
          continue;
        }

        case S_RES_STATUS: {
          c = data[i];
          if (c < 0x30 || c > 0x39) {
            return this.fail("HPE_INVALID_STATUS", "Invalid status code", i);
          }
          this.statusCode = this.statusCode * 10 + (c - 0x30);
          i++;
          if (++this.matchIdx === 3) state = S_RES_AFTER_STATUS;
          continue;
        }

        case S_RES_AFTER_STATUS: {
          c = data[i];
          if (c === SP) {
            i++;
            mark = i;
            state = S_RES_REASON;
          } else if (c === CR) {
            i++;
            state = S_RES_LINE_LF;
          } else if (c === LF && lenient) {
            i++;
            state = S_HEADERS_START;
          } else {
            return this.fail("HPE_INVALID_STATUS", "Invalid response status", i);
          }
          continue;
        }

        case S_RES_REASON: {
          let j = i;
          for (;;) {
            while (j < len && VALUE[data[j]] === 1) j++;
            if (j === len) break;
            c = data[j];
            // Like llhttp, any byte but CR and LF (controls, DEL) is kept in the reason.
            if (c === CR || c === LF) break;
            j++;
          }
          if (j === len) {
            i = len;
            continue;
          }
          if (c === LF && !lenient) {
            return this.fail("HPE_CR_EXPECTED", "Missing expected CR after response line", j);
          }
          this.statusMessage = this.pending === ""
            ? this.sub(data, mark, j)
            : this.pending + decodeRange(data, mark, j);
          this.pending = "";
          if (this.countHeader(j - mark)) return this.overflow(j);
          i = j + 1;
          state = c === CR ? S_RES_LINE_LF : S_HEADERS_START;
          continue;
        }

        case S_RES_LINE_LF: {
          c = data[i];
          // (lenient: as llhttp, a second CR ends the status line too; RFC 9112
          // 2.2 makes a bare CR invalid, so the strict parser refuses it)
          if (c === LF || (c === CR && lenient)) i++;
          else if (!lenient) return this.fail("HPE_STRICT", "Expected LF after CR", i);
          state = S_HEADERS_START;
          continue;
        }

        // ---------------------------------------------------------------- headers
        case S_HEADERS_START: {
          if (data[i] === SP) {
            if (!lenient) {
              return this.fail("HPE_UNEXPECTED_SPACE", "Unexpected space after start line", i);
            }
            i++;
          }
          state = S_FIELD_START;
          continue;
        }

        case S_FIELD_START: {
          c = data[i];
          if (TOKEN[c] === 1) {
            // Whole header lines in this chunk go through the fast path.
            const r = this.headerLines(data, i, len);
            if (r < 0) return -1;
            if (r !== i) {
              i = r;
              continue;
            }
            mark = i;
            state = S_FIELD;
            continue;
          }
          if (c === CR) {
            i++;
            state = S_HEADERS_LF;
            continue;
          }
          if (c === LF && lenient) {
            i++;
            this.state = state;
            const r = this.inTrailers ? this.messageDone(i) : this.headersDone(i);
            if (r === STOP) return this.error !== null ? -1 : i;
            state = this.state;
            continue;
          }
          return this.fail(
            "HPE_INVALID_HEADER_TOKEN",
            c === LF ? "Invalid header field char" : "Invalid header token",
            i,
          );
        }

        case S_FIELD: {
          let j = i;
          while (j < len && TOKEN[data[j]] === 1) j++;
          if (j === len) {
            i = len;
            continue;
          }
          c = data[j];
          if (c !== 0x3a && c !== SP) {
            return this.fail("HPE_INVALID_HEADER_TOKEN", "Invalid header token", j);
          }
          const name = this.pending === ""
            ? this.sub(data, mark, j)
            : this.pending + decodeRange(data, mark, j);
          this.pending = "";
          // llhttp reports a limit hit at a span's end one past its last byte.
          if (this.countHeader(j - mark)) return this.overflow(j + 1);
          const special = headerKind(name);
          const kind = this.inTrailers ? H_OTHER : special;
          if (c === SP) {
            // No whitespace between field-name and colon (RFC 9112 5.1). llhttp
            // knows only the framing fields (Host and Expect are noted here, not there).
            const framing = special !== H_OTHER && special < H_HOST;
            if (!framing || !lenient) {
              return this.fail(
                "HPE_INVALID_HEADER_TOKEN",
                framing ? "Invalid header field char" : "Invalid header token",
                j,
              );
            }
            this.fieldName = name;
            this.fieldKind = kind;
            i = j;
            state = S_FIELD_COLON_WS;
            continue;
          }
          this.fieldName = name;
          this.fieldKind = kind;
          this.fieldTab = false;
          this.trailerTE = false;
          if (
            this.inTrailers && special !== H_OTHER && !lenient &&
            this.trailerFramingName(special, j + 1)
          ) {
            return -1;
          }
          // Node's parser refuses Content-Length beside Transfer-Encoding (and the
          // reverse) as soon as the second field's name is read.
          if (
            (kind === H_CONTENT_LENGTH || kind === H_TRANSFER_ENCODING) && this.isRequest &&
            !lenient && this.framingConflict(kind, j + 1)
          ) return -1;
          i = j + 1;
          state = S_VALUE_WS;
          continue;
        }

        case S_FIELD_COLON_WS: {
          c = data[i];
          if (c === SP) {
            // (lenient) llhttp keeps these spaces in the field name.
            this.fieldName += " ";
            i++;
            continue;
          }
          if (c !== 0x3a) {
            return this.fail("HPE_INVALID_HEADER_TOKEN", "Invalid header field char", i);
          }
          i++;
          state = S_VALUE_WS;
          continue;
        }

        case S_VALUE_WS: {
          while (i < len) {
            c = data[i];
            if (c !== SP && c !== HT) break;
            i++;
          }
          if (i === len) continue;
          if (c === CR) {
            this.fieldValue = this.pending;
            this.fieldTab = false;
            this.pending = "";
            i++;
            state = S_VALUE_LF;
          } else if (c === LF) {
            if (!lenient) {
              return this.fail("HPE_INVALID_HEADER_TOKEN", "Invalid header value char", i);
            }
            this.fieldValue = this.pending;
            this.fieldTab = false;
            this.pending = "";
            i++;
            state = S_VALUE_LWS;
          } else {
            if (
              this.fieldKind === H_CONTENT_LENGTH && this.hasContentLength && this.isRequest &&
              !lenient
            ) {
              // As Node: a second Content-Length fails at its first byte.
              return this.fail("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", i);
            }
            if (this.trailerTE) {
              // As Node: a request's trailer Transfer-Encoding fails at its first byte.
              return this.fail(
                "HPE_INVALID_TRANSFER_ENCODING",
                "Invalid `Transfer-Encoding` header value",
                i,
              );
            }
            mark = i;
            state = S_VALUE;
          }
          continue;
        }

        case S_VALUE: {
          let j = i;
          for (;;) {
            while (j < len && VALUE[data[j]] === 1) j++;
            if (j === len) break;
            c = data[j];
            if (c === CR || c === LF) break;
            if (!lenient) {
              return this.valueFail(
                this.pending + decodeRange(data, mark, j),
                "HPE_INVALID_HEADER_TOKEN",
                "Invalid header value char",
                j,
              );
            }
            j++;
          }
          const framing = this.fieldKind === H_CONTENT_LENGTH ||
            this.fieldKind === H_TRANSFER_ENCODING;
          if (framing && this.isRequest && !lenient && !this.framingPrefixOk(data, mark, j)) {
            // Node's parser checks these values byte by byte: a bad one fails
            // now, not once the line (or the head) is complete.
            return -1;
          }
          if (j === len) {
            i = len;
            continue;
          }
          if (c === LF && !lenient) {
            return this.valueFail(
              this.pending + decodeRange(data, mark, j),
              "HPE_CR_EXPECTED",
              "Missing expected CR after header value",
              j,
            );
          }
          if (this.countHeader(j - mark)) return this.overflow(j + 1);
          let end = j;
          let tab = false;
          while (end > mark) {
            const t = data[end - 1];
            if (t !== SP && t !== HT) break;
            if (t === HT) tab = true;
            end--;
          }
          if (this.pending === "") {
            this.fieldValue = this.sub(data, mark, end);
          } else if (end > mark) {
            this.fieldValue = this.pending + decodeRange(data, mark, end);
            this.pending = "";
          } else {
            const p = this.pending;
            this.fieldValue = trimEnd(p);
            for (let k = this.fieldValue.length; k < p.length && !tab; k++) {
              tab = p.charCodeAt(k) === HT;
            }
            this.pending = "";
          }
          this.fieldTab = tab;
          state = data[j] === CR ? S_VALUE_LF : S_VALUE_LWS;
          i = j + 1;
          continue;
        }

        case S_VALUE_LF: {
          if (data[i] === LF) {
            i++;
          } else if (this.fieldValue !== "") {
            return this.valueFail(
              this.fieldValue,
              "HPE_LF_EXPECTED",
              "Missing expected LF after header value",
              i,
            );
          } else if (!lenient) {
            return this.fail("HPE_STRICT", "Expected LF after CR", i);
          }
          state = S_VALUE_LWS;
          continue;
        }

        case S_VALUE_LWS: {
          c = data[i];
          if (c === SP || c === HT) {
            // obs-fold (RFC 9112 5.2): rejected unless lenient.
            if (!lenient) {
              return this.fail(
                "HPE_INVALID_HEADER_TOKEN",
                this.fieldValue === ""
                  ? "Invalid header value char"
                  : "Unexpected whitespace after header value",
                i,
              );
            }
            this.pending = this.fieldValue;
            if (this.fieldValue === "") {
              state = S_VALUE_WS;
            } else {
              mark = i;
              state = S_VALUE;
            }
            continue;
          }
          if (!this.commitField(i)) return -1;
          state = S_FIELD_START;
          continue;
        }

        case S_HEADERS_LF: {
          if (data[i] === LF) i++;
          else if (!lenient) return this.fail("HPE_STRICT", "Expected LF after headers", i);
          this.state = state;
          const r = this.inTrailers ? this.messageDone(i) : this.headersDone(i);
          if (r === STOP) return this.error !== null ? -1 : i;
          state = this.state;
          continue;
        }

        // ------------------------------------------------------------------- body
        case S_BODY_CL: {
          const rem = this.remaining;
          const avail = len - i;
          const epoch = this.epoch;
          if (avail < rem) {
            this.remaining = rem - avail;
            if (this.bodyToEnd(data, i, state)) return len;
            i = len;
            continue;
          }
          this.remaining = 0;
          this.cb.onBody(data.subarray(i, i + rem));
          i += rem;
          if (this.epoch !== epoch) return i;
          this.state = state;
          if (this.messageDone(i) === STOP) return this.error !== null ? -1 : i;
          state = this.state;
          continue;
        }

        case S_BODY_EOF: {
          if (this.bodyToEnd(data, i, state)) return len;
          i = len;
          continue;
        }

        // ---------------------------------------------------------------- chunked
        case S_CHUNK_SIZE_START: {
          const h = HEX[data[i]];
          if (h === 0) {
            return this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size", i);
          }
          this.chunkSize = h - 1;
          this.chunkDigits = 0;
          this.extSize = 0;
          i++;
          state = S_CHUNK_SIZE;
          continue;
        }

        case S_CHUNK_SIZE: {
          let size = this.chunkSize;
          let h = 0;
          while (i < len && (h = HEX[data[i]]) !== 0) {
            size = size * 16 + (h - 1);
            if (size >= HEX_13_DIGITS && this.chunkSizeOverflow(size)) {
              return this.fail("HPE_INVALID_CHUNK_SIZE", "Chunk size overflow", i);
            }
            i++;
          }
          this.chunkSize = size;
          if (i === len) continue;
          c = data[i];
          if (c === CR) {
            i++;
            state = S_CHUNK_SIZE_LF;
          } else if (c === 0x3b) {
            i++;
            state = S_CHUNK_EXT_NAME_START;
          } else if ((c === SP || c === HT) && lenient) {
            i++;
            state = S_CHUNK_SIZE_WS;
          } else if (c === LF) {
            if (!lenient) {
              return this.fail("HPE_CR_EXPECTED", "Missing expected CR after chunk size", i);
            }
            i++;
            state = this.chunkHeaderDone();
          } else {
            return this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size", i);
          }
          continue;
        }

        case S_CHUNK_SIZE_WS: {
          c = data[i];
          if (c === SP || c === HT) {
            i++;
          } else if (c === CR) {
            i++;
            state = S_CHUNK_SIZE_LF;
          } else if (c === LF) {
            i++;
            state = this.chunkHeaderDone();
          } else if (c === 0x3b) {
            i++;
            state = S_CHUNK_EXT_NAME_START;
          } else {
            return this.fail("HPE_INVALID_CHUNK_SIZE", "Invalid character in chunk size", i);
          }
          continue;
        }

        case S_CHUNK_EXT_NAME_START: {
          c = data[i];
          // As Node's parser: a name may be empty before `=` (`5;=x`) or another
          // `;` (`5;;x`), not at the line's end; other bytes (a bare LF, a bad
          // one) are reported by the name state.
          if (c === 0x3b) {
            i++;
            continue;
          }
          if (c === SP || c === CR) {
            return this.fail("HPE_STRICT", "Invalid character in chunk extensions", i);
          }
          state = S_CHUNK_EXT_NAME;
          continue;
        }

        case S_CHUNK_EXT_NAME:
        case S_CHUNK_EXT_VALUE: {
          const start = i;
          while (i < len && TOKEN[data[i]] === 1) i++;
          if ((this.extSize += i - start) > MAX_CHUNK_EXTENSIONS_SIZE) {
            return this.fail("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", i);
          }
          if (i === len) continue;
          c = data[i];
          const isName = state === S_CHUNK_EXT_NAME;
          if (c === 0x3d && isName) {
            i++;
            state = S_CHUNK_EXT_VALUE_START;
          } else if (c === 0x3b) {
            i++;
            state = S_CHUNK_EXT_NAME_START;
          } else if (c === CR) {
            i++;
            state = S_CHUNK_SIZE_LF;
          } else if (c === 0x22 && !isName && !this.isRequest) {
            // A quote inside a response's token value opens a quoted string
            // (`a=b"c d"`), as Node's client reads it.
            i++;
            this.extSize++;
            state = S_CHUNK_EXT_QUOTED;
          } else if (c === LF) {
            if (!lenient) {
              return this.fail(
                "HPE_CR_EXPECTED",
                isName
                  ? "Missing expected CR after chunk extension name"
                  : "Missing expected CR after chunk extension value",
                i,
              );
            }
            i++;
            state = this.chunkHeaderDone();
          } else {
            return this.fail(
              "HPE_STRICT",
              isName
                ? "Invalid character in chunk extensions name"
                : "Invalid character in chunk extensions value",
              i,
            );
          }
          continue;
        }

        case S_CHUNK_EXT_VALUE_START: {
          c = data[i];
          if (c === 0x22) {
            i++;
            this.extSize++;
            state = S_CHUNK_EXT_QUOTED;
          } else if (
            TOKEN[c] === 1 || c === CR || c === 0x3b || c === LF || lenient || !this.isRequest
          ) {
            // (an empty value before the line's end or `;`, as Node's parser takes;
            // the value state reports a bare LF)
            state = S_CHUNK_EXT_VALUE;
          } else {
            return this.fail("HPE_STRICT", "Invalid character in chunk extensions value", i);
          }
          continue;
        }

        case S_CHUNK_EXT_QUOTED: {
          const start = i;
          while (i < len && QDTEXT[data[i]] === 1) i++;
          if ((this.extSize += i - start + 1) > MAX_CHUNK_EXTENSIONS_SIZE) {
            return this.fail("HPE_CHUNK_EXTENSIONS_OVERFLOW", "Chunk extensions overflow", i);
          }
          if (i === len) {
            this.extSize--;
            continue;
          }
          c = data[i];
          if (c === 0x22) {
            i++;
            state = S_CHUNK_EXT_QDONE;
          } else if (c === 0x5c) {
            i++;
            state = S_CHUNK_EXT_QPAIR;
          } else {
            return this.fail(
              "HPE_STRICT",
              "Invalid character in chunk extensions quoted value",
              i,
            );
          }
          continue;
        }

        case S_CHUNK_EXT_QPAIR: {
          c = data[i];
          if (c === HT || (c >= 0x20 && c !== 0x7f)) {
            i++;
            this.extSize++;
            state = S_CHUNK_EXT_QUOTED;
            continue;
          }
          return this.fail(
            "HPE_STRICT",
            "Invalid quoted-pair in chunk extensions quoted value",
            i,
          );
        }

        case S_CHUNK_EXT_QDONE: {
          c = data[i];
          if (c === 0x3b) {
            i++;
            state = S_CHUNK_EXT_NAME_START;
          } else if (c === CR) {
            i++;
            state = S_CHUNK_SIZE_LF;
          } else if (c === LF) {
            if (!lenient) {
              return this.fail(
                "HPE_CR_EXPECTED",
                "Missing expected CR after chunk extension value",
                i,
              );
            }
            i++;
            state = this.chunkHeaderDone();
          } else {
            return this.fail("HPE_STRICT", "Invalid character in chunk extensions quote value", i);
          }
          continue;
        }

        case S_CHUNK_SIZE_LF: {
          if (data[i] === LF) i++;
          else if (!lenient) return this.fail("HPE_STRICT", "Expected LF after chunk size", i);
          state = this.chunkHeaderDone();
          continue;
        }

        case S_CHUNK_DATA: {
          const rem = this.remaining;
          const avail = len - i;
          const epoch = this.epoch;
          if (avail < rem) {
            this.remaining = rem - avail;
            if (this.bodyToEnd(data, i, state)) return len;
            i = len;
            continue;
          }
          this.remaining = 0;
          this.state = S_CHUNK_DATA_CR;
          this.cb.onBody(data.subarray(i, i + rem));
          i += rem;
          if (this.epoch !== epoch) return i;
          state = S_CHUNK_DATA_CR;
          if (this.paused) {
            this.chunk = EMPTY_VIEW;
            return i;
          }
          continue;
        }

        case S_CHUNK_DATA_CR: {
          c = data[i];
          if (c === CR) {
            i++;
            state = S_CHUNK_DATA_LF;
          } else if (lenient) {
            if (c === LF) i++;
            state = S_CHUNK_SIZE_START;
          } else if (c === LF) {
            return this.fail("HPE_CR_EXPECTED", "Missing expected CR after chunk data", i);
          } else {
            return this.fail("HPE_STRICT", "Expected LF after chunk data", i);
          }
          continue;
        }

        case S_CHUNK_DATA_LF: {
          if (data[i] === LF) i++;
          else if (!lenient) return this.fail("HPE_STRICT", "Expected LF after chunk data", i);
          state = S_CHUNK_SIZE_START;
          continue;
        }

        // ------------------------------------------------------------ after close
        case S_CLOSED: {
          c = data[i];
          if (c === CR || c === LF) {
            i++;
            continue;
          }
          return this.fail("HPE_CLOSED_CONNECTION", "Data after `Connection: close`", i);
        }

        default:
          // S_DEAD / S_CALLBACK: nothing to parse now.
          this.state = state;
          this.chunk = EMPTY_VIEW;
          return i;
      }
    }

    // End of chunk inside a span: keep the bytes seen so far.
    switch (state) {
      case S_REQ_METHOD:
        if (len > mark) this.pending += decodeRange(data, mark, len);
        break;
      case S_REQ_URL:
      case S_RES_REASON:
      case S_FIELD:
      case S_VALUE:
        if (len > mark) {
          this.pending += decodeRange(data, mark, len);
          if (this.countHeader(len - mark)) return this.overflow(len);
        }
        break;
    }
    this.state = state;
    this.chunk = EMPTY_VIEW;
    return len;
  }

  /** The peer closed: completes a close-delimited body; returns an error if a message was cut short. */
  finish(): ParseError | null {
    if (this.error !== null || this.upgraded) return null;
    const state = this.state;
    if (state === S_MSG_START || state === S_CLOSED || state === S_DEAD) return null;
    if (state === S_BODY_EOF) {
      this.state = S_CLOSED;
      this.cb.onComplete([]);
      return null;
    }
    const err = new ParseError("HPE_INVALID_EOF_STATE", "Invalid EOF state", 0, undefined);
    this.error = err;
    return err;
  }

  /** Stop inside `execute()` after the current callback returns (it returns the bytes consumed so far). */
  pause(): void {
    this.paused = true;
  }

  /** Allow parsing again after `pause()`. */
  resume(): void {
    this.paused = false;
  }

  /** Start over for a new stream (or a new kind), clearing `error` and `upgraded`. */
  reset(kind?: ParserKind): void {
    if (kind !== undefined) this.isRequest = kind === "request";
    this.error = null;
    this.upgraded = false;
    this.paused = false;
    this.epoch++;
    this.state = S_MSG_START;
    this.pending = "";
    this.chunk = EMPTY_VIEW;
    this.startMessage();
  }

  /** True between the first byte of a message and its completion. */
  get inMessage(): boolean {
    const s = this.state;
    return s !== S_MSG_START && s !== S_CLOSED && s !== S_DEAD;
  }

  // -------------------------------------------------------------------------

  /**
   * Fast path for a complete, well-formed request line starting at `i`
   * (`METHOD SP origin-form SP HTTP/1.x CRLF`): returns the index after it,
   * or `i` to leave it to the byte-level states (also when the target reaches
   * the head limit).
   */
  private requestLine(data: Uint8Array, i: number, len: number): number {
    let j = i;
    while (j < len) {
      const c = data[j];
      if ((c >= 0x41 && c <= 0x5a) || c === 0x2d) j++;
      else break;
    }
    if (j + 12 > len || data[j] !== SP || data[j + 1] !== 0x2f) return i;
    const method = lookupMethod(data, i, j);
    if (method === null) return i;
    const u = j + 1;
    let v = u + 1;
    while (v < len && URL_CHAR[data[v]] === 1) v++;
    if (
      v + 11 > len || data[v] !== SP || data[v + 1] !== 0x48 || data[v + 2] !== 0x54 ||
      data[v + 3] !== 0x54 || data[v + 4] !== 0x50 || data[v + 5] !== 0x2f ||
      data[v + 6] !== 0x31 || data[v + 7] !== 0x2e || data[v + 9] !== CR || data[v + 10] !== LF
    ) {
      return i;
    }
    const minor = data[v + 8] - 0x30;
    if (minor !== 0 && minor !== 1) return i;
    // At the limit: the byte-level states report it where llhttp does.
    if (this.headerSize + (v - u) >= this.maxHeaderSize) return i;
    this.headerSize += v - u;
    this.method = method;
    this.url = this.sub(data, u, v);
    this.versionMajor = 1;
    this.versionMinor = minor;
    return v + 11;
  }

  /**
   * Fast path for a complete, well-formed status line starting at `i`
   * (`HTTP/1.x SP 3DIGIT SP reason CRLF`): returns the index after it, `i` to
   * leave it to the byte-level states, or -1 when the reason reaches the head limit.
   */
  private statusLine(data: Uint8Array, i: number, len: number): number {
    if (
      i + 14 > len || data[i] !== 0x48 || data[i + 1] !== 0x54 || data[i + 2] !== 0x54 ||
      data[i + 3] !== 0x50 || data[i + 4] !== 0x2f || data[i + 5] !== 0x31 ||
      data[i + 6] !== 0x2e || data[i + 8] !== SP || data[i + 12] !== SP
    ) {
      return i;
    }
    const minor = data[i + 7] - 0x30;
    const d1 = data[i + 9] - 0x30;
    const d2 = data[i + 10] - 0x30;
    const d3 = data[i + 11] - 0x30;
    if (
      (minor !== 0 && minor !== 1) || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 || d3 < 0 || d3 > 9
    ) {
      return i;
    }
    const r = i + 13;
    let v = r;
    while (v < len && VALUE[data[v]] === 1) v++;
    if (v + 1 >= len || data[v] !== CR || data[v + 1] !== LF) return i;
    if ((this.headerSize += v - r) >= this.maxHeaderSize) return -1;
    this.versionMajor = 1;
    this.versionMinor = minor;
    this.statusCode = d1 * 100 + d2 * 10 + d3;
    this.statusMessage = this.sub(data, r, v);
    return v + 2;
  }

  /**
   * Fast path for complete, well-formed header lines starting at `i` (the
   * state is S_FIELD_START): returns the index after the last one handled
   * (`i` when none), or -1 on an error. Anything unusual (a line cut by the
   * end of the chunk, whitespace before the colon, an empty value, a bad byte,
   * obs-fold, the head limit) is left to the byte-level states, which see the
   * line from its start.
   */
  private headerLines(data: Uint8Array, i: number, len: number): number {
    while (i < len) {
      // field-name
      let j = i;
      while (j < len && TOKEN[data[j]] === 1) j++;
      if (j === i || j >= len || data[j] !== 0x3a) return i;
      // OWS
      let k = j + 1;
      while (k < len) {
        const c = data[k];
        if (c !== SP && c !== HT) break;
        k++;
      }
      if (k >= len) return i;
      // field-value up to CR LF, followed by the start of the next line
      let v = k;
      while (
        v + 4 <= len &&
        (VALUE[data[v]] & VALUE[data[v + 1]] & VALUE[data[v + 2]] & VALUE[data[v + 3]]) === 1
      ) v += 4;
      while (v < len && VALUE[data[v]] === 1) v++;
      if (v + 2 >= len || v === k || data[v] !== CR || data[v + 1] !== LF) return i;
      const next = data[v + 2];
      if (next === SP || next === HT) return i;
      const size = this.headerSize + (j - i) + (v - k);
      if (size >= this.maxHeaderSize) return i;
      this.headerSize = size;
      let end = v;
      let tab = false;
      while (end > k) {
        const t = data[end - 1];
        if (t !== SP && t !== HT) break;
        if (t === HT) tab = true;
        end--;
      }
      const name = this.sub(data, i, j);
      this.fieldName = name;
      this.fieldKind = this.inTrailers ? H_OTHER : headerKind(name);
      this.fieldValue = this.sub(data, k, end);
      this.fieldTab = tab;
      if (!this.commitField(v + 2)) return -1;
      i = v + 2;
      if (TOKEN[next] !== 1) return i;
    }
    return i;
  }

  /** The string of bytes [start, end) of the current chunk (a substring of a decoded window). */
  private sub(data: Uint8Array, start: number, end: number): string {
    if (start < this.winStart || end > this.winEnd) {
      const stop = end - start > WINDOW ? end : Math.min(data.length, start + WINDOW);
      this.win = decodeRange(data, start, stop);
      this.winStart = start;
      this.winEnd = stop;
    }
    return this.win.slice(start - this.winStart, end - this.winStart);
  }

  /** The state after a request line: headers, or the rest of an HTTP/2 preface after PRI. */
  private afterRequestLine(): number {
    if (this.method !== "PRI") return S_HEADERS_START;
    this.matchIdx = 0;
    return S_PRI_PREFACE;
  }

  private startMessage(): void {
    this.pending = "";
    this.matchIdx = 0;
    this.method = "";
    this.rtspMethod = false;
    this.http09 = false;
    this.url = "";
    this.statusCode = 0;
    this.statusMessage = "";
    this.versionMajor = 0;
    this.versionMinor = 0;
    this.rawHeaders = [];
    this.inTrailers = false;
    this.sectionFields = 0;
    this.headerSize = 0;
    this.hasContentLength = false;
    this.contentLength = 0;
    this.hasTransferEncoding = false;
    this.teEmpty = false;
    this.trailerTE = false;
    this.hasHost = false;
    this.hasExpect = false;
    this.teChunked = false;
    this.teSawChunked = false;
    this.connClose = false;
    this.connKeepAlive = false;
    this.connUpgrade = false;
    this.hasUpgrade = false;
    this.skipBody = false;
    this.chunkedBody = false;
    this.remaining = 0;
  }

  /**
   * Fails a bad method the way llhttp does: at the first byte no method name
   * continues with ("Expected space after method" when a whole method precedes it).
   */
  private methodError(data: Uint8Array, mark: number, j: number): number {
    const seen = this.pending + decodeRange(data, mark, Math.min(j + 1, data.length));
    const n = methodPrefixLength(seen);
    const at = Math.max(mark, mark + n - this.pending.length);
    this.pending = "";
    const whole = n > 0 && METHODS.includes(seen.slice(0, n));
    return this.fail(
      "HPE_INVALID_METHOD",
      whole ? "Expected space after method" : "Invalid method encountered",
      at,
    );
  }

  /**
   * Hands the rest of the chunk (`data[from..]`) to `onBody` as a piece of a
   * body that goes on past this chunk. True when `execute()` must return now
   * (the parser was reset or paused inside the callback).
   */
  private bodyToEnd(data: Uint8Array, from: number, state: number): boolean {
    const epoch = this.epoch;
    this.state = state;
    this.cb.onBody(data.subarray(from));
    if (this.epoch !== epoch) return true;
    if (this.paused) {
      this.chunk = EMPTY_VIEW;
      return true;
    }
    return false;
  }

  private fail(code: string, reason: string, at: number): number {
    this.error = new ParseError(code, reason, at, this.chunk);
    this.chunk = EMPTY_VIEW;
    return -1;
  }

  /**
   * A field value went wrong at `at` (`value` is what came before). llhttp
   * checks Content-Length and Transfer-Encoding values as their bytes come,
   * so for those fields its error for the value comes first, as there.
   */
  private valueFail(value: string, code: string, reason: string, at: number): number {
    if (!this.lenient && !this.inTrailers) {
      const kind = this.fieldKind;
      if (kind === H_CONTENT_LENGTH) {
        if (this.hasContentLength) {
          return this.fail("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", at);
        }
        if (this.hasTransferEncoding) {
          return this.fail(
            "HPE_INVALID_CONTENT_LENGTH",
            "Content-Length can't be present with Transfer-Encoding",
            at,
          );
        }
        // A control byte, or anything but digits then spaces before it.
        if (code === "HPE_INVALID_HEADER_TOKEN" || !/^[0-9]* *$/.test(value)) {
          return this.fail("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length", at);
        }
      } else if (kind === H_TRANSFER_ENCODING) {
        if (this.hasContentLength) {
          return this.fail(
            "HPE_INVALID_TRANSFER_ENCODING",
            "Transfer-Encoding can't be present with Content-Length",
            at,
          );
        }
        if (
          this.isRequest &&
          (this.teSawChunked ? value !== "" : /(?:^|[\s,])chunked[ \t]*,/i.test(value))
        ) {
          return this.fail(
            "HPE_INVALID_TRANSFER_ENCODING",
            "Invalid `Transfer-Encoding` header value",
            at,
          );
        }
      }
    }
    return this.fail(code, reason, at);
  }

  /**
   * A framing field's name in a trailer section, read as Node's parser reads
   * it: Content-Length fails at once (true); a request's Transfer-Encoding is
   * noted, to fail at its first value byte.
   */
  private trailerFramingName(kind: number, at: number): boolean {
    if (kind === H_CONTENT_LENGTH) {
      this.fail(
        "HPE_INVALID_CONTENT_LENGTH",
        "Content-Length can't be present with Transfer-Encoding",
        at,
      );
      return true;
    }
    this.trailerTE = kind === H_TRANSFER_ENCODING && this.isRequest;
    return false;
  }

  /**
   * A request's Content-Length field beside a Transfer-Encoding one (either
   * order): fails at `at`, as Node's parser does once the second name is read.
   */
  private framingConflict(kind: number, at: number): boolean {
    if (kind === H_CONTENT_LENGTH) {
      if (!this.hasTransferEncoding) return false;
      this.fail(
        "HPE_INVALID_CONTENT_LENGTH",
        "Content-Length can't be present with Transfer-Encoding",
        at,
      );
      return true;
    }
    if (!this.hasContentLength) return false;
    this.fail(
      "HPE_INVALID_TRANSFER_ENCODING",
      "Transfer-Encoding can't be present with Content-Length",
      at,
    );
    return true;
  }

  /**
   * The bytes of a request's Content-Length or Transfer-Encoding value read so
   * far (`pending` plus `data[mark, j)`) are refused now where Node's parser
   * refuses them as they come: a Content-Length that is not digits then spaces
   * or is past 2^64 - 1, a Transfer-Encoding with something after `chunked`.
   * False after failing.
   */
  private framingPrefixOk(data: Uint8Array, mark: number, j: number): boolean {
    const value = this.pending + decodeRange(data, mark, j);
    if (this.fieldKind === H_CONTENT_LENGTH) {
      const reason = contentLengthError(value, false, true);
      if (reason === null) return true;
      this.fail("HPE_INVALID_CONTENT_LENGTH", reason, j);
      return false;
    }
    if (this.teSawChunked ? value === "" : !/(?:^|[\s,])chunked *,/i.test(value)) return true;
    this.fail("HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value", j);
    return false;
  }

  /** Adds head bytes; true when the limit is reached. */
  private countHeader(n: number): boolean {
    return (this.headerSize += n) >= this.maxHeaderSize;
  }

  private overflow(at: number): number {
    return this.fail("HPE_HEADER_OVERFLOW", "Header overflow", at);
  }

  /** Reason for a byte that cannot be part of the request target. */
  private urlCharError(data: Uint8Array, mark: number, at: number): string {
    const seen = this.pending + decodeRange(data, mark, at);
    if (seen.includes("#")) return "Invalid char in url fragment start";
    if (seen.includes("?")) return "Invalid char in url query";
    const first = seen.charCodeAt(0);
    if (this.method === "CONNECT" || (first !== 0x2f && first !== 0x2a)) {
      // authority or absolute form: still in the scheme or the host?
      if (!seen.includes("/") || /^[A-Za-z]+:\/\/[^/]*$/.test(seen)) {
        return seen.includes(":") || this.method === "CONNECT"
          ? "Unexpected char in url server"
          : "Unexpected char in url schema";
      }
    }
    return "Invalid char in url path";
  }

  /** Entries of `rawHeaders` that count for `headers` (0: no limit); Node's `maxHeaderPairs`. */
  get headerEntriesLimit(): number {
    return this.maxHeaderEntries;
  }

  /**
   * A header line is complete: record it and apply its framing meaning.
   * Lines are kept as Node 20 keeps them: its parser hands them over in
   * batches of 31, and a batch is kept whole while fewer than the limit are
   * kept, so a section may keep a few more lines than the limit.
   */
  private commitField(at: number): boolean {
    const name = this.fieldName;
    const value = this.fieldValue;
    const max = this.maxHeaderEntries;
    const list = this.inTrailers ? this.trailers : this.rawHeaders;
    if (this.sectionFields++ % 31 === 0) this.batchKept = max === 0 || list.length < max;
    if (this.inTrailers) {
      if (this.batchKept) list.push(name, value);
      return this.lenient || this.onTrailerField(name, value, at);
    }
    let stored = false;
    if (this.batchKept) {
      list.push(name, value);
      stored = max === 0 || list.length <= max;
    }
    switch (this.fieldKind) {
      case H_OTHER:
        return true;
      case H_HOST:
        if (stored) this.hasHost = true;
        return true;
      case H_EXPECT:
        if (stored) this.hasExpect = true;
        return true;
      case H_CONTENT_LENGTH:
        return this.onContentLength(value, at);
      case H_TRANSFER_ENCODING:
        return this.onTransferEncoding(value, at);
      case H_CONNECTION:
        this.onConnection(value);
        return true;
      case H_UPGRADE:
        if (value !== "") this.hasUpgrade = true;
        return true;
    }
    return true;
  }

  /**
   * As llhttp, the framing fields keep their meaning in a trailer section:
   * Content-Length is refused (the body is chunked), so is a non-empty
   * Transfer-Encoding in a request, and `Connection: close` ends the
   * connection after this message.
   */
  private onTrailerField(name: string, value: string, at: number): boolean {
    switch (headerKind(name)) {
      case H_CONTENT_LENGTH:
        this.fail(
          "HPE_INVALID_CONTENT_LENGTH",
          "Content-Length can't be present with Transfer-Encoding",
          at,
        );
        return false;
      case H_TRANSFER_ENCODING:
        if (value === "" || !this.isRequest) return true;
        this.fail("HPE_INVALID_TRANSFER_ENCODING", "Invalid `Transfer-Encoding` header value", at);
        return false;
      case H_CONNECTION:
        this.onConnection(value);
        return true;
    }
    return true;
  }

  private onContentLength(value: string, at: number): boolean {
    if (value === "") {
      this.fail("HPE_INVALID_CONTENT_LENGTH", "Empty Content-Length", at);
      return false;
    }
    if (this.hasTransferEncoding && !this.lenient) {
      this.fail(
        "HPE_INVALID_CONTENT_LENGTH",
        "Content-Length can't be present with Transfer-Encoding",
        at,
      );
      return false;
    }
    // A response's, lenient or not: llhttp has no leniency for its syntax.
    if (!this.isRequest) return this.onResponseContentLength(value, at);
    if (!this.lenient) {
      if (this.hasContentLength) {
        this.fail("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", at);
        return false;
      }
      const reason = contentLengthError(value, this.fieldTab);
      if (reason !== null) {
        this.fail("HPE_INVALID_CONTENT_LENGTH", reason, at);
        return false;
      }
      this.hasContentLength = true;
      this.contentLength = decimalValue(value);
      return true;
    }
    // Lenient: 1*DIGIT, or a list of identical 1*DIGIT values (RFC 9110 8.6).
    let n = -1;
    let cur = -1;
    let sawWs = false;
    for (let k = 0; k <= value.length; k++) {
      const ch = k < value.length ? value.charCodeAt(k) : 0x2c;
      if (ch >= 0x30 && ch <= 0x39) {
        if (sawWs && cur >= 0) {
          this.fail("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length", at);
          return false;
        }
        cur = cur < 0 ? ch - 0x30 : cur * 10 + (ch - 0x30);
        if (cur > Number.MAX_SAFE_INTEGER) {
          this.fail("HPE_INVALID_CONTENT_LENGTH", "Content-Length overflow", at);
          return false;
        }
      } else if (ch === SP || ch === HT) {
        if (cur >= 0) sawWs = true;
      } else if (ch === 0x2c) {
        if (cur < 0 || (n >= 0 && n !== cur) || (k < value.length && !this.lenient)) {
          this.fail("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length", at);
          return false;
        }
        n = cur;
        cur = -1;
        sawWs = false;
      } else {
        this.fail("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length", at);
        return false;
      }
    }
    if (this.hasContentLength && (this.contentLength !== n || !this.lenient)) {
      this.fail("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", at);
      return false;
    }
    this.hasContentLength = true;
    this.contentLength = n;
    return true;
  }

  /**
   * Content-Length of a response, as Node's client (llhttp) reads it: one
   * field only (a repeat, even identical, is refused), 1*DIGIT with no list,
   * up to 2^64 - 1 (a length past 2^53 only has to stay huge: such a body ends
   * with the connection).
   */
  private onResponseContentLength(value: string, at: number): boolean {
    if (this.hasContentLength) {
      this.fail("HPE_UNEXPECTED_CONTENT_LENGTH", "Duplicate Content-Length", at);
      return false;
    }
    let n = 0;
    let digits = 0;
    let k = 0;
    const len = value.length;
    for (; k < len; k++) {
      const ch = value.charCodeAt(k);
      if (ch < 0x30 || ch > 0x39) break;
      n = n * 10 + (ch - 0x30);
      if (digits !== 0 || ch !== 0x30) digits++;
    }
    const end = k;
    while (k < len && value.charCodeAt(k) === SP) k++;
    if (end === 0 || k !== len || this.fieldTab) {
      this.fail("HPE_INVALID_CONTENT_LENGTH", "Invalid character in Content-Length", at);
      return false;
    }
    if (digits > 20 || (digits === 20 && value.slice(end - 20, end) > "18446744073709551615")) {
      this.fail("HPE_INVALID_CONTENT_LENGTH", "Content-Length overflow", at);
      return false;
    }
    this.hasContentLength = true;
    this.contentLength = n;
    return true;
  }

  private onTransferEncoding(value: string, at: number): boolean {
    if (value === "" && (this.lenient || this.isRequest)) {
      // An empty field line adds no coding (as Node); a request whose only
      // Transfer-Encoding is empty is refused once the head is complete.
      if (!this.lenient) this.teEmpty = true;
      return true;
    }
    if (this.hasContentLength && !this.lenient) {
      this.fail(
        "HPE_INVALID_TRANSFER_ENCODING",
        "Transfer-Encoding can't be present with Content-Length",
        at,
      );
      return false;
    }
    // An empty one in a response names no coding (as Node's client: it still
    // conflicts with an earlier Content-Length, but not with a later one).
    if (value === "") return true;
    this.hasTransferEncoding = true;
    let start = 0;
    for (let k = 0; k <= value.length; k++) {
      if (k < value.length && value.charCodeAt(k) !== 0x2c) continue;
      const coding = listElement(value, start, k, k === value.length && this.fieldTab);
      start = k + 1;
      if (this.teSawChunked && this.isRequest && !this.lenient) {
        // Nothing may follow `chunked` in a request (RFC 9112 6.1), not even an
        // empty element (as Node: `chunked,` is refused).
        this.fail(
          "HPE_INVALID_TRANSFER_ENCODING",
          "Invalid `Transfer-Encoding` header value",
          at,
        );
        return false;
      }
      if (coding === "") {
        // Node's client: `chunked` must be the last element, an empty one included.
        if (!this.isRequest) this.teChunked = false;
        continue;
      }
      const chunked = eqIgnoreCase(coding, "chunked");
      this.teChunked = chunked;
      if (chunked) this.teSawChunked = true;
    }
    return true;
  }

  private onConnection(value: string): void {
    let start = 0;
    for (let k = 0; k <= value.length; k++) {
      if (k < value.length && value.charCodeAt(k) !== 0x2c) continue;
      let token = listElement(value, start, k, false);
      start = k + 1;
      // As llhttp, a token followed by a tab is neither `keep-alive` nor
      // `upgrade`; `close` still is (RFC 9112 9.6: closing is always safe).
      let tabbed = k === value.length && this.fieldTab;
      if (token.length !== 0 && token.charCodeAt(token.length - 1) === HT) {
        token = trimEnd(token);
        tabbed = true;
      }
      switch (token.length) {
        case 5:
          if (eqIgnoreCase(token, "close")) this.connClose = true;
          break;
        case 7:
          if (!tabbed && eqIgnoreCase(token, "upgrade")) this.connUpgrade = true;
          break;
        case 10:
          if (!tabbed && eqIgnoreCase(token, "keep-alive")) this.connKeepAlive = true;
          break;
      }
    }
  }

  /** llhttp_message_needs_eof. */
  private needsEof(): boolean {
    if (this.isRequest) return false;
    const status = this.statusCode;
    if ((status >= 100 && status < 200) || status === 204 || status === 304 || this.skipBody) {
      return false;
    }
    if (this.hasTransferEncoding && !this.chunkedBody) return true;
    return !(this.chunkedBody || this.hasContentLength);
  }

  /** llhttp_should_keep_alive, plus RFC 9112 6.1 for HTTP/1.0 with Transfer-Encoding. */
  private keepAlive(): boolean {
    if (this.versionMajor > 0 && this.versionMinor > 0) {
      if (this.connClose) return false;
    } else {
      if (!this.connKeepAlive) return false;
      if (this.hasTransferEncoding) return false;
    }
    return !this.needsEof();
  }

  /** The empty line ending the head. `this.state` is synced; may set it. */
  private headersDone(at: number): number {
    const isRequest = this.isRequest;
    const lenient = this.lenient;
    // Framing.
    let eofBody = false;
    if (this.http09) {
      this.fail("HPE_INVALID_CONSTANT", "Expected HTTP/", at);
      return STOP;
    }
    if (this.teEmpty && !this.hasTransferEncoding) {
      // RFC 9112 6.3: a request with Transfer-Encoding whose final coding is not
      // chunked is refused (Node 20 reads it by its Content-Length, or as bodiless).
      this.fail("HPE_INVALID_TRANSFER_ENCODING", "Empty Transfer-Encoding", at);
      return STOP;
    }
    if (this.hasTransferEncoding) {
      if (this.teChunked) {
        this.chunkedBody = true;
      } else if (isRequest) {
        // llhttp delivers the head and fails after it; a request whose body
        // framing is unknown never reaches the handler here (it could be a
        // smuggled request), so the error comes first.
        if (!lenient) {
          this.fail(
            "HPE_INVALID_TRANSFER_ENCODING",
            "Request has invalid `Transfer-Encoding`",
            at,
          );
          return STOP;
        }
        eofBody = true;
      } else {
        // A response's body then ends with the connection, even when a
        // Content-Length came too (lenient): the coding wins (RFC 9112 6.3).
        eofBody = true;
      }
    }
    const status = this.statusCode;
    const upgrade = isRequest
      ? (this.hasUpgrade && this.connUpgrade) || this.method === "CONNECT"
      : this.hasUpgrade && this.connUpgrade && status === 101;
    const head: MessageHead = {
      versionMajor: this.versionMajor,
      versionMinor: this.versionMinor,
      rawHeaders: this.rawHeaders,
      method: this.method,
      url: this.url,
      statusCode: status,
      statusMessage: this.statusMessage,
      upgrade,
      shouldKeepAlive: this.keepAlive(),
      host: this.hasHost,
      expect: this.hasExpect,
      transferEncoding: this.hasTransferEncoding,
    };
    this.headerSize = 0;
    this.state = S_CALLBACK; // until the answer is known (a throwing callback leaves it stopped)
    const epoch = this.epoch;
    const answer = this.cb.onHeaders(head);
    if (this.epoch !== epoch) return STOP;

    if (answer === HEADERS_UPGRADE) {
      this.upgraded = true;
      this.state = S_DEAD;
      this.cb.onComplete([]);
      return STOP;
    }
    if (answer === HEADERS_SKIP_BODY) this.skipBody = true;

    let next: number;
    if (this.skipBody) {
      next = -1;
    } else if (
      !isRequest && ((status >= 100 && status < 200) || status === 204 || status === 304)
    ) {
      next = -1;
    } else if (this.chunkedBody) {
      next = S_CHUNK_SIZE_START;
    } else if (eofBody) {
      next = S_BODY_EOF;
    } else if (this.hasContentLength) {
      if (this.contentLength === 0) next = -1;
      else {
        this.remaining = this.contentLength;
        next = S_BODY_CL;
      }
    } else if (isRequest) {
      next = -1;
    } else {
      next = this.needsEof() ? S_BODY_EOF : -1;
    }
    if (next === -1) {
      if (isRequest || status !== 101) return this.messageDone(at);
      // A 101 ends HTTP on the connection even without Upgrade (llhttp): the
      // message completes and the bytes after it are not parsed.
      const r = this.messageDone(at);
      if (this.epoch !== epoch) return r;
      if (this.state === S_MSG_START || this.state === S_CLOSED) this.state = S_DEAD;
      return STOP;
    }
    this.state = next;
    if (this.paused) {
      this.chunk = EMPTY_VIEW;
      return STOP;
    }
    return 0;
  }

  /** The message is complete. `this.state` is synced; sets the next state. */
  private messageDone(_at: number): number {
    const trailers = this.inTrailers ? this.trailers : [];
    // A 1xx ends the connection too when it says so (`Connection: close`, or
    // HTTP/1.0 without keep-alive): as llhttp, whatever follows is an error.
    this.state = this.lenient || this.keepAlive() ? S_MSG_START : S_CLOSED;
    this.inTrailers = false;
    // An idle connection keeps none of the last message's strings alive.
    this.method = "";
    this.url = "";
    this.fieldName = "";
    this.fieldValue = "";
    this.pending = "";
    this.statusMessage = "";
    if (this.rawHeaders.length !== 0) this.rawHeaders = [];
    if (this.trailers.length !== 0) this.trailers = [];
    if (_at >= this.chunk.length) {
      this.win = "";
      this.winEnd = -1;
      this.chunk = EMPTY_VIEW;
    }
    const epoch = this.epoch;
    this.cb.onComplete(trailers);
    if (this.epoch !== epoch) return STOP;
    if (this.paused) {
      this.chunk = EMPTY_VIEW;
      return STOP;
    }
    return 0;
  }

  /**
   * A chunk size grew to `size` (at least 13 hex digits). As in Node, it may
   * use all 64 bits (16 hex digits): such a chunk cannot end before the
   * connection does, so its float size only has to stay huge.
   */
  private chunkSizeOverflow(_size: number): boolean {
    this.chunkDigits = this.chunkDigits === 0 ? 13 : this.chunkDigits + 1;
    return this.chunkDigits > 16;
  }

  /** The line of a chunk size (and extensions) is complete: returns the next state. */
  private chunkHeaderDone(): number {
    this.headerSize = 0;
    this.extSize = 0;
    if (this.chunkSize === 0) {
      this.inTrailers = true;
      this.trailers = [];
      this.sectionFields = 0;
      return S_FIELD_START;
    }
    this.remaining = this.chunkSize;
    return S_CHUNK_DATA;
  }
}

/**
 * Checks an absolute-form or authority-form request target the way llhttp's
 * URL machine does; returns llhttp's reason, or null when the target is fine.
 */
function checkUrlForm(url: string, connect: boolean, partial = false): string | null {
  let k = 0;
  const n = url.length;
  if (!connect) {
    const first = url.charCodeAt(0);
    if (first === 0x2f || first === 0x2a) return null;
    if (!isAlpha(first)) return "Unexpected start char in url";
    while (k < n && isAlpha(url.charCodeAt(k))) k++;
    // (`partial`: the target goes on past `url`, so a form cut short is not wrong yet)
    if (k === n) return partial ? null : "Unexpected char in url schema";
    if (url.charCodeAt(k) !== 0x3a) return "Unexpected char in url schema";
    for (let d = 1; d <= 2; d++) {
      if (k + d === n && partial) return null;
      if (url.charCodeAt(k + d) !== 0x2f) return "Unexpected char in url schema";
    }
    k += 3;
  }
  // host (userinfo@host:port, IPv6 brackets); llhttp refuses only "@@"
  let at = false;
  for (; k < n; k++) {
    const ch = url.charCodeAt(k);
    if (ch === 0x2f || ch === 0x3f) return null; // path / query: any visible char
    if (ch === 0x40) {
      if (at) return "Double @ in url";
      at = true;
      continue;
    }
    at = false;
    if (!isServerChar(ch)) return "Unexpected char in url server";
  }
  return null;
}

function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** llhttp's USERINFO_CHARS plus `[` `]`. */
function isServerChar(c: number): boolean {
  if (isAlpha(c) || (c >= 0x30 && c <= 0x39)) return true;
  switch (c) {
    case 0x2d: // -
    case 0x5f: // _
    case 0x2e: // .
    case 0x21: // !
    case 0x7e: // ~
    case 0x2a: // *
    case 0x27: // '
    case 0x28: // (
    case 0x29: // )
    case 0x25: // %
    case 0x3b: // ;
    case 0x3a: // :
    case 0x26: // &
    case 0x3d: // =
    case 0x2b: // +
    case 0x24: // $
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
      return true;
  }
  return false;
}

/**
 * One element of a comma-separated list (`value[start, end)`) as llhttp reads
 * the framing fields: leading SP/HTAB skipped, only SP after the token. An
 * HTAB left after it (`tabAfter`: one trimmed off the end of the value) makes
 * it no token llhttp knows (an X keeps it from matching).
 */
function listElement(value: string, start: number, end: number, tabAfter: boolean): string {
  while (start < end) {
    const c = value.charCodeAt(start);
    if (c !== SP && c !== HT) break;
    start++;
  }
  while (end > start && value.charCodeAt(end - 1) === SP) end--;
  const token = value.slice(start, end);
  return tabAfter ? token + "X" : token;
}

/**
 * Why a request's Content-Length value is refused (strict: 1*DIGIT then SP,
 * at most 2^64 - 1, as Node 20), or null. `value` starts after the leading
 * whitespace; `partial`: more bytes may follow, so an empty value is not yet
 * wrong; `tabAfter`: an HTAB was trimmed off its end.
 */
function contentLengthError(value: string, tabAfter: boolean, partial = false): string | null {
  const len = value.length;
  let k = 0;
  let digits = 0;
  while (k < len) {
    const ch = value.charCodeAt(k);
    if (ch < 0x30 || ch > 0x39) break;
    if (digits !== 0 || ch !== 0x30) digits++;
    k++;
  }
  const end = k;
  if (
    digits > 20 ||
    (digits === 20 && value.slice(end - 20, end) > "18446744073709551615")
  ) {
    return "Content-Length overflow";
  }
  while (k < len && value.charCodeAt(k) === SP) k++;
  if (k !== len || tabAfter || (end === 0 && (len !== 0 || !partial))) {
    return len === 0 && !tabAfter ? "Empty Content-Length" : "Invalid character in Content-Length";
  }
  return null;
}

/** The number a string of decimal digits (then spaces) stands for (a float past 2^53). */
function decimalValue(value: string): number {
  let n = 0;
  for (let k = 0; k < value.length; k++) {
    const ch = value.charCodeAt(k);
    if (ch < 0x30 || ch > 0x39) break;
    n = n * 10 + (ch - 0x30);
  }
  return n;
}
