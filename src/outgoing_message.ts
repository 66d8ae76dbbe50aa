/**
 * `OutgoingMessage`: what `ServerResponse` and `ClientRequest` share, as in
 * Node's `lib/_http_outgoing.js`.
 *
 * ## How a connection drives it (server and client alike)
 *
 * - The owner of the connection calls {@link OutgoingMessage._attach}`(socket,
 *   transport)` when this message may write (its turn in the pipeline; for a
 *   client, once the socket is assigned). Before that, everything written is
 *   queued (`outputSize` bytes) and the owner's `pendingData(delta)` is called
 *   (`_owner`, an {@link OutgoingOwner}; the owner is also told when the
 *   message finished, before its 'finish' listeners run).
 *   `_attach` flushes the queue; when the message had already ended it emits
 *   'prefinish'. Subclasses emit 'socket' themselves.
 * - The owner forwards the transport's `onDrain` to {@link OutgoingMessage._onDrain}.
 * - {@link OutgoingMessage._detach} lets go of the socket.
 * - Bytes go straight to `transport.write()`; the user-visible `socket` is only
 *   used for `setTimeout`/`destroy`. Writes made in one tick are coalesced into
 *   one transport write (like Node's per-tick cork), heads travel with the first
 *   body bytes, and `end(data)` before the head was sent is ONE write.
 * - Subclasses implement `_implicitHeader()` (build the head with
 *   {@link OutgoingMessage._storeHeader}`(firstLine, headers)`), and may set
 *   `useChunkedEncodingByDefault`, `shouldKeepAlive`, `_hasBody`, `sendDate`,
 *   `_uniqueHeaders`, `_keepAliveTimeout`, `_maxRequestsPerSocket`.
 * - 'finish' is emitted when the last bytes were handed to the transport's
 *   write callback; `_emitClose()` emits 'close' once.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import process from "node:process";
import { LightStream } from "./stream_bases.ts";
import type { Duplex } from "node:stream";
import type { Socket } from "./socket.ts";
import type { Transport, WriteCallback } from "./transport/transport.ts";
import {
  addHeaders,
  appendLine,
  chunkOverhead,
  createHeadState,
  finishHead,
  type HeadersInput,
  type HeaderStore,
  lastChunk,
  type OutgoingHeaderValue,
  serializeTrailers,
  type TrailersInput,
  writeChunkHeader,
} from "./core/serializer.ts";
import { httpDate } from "./clock.ts";
import { validateHeaderName, validateHeaderValue } from "./core/headers.ts";
import {
  ERR_HTTP_BODY_NOT_ALLOWED,
  ERR_HTTP_CONTENT_LENGTH_MISMATCH,
  ERR_HTTP_HEADERS_SENT,
  ERR_HTTP_TRAILER_INVALID,
  ERR_INVALID_ARG_TYPE,
  ERR_METHOD_NOT_IMPLEMENTED,
  ERR_STREAM_ALREADY_FINISHED,
  ERR_STREAM_CANNOT_PIPE,
  ERR_STREAM_DESTROYED,
  ERR_STREAM_NULL_VALUES,
  ERR_STREAM_WRITE_AFTER_END,
  ERR_UNKNOWN_ENCODING,
} from "./core/errors.ts";
import { nextTick } from "./next_tick.ts";
import { latin1EncodeInto, utf8ByteLength } from "./core/latin1.ts";
import { detectRuntimeName } from "./transport/runtime.ts";

let warnedHeaders = false;
/** One DEP0066 warning per process, whichever of `_headers`/`_headerNames` is touched first. */
function warnHeadersDeprecated(name: string): void {
  if (warnedHeaders) return;
  warnedHeaders = true;
  process.emitWarning(
    `OutgoingMessage.prototype.${name} is deprecated`,
    "DeprecationWarning",
    "DEP0066",
  );
}

/** The connection that drives an `OutgoingMessage` (the server's, for its responses). */
export interface OutgoingOwner {
  /** The bytes queued in a message not yet writing changed by `delta`. */
  pendingData(delta: number): void;
  /** `msg` finished: called just before its 'finish' event. */
  messageFinished(msg: OutgoingMessage): void;
}

/** Options of the `OutgoingMessage` constructor. */
export interface OutgoingMessageOptions {
  /** Queue limit before `write()` returns false while no socket is attached (default 16384). */
  highWaterMark?: number;
  /** Throw `ERR_HTTP_BODY_NOT_ALLOWED` on body writes to HEAD/204/304 responses instead of ignoring them. */
  rejectNonStandardBodyWrites?: boolean;
}

/** Encodings accepted with string chunks. */
export type ChunkEncoding = BufferEncoding;

/** What `write()`/`end()` accept as a chunk. */
export type Chunk = string | Uint8Array;

type Callback = (error?: Error | null) => void;

const DEFAULT_HWM = 16384;
/** Chunks at least this big are not copied into a combined buffer. */
const COPY_LIMIT = 65536;
const EMPTY = new Uint8Array(0);
const CRLF = new Uint8Array([13, 10]);
/** The last chunk of a chunked body without trailers, `0\r\n\r\n` (shared: written, never changed). */
const LAST_CHUNK = new Uint8Array([0x30, 13, 10, 13, 10]);
const nop = (): void => {};

/** Strings up to this long are measured in JavaScript (no native call). */
const SHORT_STRING = 64;

function byteLengthOf(chunk: Chunk, encoding: ChunkEncoding | null | undefined): number {
  if (typeof chunk !== "string") return chunk.byteLength;
  const n = chunk.length;
  if (n === 0) return 0;
  if (encoding === "latin1" || encoding === "binary" || encoding === "ascii") return n;
  if (n <= SHORT_STRING && (!encoding || encoding === "utf8" || encoding === "utf-8")) {
    return utf8ByteLength(chunk);
  }
  return Buffer.byteLength(chunk, encoding ?? "utf8");
}

const textEncoder = new TextEncoder();

/**
 * UTF-8 bytes of a string: Bun's `TextEncoder` is several times faster there
 * than `Buffer.from`, which is the faster one on Node and Deno.
 */
const utf8Bytes: (s: string) => Uint8Array = detectRuntimeName() === "bun"
  ? (s) => textEncoder.encode(s)
  : (s) => Buffer.from(s, "utf8");

function toBytes(chunk: Chunk, encoding: ChunkEncoding | null | undefined): Uint8Array {
  if (typeof chunk !== "string") return chunk;
  if (chunk.length === 0) return EMPTY;
  if (!encoding || encoding === "utf8" || encoding === "utf-8") return utf8Bytes(chunk);
  return Buffer.from(chunk, encoding);
}

/**
 * Writes `s` latin1-encoded into `buf` at `offset`; returns the offset after it.
 * Node's and Bun's native `buf.write(s, offset, "latin1")` is 2-3x faster than
 * a loop for a head; on Deno the loop is 2x faster than its `Buffer` write.
 */
const latin1Into: (s: string, buf: Buffer, offset: number) => number =
  detectRuntimeName() === "deno"
    ? latin1EncodeInto
    : (s, buf, offset) => offset + buf.write(s, offset, "latin1");

/** `s` as latin1 bytes in a (pooled) Buffer. */
function latin1Buffer(s: string): Buffer {
  const buf = Buffer.allocUnsafe(s.length);
  latin1Into(s, buf, 0);
  return buf;
}

function isUtf8ish(encoding: ChunkEncoding | null | undefined): boolean {
  return !encoding || encoding === "utf8" || encoding === "utf-8" || encoding === "latin1";
}

let keepAliveCache = "";
let keepAliveCacheTimeout = -1;
let keepAliveCacheMax = -1;

/** `timeout=N[, max=M]` for the `Keep-Alive` header (the last one is kept: servers reuse it). */
function keepAliveValue(timeoutMs: number, maxRequests: number): string {
  if (timeoutMs !== keepAliveCacheTimeout || maxRequests !== keepAliveCacheMax) {
    const seconds = Math.floor(timeoutMs / 1000);
    const max = ~~maxRequests > 0 ? `, max=${maxRequests}` : "";
    keepAliveCache = `timeout=${seconds}${max}`;
    keepAliveCacheTimeout = timeoutMs;
    keepAliveCacheMax = maxRequests;
  }
  return keepAliveCache;
}

/**
 * Base class of `ServerResponse` and `ClientRequest` (Node's `http.OutgoingMessage`).
 *
 * @example
 * ```ts
 * import { createServer } from "../mod.ts";
 * createServer((req, res) => {
 *   res.setHeader("Content-Type", "text/plain");
 *   res.end("hello");
 * });
 * ```
 */
export class OutgoingMessage extends LightStream {
  /** Always true until ended (legacy Stream flag). */
  writable: boolean = true;
  /** True once `destroy()` was called or the message closed. */
  destroyed: boolean = false;
  /** The message will close the connection when done. */
  _last: boolean = false;
  /** The body is sent with chunked transfer-coding. */
  chunkedEncoding: boolean = false;
  /** The connection may be reused after this message. */
  shouldKeepAlive: boolean = true;
  /** `maxRequestsPerSocket` was reached: send `Connection: close`. */
  maxRequestsOnConnectionReached: boolean = false;
  /** No user `Keep-Alive` header: send Node's own. */
  _defaultKeepAlive: boolean = true;
  /** Use chunked encoding when no length is known (HTTP/1.1). */
  useChunkedEncodingByDefault: boolean = true;
  /** Add a `Date` header automatically. */
  sendDate: boolean = false;
  /** The user removed `Connection`. */
  _removedConnection: boolean = false;
  /** The user removed `Content-Length`. */
  _removedContLen: boolean = false;
  /** The user removed `Transfer-Encoding`. */
  _removedTE: boolean = false;
  /** Check that the body length equals `Content-Length` (`ERR_HTTP_CONTENT_LENGTH_MISMATCH`). */
  strictContentLength: boolean = false;
  /** Length used for the automatic `Content-Length` (end(data) before the head), or the header's value. */
  _contentLength: number | null = null;
  /** False for messages that must not carry a body (HEAD responses, 1xx/204/304). */
  _hasBody: boolean = true;
  /** Trailer lines set by `addTrailers()`. */
  _trailer: string = "";
  /** `end()` was called (same as `writableEnded`). */
  finished: boolean = false;
  /** The head was handed to the write path. */
  _headerSent: boolean = false;
  /** 'close' was emitted. */
  _closed: boolean = false;
  /** The connection's socket while this message owns it (any Duplex is typed as a Socket). */
  socket: Socket | null = null;
  /** The head text once built (Node's `_header`), else null. */
  _header: string | null = null;
  /** Server keep-alive timeout in ms, for the `Keep-Alive: timeout=N` header (0: none). */
  _keepAliveTimeout: number = 0;
  /** Server `maxRequestsPerSocket`, for `Keep-Alive: max=N`. */
  _maxRequestsPerSocket: number = 0;
  /** Names whose array values are joined with `"; "` instead of repeated (lower-cased). */
  _uniqueHeaders: Set<string> | null = null;
  /** Bytes queued in this message, not yet handed to the transport. */
  outputSize: number = 0;
  /** The connection driving this message (told of queued bytes and of the finish), if any. */
  _owner: OutgoingOwner | null = null;

  /** Header store: lower-cased name → [name as set, value]. */
  protected _outHeaders: HeaderStore | null = null;
  /** Transport written to while this message owns the connection. */
  protected _transport: Transport | null = null;
  // Queued chunks and callbacks: made on the first write, then emptied in place.
  // Queued output: one chunk (the usual case: no array per response), or a list.
  private _out: Uint8Array | Uint8Array[] | null = null;
  private _outCbs: Callback | Callback[] | null = null;
  /** The queue ends with an empty write that carries a callback (see `Transport.showsWrites`). */
  private _outEndsEmpty = false;
  private _flushScheduled = false;
  /** An `uncork()` undid the write's per-tick cork before its tick came. */
  private _tickUncorked = false;
  /** A body write of this tick holds what goes out until the tick's flush (Node's per-tick cork). */
  private _tickHeld = false;
  /** `destroy()` dropped output queued on the connection. */
  private _lostOnDestroy = false;
  private _pendingReported = 0;
  protected _corked = 0;
  /** How many of the `cork()` calls also corked the socket (and are undone on it). */
  private _socketCorks = 0;
  private _needDrain = false;
  private _bytesWritten = 0;
  private _errored: Error | null = null;
  private _hwm: number;
  private _rejectNonStandardBodyWrites: boolean;

  /** Creates a message that is not attached to a connection yet. */
  constructor(options?: OutgoingMessageOptions) {
    super();
    this._hwm = options?.highWaterMark ?? DEFAULT_HWM;
    this._rejectNonStandardBodyWrites = options?.rejectNonStandardBodyWrites ?? false;
  }

  /** Alias of `socket`. */
  get connection(): Socket | null {
    return this.socket;
  }
  set connection(value: Socket | null) {
    this.socket = value;
  }

  /** The error the message was destroyed with, if any. */
  get errored(): Error | null {
    return this._errored;
  }

  /** True once 'close' was emitted. */
  get closed(): boolean {
    return this._closed;
  }

  /** True once the head was built (it cannot change any more). */
  get headersSent(): boolean {
    return !!this._header;
  }

  /** True once `end()` was called. */
  get writableEnded(): boolean {
    return this.finished;
  }

  /** True once everything was handed to the operating system. */
  get writableFinished(): boolean {
    return this.finished && this.outputSize === 0 &&
      (this._transport === null || this._transport.writableLength === 0);
  }

  /** Always false. */
  get writableObjectMode(): boolean {
    return false;
  }

  /**
   * The chunks queued here and not yet handed to the connection, oldest first
   * (Node's `outputData`; a read-only snapshot).
   */
  get outputData(): { data: Uint8Array; encoding: string; callback: Callback | null }[] {
    const queued = this._out;
    const out = queued === null ? [] : Array.isArray(queued) ? queued : [queued];
    const list: { data: Uint8Array; encoding: string; callback: Callback | null }[] = [];
    for (let i = 0; i < out.length; i++) {
      list.push({ data: out[i], encoding: "latin1", callback: null });
    }
    return list;
  }

  /** Bytes queued here and in the connection. */
  get writableLength(): number {
    return this.outputSize + (this._transport ? this._transport.writableLength : 0);
  }

  /** The high-water mark of the socket (or the message's own before it has one). */
  get writableHighWaterMark(): number {
    const s = this.socket as { writableHighWaterMark?: number } | null;
    return s && typeof s.writableHighWaterMark === "number" ? s.writableHighWaterMark : this._hwm;
  }

  /**
   * How many `cork()` calls are not undone yet: as Node's, the socket's count
   * once there is one (it is corked with the message), plus corks from before.
   */
  get writableCorked(): number {
    const s = this.socket as { writableCorked?: number } | null;
    if (s === null || this._transport === null || typeof s.writableCorked !== "number") {
      return this._corked;
    }
    return s.writableCorked + this._corked - this._socketCorks;
  }

  /** True when `write()` returned false and 'drain' has not come yet. */
  get writableNeedDrain(): boolean {
    return !this.destroyed && !this.finished && this._needDrain;
  }

  // ---------------------------------------------------------------- headers

  /**
   * Sets one header (replacing any value of that name, case-insensitively).
   *
   * @example
   * ```ts
   * res.setHeader("Set-Cookie", ["a=1", "b=2"]);
   * ```
   */
  setHeader(name: string, value: OutgoingHeaderValue): this {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("set");
    validateHeaderName(name);
    validateHeaderValue(name, value);
    let store = this._outHeaders;
    if (store === null) this._outHeaders = store = new Map();
    store.set(name.toLowerCase(), [name, value]);
    return this;
  }

  /**
   * Sets several headers from a `Headers` or `Map` (`set-cookie` values are kept as a list).
   *
   * @example
   * ```ts
   * res.setHeaders(new Headers({ "x-a": "1" }));
   * ```
   */
  setHeaders(
    headers:
      | Map<string, OutgoingHeaderValue>
      | {
        keys(): unknown;
        get(k: string): unknown;
        [Symbol.iterator](): Iterator<[string, string]>;
      },
  ): this {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("set");
    const h = headers as unknown as {
      keys?: unknown;
      get?: unknown;
      [Symbol.iterator]: () => Iterator<[string, OutgoingHeaderValue]>;
    };
    if (
      !headers || Array.isArray(headers) || typeof h.keys !== "function" ||
      typeof h.get !== "function"
    ) {
      throw ERR_INVALID_ARG_TYPE("headers", ["Headers", "Map"], headers);
    }
    const cookies: (string | number)[] = [];
    for (const [key, value] of h as Iterable<[string, OutgoingHeaderValue]>) {
      if (key === "set-cookie") {
        if (Array.isArray(value)) cookies.push(...(value as (string | number)[]));
        else cookies.push(value as string | number);
        continue;
      }
      this.setHeader(key, value);
    }
    if (cookies.length) this.setHeader("set-cookie", cookies);
    return this;
  }

  /**
   * Adds a value to a header (making it a list), or sets it when absent.
   *
   * @example
   * ```ts
   * res.appendHeader("Vary", "Accept");
   * ```
   */
  appendHeader(name: string, value: OutgoingHeaderValue): this {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("append");
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const field = name.toLowerCase();
    const store = this._outHeaders;
    const entry = store?.get(field);
    if (!store || !entry) return this.setHeader(name, value);
    if (!Array.isArray(entry[1])) entry[1] = [entry[1] as string | number];
    const list = entry[1] as (string | number)[];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) list.push(value[i]);
    } else {
      list.push(value as string | number);
    }
    return this;
  }

  /**
   * The value of a header as set (case-insensitive name), or undefined.
   *
   * @example
   * ```ts
   * res.getHeader("content-type");
   * ```
   */
  getHeader(name: string): OutgoingHeaderValue | undefined {
    if (typeof name !== "string") throw ERR_INVALID_ARG_TYPE("name", "string", name);
    const entry = this._outHeaders?.get(name.toLowerCase());
    return entry && entry[1];
  }

  /** Lower-cased names of the headers set, in insertion order. */
  getHeaderNames(): string[] {
    return this._outHeaders ? Array.from(this._outHeaders.keys()) : [];
  }

  /** Names of the headers set, with the casing they were set with. */
  getRawHeaderNames(): string[] {
    const out: string[] = [];
    if (this._outHeaders) { for (const e of this._outHeaders.values()) out.push(e[0]); }
    return out;
  }

  /** A null-prototype copy of the headers, keyed by lower-cased name. */
  getHeaders(): Record<string, OutgoingHeaderValue> {
    const ret = Object.create(null) as Record<string, OutgoingHeaderValue>;
    if (this._outHeaders) { for (const [k, e] of this._outHeaders) ret[k] = e[1]; }
    return ret;
  }

  /** Whether a header is set (case-insensitive). */
  hasHeader(name: string): boolean {
    if (typeof name !== "string") throw ERR_INVALID_ARG_TYPE("name", "string", name);
    return this._outHeaders !== null && this._outHeaders.has(name.toLowerCase());
  }

  /** Removes a header; removing Connection/Content-Length/Transfer-Encoding/Date also stops the automatic one. */
  removeHeader(name: string): void {
    if (typeof name !== "string") throw ERR_INVALID_ARG_TYPE("name", "string", name);
    if (this._header) throw ERR_HTTP_HEADERS_SENT("remove");
    const key = name.toLowerCase();
    switch (key) {
      case "connection":
        this._removedConnection = true;
        break;
      case "content-length":
        this._removedContLen = true;
        break;
      case "transfer-encoding":
        this._removedTE = true;
        break;
      case "date":
        this.sendDate = false;
        break;
    }
    this._outHeaders?.delete(key);
  }

  /** The headers as an object keyed by the names as set (Node's `_renderHeaders`). */
  _renderHeaders(): Record<string, OutgoingHeaderValue> {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
    const out: Record<string, OutgoingHeaderValue> = {};
    if (this._outHeaders) { for (const e of this._outHeaders.values()) out[e[0]] = e[1]; }
    return out;
  }

  /** @deprecated (DEP0066) The headers keyed by lower-cased name; use `getHeaders()`. */
  get _headers(): Record<string, OutgoingHeaderValue> {
    warnHeadersDeprecated("_headers");
    return this.getHeaders();
  }
  set _headers(value: Record<string, OutgoingHeaderValue> | null | undefined) {
    warnHeadersDeprecated("_headers");
    if (value == null) this._outHeaders = null;
    else if (typeof value === "object") {
      const store: HeaderStore = this._outHeaders = new Map();
      for (const name of Object.keys(value)) store.set(name.toLowerCase(), [name, value[name]]);
    }
  }

  /** @deprecated (DEP0066) Lower-cased name → name as set, or null; use `getRawHeaderNames()`. */
  get _headerNames(): Record<string, string> | null {
    warnHeadersDeprecated("_headerNames");
    if (this._outHeaders === null) return null;
    const out = Object.create(null) as Record<string, string>;
    for (const [k, e] of this._outHeaders) out[k] = e[0];
    return out;
  }
  set _headerNames(value: Record<string, string> | null) {
    warnHeadersDeprecated("_headerNames");
    if (typeof value !== "object" || value === null || this._outHeaders === null) return;
    for (const key of Object.keys(value)) {
      const entry = this._outHeaders.get(key);
      if (entry) entry[0] = value[key];
    }
  }

  /**
   * Sets trailers sent after a chunked body (object, or array of `[name, value]`).
   *
   * @example
   * ```ts
   * res.addTrailers({ "Content-MD5": "7895bf4b8828b55ceaf47747b4bca667" });
   * ```
   */
  addTrailers(headers: TrailersInput): void {
    this._trailer = "";
    this._trailer = serializeTrailers(headers, this._uniqueHeaders, this);
  }

  // ------------------------------------------------------------ head building

  /** Builds the head when the user did not call `writeHead` (subclass duty). */
  _implicitHeader(): void {
    throw ERR_METHOD_NOT_IMPLEMENTED("_implicitHeader()");
  }

  /**
   * Builds `_header` from `firstLine` (with CRLF) and `headers` (the header store,
   * or headers given to `writeHead`/`request`), deciding framing and keep-alive
   * as Node's `_storeHeader` does.
   */
  _storeHeader(firstLine: string, headers: HeadersInput | null | undefined): void {
    const st = createHeadState(firstLine);
    // Node's processHeader sees a Content-Length known before the head (from end()).
    if (typeof this._contentLength === "number") st.contentLengthValue = this._contentLength;
    if (headers) {
      addHeaders(st, headers, headers !== this._outHeaders, this._uniqueHeaders);
    }
    if (st.connection) {
      this._removedConnection = false;
      if (st.connectionClose) this._last = true;
      if (st.connectionOther) this.shouldKeepAlive = true;
    }
    if (st.transferEncoding) {
      this._removedTE = false;
      if (st.chunked) this.chunkedEncoding = true;
    }
    if (st.contentLength) {
      this._contentLength = st.contentLengthValue;
      this._removedContLen = false;
    }
    if (st.keepAlive) this._defaultKeepAlive = false;

    if (this.sendDate && !st.date) appendLine(st, "Date", httpDate());

    const statusCode = (this as unknown as { statusCode?: number }).statusCode;
    if (this.chunkedEncoding && (statusCode === 204 || statusCode === 304)) {
      this.chunkedEncoding = false;
      this.shouldKeepAlive = false;
    }

    if (this._removedConnection) {
      this._last = !this.shouldKeepAlive;
    } else if (!st.connection) {
      const agent = (this as unknown as { agent?: unknown }).agent;
      const sendKeepAlive = this.shouldKeepAlive &&
        (st.contentLength || this.useChunkedEncodingByDefault || !!agent);
      if (sendKeepAlive && this.maxRequestsOnConnectionReached) {
        appendLine(st, "Connection", "close");
      } else if (sendKeepAlive) {
        appendLine(st, "Connection", "keep-alive");
        if (this._keepAliveTimeout && this._defaultKeepAlive) {
          appendLine(
            st,
            "Keep-Alive",
            keepAliveValue(this._keepAliveTimeout, this._maxRequestsPerSocket),
          );
        }
      } else {
        this._last = true;
        appendLine(st, "Connection", "close");
      }
    }

    if (!st.contentLength && !st.transferEncoding) {
      if (!this._hasBody) {
        this.chunkedEncoding = false;
      } else if (!this.useChunkedEncodingByDefault) {
        this._last = true;
      } else if (
        !st.trailer && !this._removedContLen && typeof this._contentLength === "number"
      ) {
        appendLine(st, "Content-Length", String(this._contentLength));
      } else if (!this._removedTE) {
        appendLine(st, "Transfer-Encoding", "chunked");
        this.chunkedEncoding = true;
      } else {
        this._last = true;
      }
    }

    if (this.chunkedEncoding !== true && st.trailer) throw ERR_HTTP_TRAILER_INVALID();

    this._header = finishHead(st);
    this._headerSent = false;
    // As Node's `_send("")`: the head goes now, as a UTF-8 string.
    if (st.expect) {
      const held = this._heldByTick();
      this._send("", "utf8", null);
      if (!held && this._corked === 0 && this._transport !== null) this._flushOutput();
    }
  }

  // -------------------------------------------------------------- write path

  /**
   * Queues a body chunk. Returns false when the caller should wait for 'drain'.
   *
   * @example
   * ```ts
   * if (!res.write(chunk)) res.once("drain", next);
   * ```
   */
  write(chunk: Chunk, encoding?: ChunkEncoding | Callback | null, callback?: Callback): boolean {
    if (typeof encoding === "function") {
      callback = encoding;
      encoding = null;
    }
    const ret = this._write_(chunk, encoding, callback, false);
    if (!ret) this._needDrain = true;
    return ret;
  }

  private _write_(
    chunk: Chunk,
    encoding: ChunkEncoding | null | undefined,
    callback: Callback | undefined | null,
    fromEnd: boolean,
  ): boolean {
    const cb: Callback = typeof callback === "function" ? callback : nop;
    if (chunk === null) throw ERR_STREAM_NULL_VALUES();
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) {
      throw ERR_INVALID_ARG_TYPE("chunk", ["string", "Buffer", "Uint8Array"], chunk);
    }
    let err: Error | null = null;
    if (this.finished) err = ERR_STREAM_WRITE_AFTER_END();
    else if (this.destroyed) err = ERR_STREAM_DESTROYED("write");
    if (err) {
      const e = err;
      if (!this.destroyed) {
        nextTick(() => {
          cb(e);
          if (!this.destroyed) this.emit("error", e);
        });
      } else {
        nextTick(() => cb(e));
      }
      return false;
    }

    let len = -1;
    if (this.strictContentLength) {
      len = byteLengthOf(chunk, encoding);
      if (
        this._strictLength() &&
        (fromEnd
          ? this._bytesWritten + len !== this._contentLength
          : this._bytesWritten + len > (this._contentLength as number))
      ) {
        throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(
          len + this._bytesWritten,
          this._contentLength as number,
        );
      }
      this._bytesWritten += len;
    }

    if (!this._header) {
      if (fromEnd) {
        if (len < 0) len = byteLengthOf(chunk, encoding);
        this._contentLength = len;
      }
      this._implicitHeader();
    }

    if (!this._hasBody) {
      if (this._rejectNonStandardBodyWrites) throw ERR_HTTP_BODY_NOT_ALLOWED();
      nextTick(() => cb());
      return true;
    }

    if (!fromEnd && this._transport !== null && this._corked === 0) {
      // Node's write() corks the socket until the next tick.
      this._tickHeld = true;
      if (!this._flushScheduled) {
        this._flushScheduled = true;
        nextTick(() => this._flushTick());
      }
    }
    return this._sendBody(chunk, encoding, cb, this.chunkedEncoding);
  }

  private _strictLength(): boolean {
    return this.strictContentLength && this._contentLength != null && this._hasBody &&
      !this._removedContLen && !this.chunkedEncoding && !this.hasHeader("transfer-encoding");
  }

  /**
   * Sends a body chunk (framed when `chunked`), prepending the head if it was
   * not sent yet: all as one buffer unless the chunk is big.
   */
  private _sendBody(
    chunk: Chunk,
    encoding: ChunkEncoding | null | undefined,
    cb: Callback | null,
    chunked: boolean,
  ): boolean {
    const head = !this._headerSent && this._header !== null ? this._header : null;
    if (head !== null) this._headerSent = true;
    const isString = typeof chunk === "string";
    // Node writes head + string chunk as one string in the chunk's encoding.
    // (An empty string on a chunked body too: Node sends it unframed, with the head.)
    const headUtf8 = head !== null && isString && (!chunked || chunk.length === 0) &&
      encoding !== "latin1" && isUtf8ish(encoding);
    if (headUtf8) {
      // The usual res.end(text): head and text in one UTF-8 encode, no length passes.
      return this._writeRaw(utf8Bytes(head + (chunk as string)), cb);
    }
    const headLen = head === null ? 0 : headUtf8 ? Buffer.byteLength(head, "utf8") : head.length;
    const dataLen = isString ? byteLengthOf(chunk, encoding) : (chunk as Uint8Array).byteLength;
    const frame = chunked && dataLen > 0;
    if (isString && !isUtf8ish(encoding) && !Buffer.isEncoding(encoding as string)) {
      this._unknownEncoding(head, frame ? dataLen : -1, encoding);
    }

    if (dataLen >= COPY_LIMIT && !isString) {
      // Big binary chunk: do not copy it; write framing around it separately.
      if (head !== null || frame) {
        const pre = Buffer.allocUnsafe(headLen + (frame ? chunkOverhead(dataLen) - 2 : 0));
        let off = head !== null ? latin1Into(head, pre, 0) : 0;
        if (frame) off = writeChunkHeader(pre, off, dataLen);
        this._writeRaw(pre, null);
      }
      if (!frame) return this._writeRaw(chunk as Uint8Array, cb);
      this._writeRaw(chunk as Uint8Array, null);
      return this._writeRaw(CRLF, cb);
    }

    const total = headLen + dataLen + (frame ? chunkOverhead(dataLen) : 0);
    if (total === 0) return this._writeRaw(EMPTY, cb);
    if (head === null && !frame) {
      return this._writeRaw(toBytes(chunk, encoding), cb);
    }
    const buf = Buffer.allocUnsafe(total);
    let off = 0;
    // Head and string chunk in one UTF-8 encode: one native call, not two.
    const together = headUtf8 && dataLen > 0;
    if (together) off = buf.write(head + (chunk as string), 0, "utf8");
    else if (head !== null) {
      off = headUtf8 ? buf.write(head, 0, "utf8") : latin1Into(head, buf, 0);
    }
    if (frame) off = writeChunkHeader(buf, off, dataLen);
    if (dataLen > 0 && !together) {
      if (isString) off += buf.write(chunk as string, off, encoding ?? "utf8");
      else {
        buf.set(chunk as Uint8Array, off);
        off += dataLen;
      }
    }
    if (frame) {
      buf[off++] = 13;
      buf[off++] = 10;
    }
    return this._writeRaw(buf, cb);
  }

  /**
   * A string chunk with an encoding Buffer does not know: as Node's, what goes
   * before it (the head, a chunk-size line) is still written, then the socket's
   * write throws `ERR_UNKNOWN_ENCODING`.
   */
  private _unknownEncoding(head: string | null, frameLen: number, encoding: unknown): never {
    let pre = head ?? "";
    if (frameLen >= 0) pre += frameLen.toString(16) + "\r\n";
    if (pre !== "") this._writeRaw(latin1Buffer(pre), null);
    throw ERR_UNKNOWN_ENCODING(encoding);
  }

  /** Sends `data` as is, prepending the head when it was not sent yet (Node's `_send`). */
  _send(data: Chunk, encoding?: ChunkEncoding | null, callback?: Callback | null): boolean {
    return this._sendBody(data, encoding, callback ?? null, false);
  }

  /**
   * Writes bytes to the connection (or queues them while not attached/corked).
   * Returns false when the caller should wait for 'drain'. As Node's, it also
   * takes a string with an optional encoding: `_writeRaw(data[, encoding][, cb])`.
   */
  _writeRaw(
    data: Chunk,
    encoding?: ChunkEncoding | Callback | null,
    callback?: Callback | null,
  ): boolean {
    if (typeof encoding === "function") {
      callback = encoding;
      encoding = null;
    }
    const bytes = typeof data === "string" ? toBytes(data, encoding) : data;
    const t = this._transport;
    if (t !== null && t.destroyed) return false;
    const n = bytes.byteLength;
    if (n > 0) {
      const out = this._out;
      if (out === null) this._out = bytes;
      else if (Array.isArray(out)) out.push(bytes);
      else this._out = [out, bytes];
      this._outEndsEmpty = false;
    } else if (callback) this._outEndsEmpty = true;
    if (callback) {
      const cbs = this._outCbs;
      if (cbs === null) this._outCbs = callback;
      else if (Array.isArray(cbs)) cbs.push(callback);
      else this._outCbs = [cbs, callback];
    }
    this.outputSize += n;
    if (t === null) {
      if (n > 0) {
        this._pendingReported += n;
        if (this._owner !== null) this._owner.pendingData(n);
      }
      return this.outputSize < this._hwm;
    }
    if (this._corked === 0 && !this._flushScheduled) {
      this._flushScheduled = true;
      nextTick(() => this._flushTick());
    }
    return this.outputSize + t.writableLength < this.writableHighWaterMark;
  }

  private _flushTick(): void {
    this._flushScheduled = false;
    this._tickHeld = false;
    if (this._tickUncorked) {
      // A user uncork() took this tick's cork already: as Node's, the tick's
      // uncork undoes a cork() made since.
      this._tickUncorked = false;
      if (this._corked > 0) {
        this.uncork();
        return;
      }
    }
    if (this._corked === 0) this._flushOutput();
  }

  /**
   * Hands everything queued to the transport as one write. Returns the
   * transport's answer (true when nothing was queued).
   */
  protected _flushOutput(): boolean {
    const t = this._transport;
    if (t === null || t.destroyed) return true;
    // As Node: a socket whose writable side was ended (say by an 'upgrade'
    // listener) takes no more response bytes; they stay queued.
    if (this.socket !== null && this.socket.writable === false) return true;
    const parts = this._out;
    const cbs = this._outCbs;
    if (parts === null && cbs === null) return true;
    // Empty the queue before writing (a write may come back here).
    this._out = null;
    this._outCbs = null;
    const size = this.outputSize;
    this.outputSize = 0;
    let cb: WriteCallback | undefined;
    if (typeof cbs === "function") cb = cbs;
    else if (cbs !== null) {
      const all = cbs;
      cb = (err) => {
        for (let i = 0; i < all.length; i++) all[i](err);
      };
    }
    // A user's stream sees the empty write that carries the callbacks, as under Node.
    let emptyCb: WriteCallback | undefined;
    if (this._outEndsEmpty) {
      this._outEndsEmpty = false;
      if (t.showsWrites === true) {
        emptyCb = cb;
        cb = undefined;
      }
    }
    let only: Uint8Array | null = null;
    let list: Uint8Array[] | null = null;
    if (Array.isArray(parts)) list = parts;
    else only = parts;
    // The socket's idle timer counts this write (Node's socket writes refresh it).
    (this.socket as { _touch?: () => void } | null)?._touch?.();
    let ret = true;
    if (only !== null) {
      ret = t.write(only, cb);
    } else if (list === null) {
      if (cb) {
        const c = cb;
        nextTick(() => c(null));
      }
    } else if (size >= COPY_LIMIT) {
      // Big: no copy here; the transport sends them as one write where it can.
      if (t.writev !== undefined) ret = t.writev(list, cb);
      else {
        for (let i = 0; i < list.length - 1; i++) t.write(list[i]);
        ret = t.write(list[list.length - 1], cb);
      }
    } else {
      const buf = Buffer.allocUnsafe(size);
      let off = 0;
      for (let i = 0; i < list.length; i++) {
        buf.set(list[i], off);
        off += list[i].byteLength;
      }
      ret = t.write(buf, cb);
    }
    if (emptyCb !== undefined) ret = t.write(EMPTY, emptyCb);
    if (ret && this._needDrain && !this.finished) {
      this._needDrain = false;
      nextTick(() => this.emit("drain"));
    }
    return ret;
  }

  /**
   * Ends the message, optionally with a last chunk. `callback` runs on 'finish'.
   *
   * @example
   * ```ts
   * res.end("bye", () => console.log("sent"));
   * ```
   */
  end(
    chunk?: Chunk | Callback | null,
    encoding?: ChunkEncoding | Callback | null,
    callback?: Callback,
  ): this {
    if (typeof chunk === "function") {
      callback = chunk;
      chunk = null;
      encoding = null;
    } else if (typeof encoding === "function") {
      callback = encoding;
      encoding = null;
    }
    const enc = encoding as ChunkEncoding | null | undefined;

    if (chunk) {
      if (this.finished) {
        const cb = typeof callback === "function" ? callback : nop;
        const e = ERR_STREAM_WRITE_AFTER_END();
        if (!this.destroyed) {
          nextTick(() => {
            cb(e);
            if (!this.destroyed) this.emit("error", e);
          });
        }
        return this;
      }
      // Corked, as Node's end() corks the socket; a write that throws (an
      // unknown encoding) leaves a socket corked, as there.
      this._corked++;
      try {
        this._write_(chunk, enc, null, true);
      } catch (e) {
        if (this._transport === null) this._corked--;
        throw e;
      }
      this._corked--;
    } else if (this.finished) {
      if (typeof callback === "function") {
        if (!this.writableFinished) this.once("finish", callback);
        else callback(ERR_STREAM_ALREADY_FINISHED("end"));
      }
      return this;
    } else if (!this._header) {
      // Corked as Node's socket is here: a head that throws (a bad status)
      // leaves a socket corked.
      this._corked++;
      this._contentLength = 0;
      try {
        this._implicitHeader();
      } catch (e) {
        if (this._transport === null) this._corked--;
        throw e;
      }
      this._corked--;
    }

    if (typeof callback === "function") this.once("finish", callback);

    if (this._strictLength() && this._bytesWritten !== this._contentLength) {
      throw ERR_HTTP_CONTENT_LENGTH_MISMATCH(this._bytesWritten, this._contentLength as number);
    }

    const finish = (err?: Error | null): void => {
      if (err) return;
      const s = this.socket as { _hadError?: boolean } | null;
      if (s && s._hadError) return;
      const owner = this._owner;
      if (owner !== null) owner.messageFinished(this);
      this.emit("finish");
    };

    // Corked: the flush below sends it (no flush tick scheduled by _writeRaw).
    this._corked++;
    if (this._hasBody && this.chunkedEncoding) {
      this._sendRawTail(lastChunk(this._trailer), finish);
    } else if (!this._headerSent || this.outputSize > 0 || chunk || this._lostOnDestroy) {
      this._send("", "latin1", finish);
    } else {
      nextTick(() => finish());
    }

    this._corked = 0;
    if (this._socketCorks > 0) this._uncorkSocket(this._socketCorks);
    this.finished = true;
    if (this._transport !== null) {
      this._flushOutput();
      this._finish();
    }
    return this;
  }

  private _sendRawTail(text: string, cb: Callback): void {
    if (!this._headerSent && this._header !== null) {
      this._headerSent = true;
      this._writeRaw(latin1Buffer(this._header + text), cb);
    } else {
      this._writeRaw(this._trailer === "" ? LAST_CHUNK : latin1Buffer(text), cb);
    }
  }

  /** All data was handed to the connection: emits 'prefinish'. */
  _finish(): void {
    this.emit("prefinish");
  }

  /**
   * Sends the head now (building it if needed), without waiting for body data.
   *
   * @example
   * ```ts
   * res.flushHeaders();
   * ```
   */
  flushHeaders(): void {
    if (!this._header) this._implicitHeader();
    // On the wire now, as Node's, unless a write of this tick holds the
    // socket corked (then it goes with that write).
    const held = this._heldByTick();
    this._send("");
    if (!held && this._corked === 0 && this._transport !== null) this._flushOutput();
  }

  /**
   * A body write of this tick waits for the tick's flush: as Node's write()
   * corks the socket until the next tick, what is written directly to the
   * socket now (a flushed head, a 1xx) waits with it.
   */
  protected _heldByTick(): boolean {
    return this._tickHeld;
  }

  /** Buffers writes until `uncork()`; as Node's, it corks the socket too. */
  cork(): void {
    this._corked++;
    if (this._transport !== null) this._corkSocket(this._corked - this._socketCorks);
  }

  /** Puts `n` corks on the socket (those of this message it does not carry yet). */
  private _corkSocket(n: number): void {
    const s = this.socket as { cork?: () => void } | null;
    if (s === null || typeof s.cork !== "function") return;
    for (let i = 0; i < n; i++) {
      s.cork();
      this._socketCorks++;
    }
  }

  /** Undoes one `cork()`; the last one flushes what was buffered as one write. */
  uncork(): void {
    if (this._corked === 0) {
      // Node's write() corks the socket until the next tick; an uncork() undoes
      // that cork, so what this tick wrote goes out now.
      if (this._tickHeld && !this._tickUncorked && this._transport !== null) {
        this._tickUncorked = true;
        this._tickHeld = false;
        this._flushOutput();
      }
      return;
    }
    this._corked--;
    if (this._corked === 0 && this._transport !== null) this._flushOutput();
    if (this._socketCorks > this._corked) this._uncorkSocket(this._socketCorks - this._corked);
  }

  /** Undoes `n` of the corks this message put on its socket. */
  private _uncorkSocket(n: number): void {
    const s = this.socket as { uncork?: () => void } | null;
    for (let i = 0; i < n; i++) {
      this._socketCorks--;
      if (s !== null && typeof s.uncork === "function") s.uncork();
    }
  }

  /**
   * Sets the socket's idle timeout (now, or when a socket is assigned); `callback` listens to 'timeout'.
   *
   * @example
   * ```ts
   * res.setTimeout(1000, () => res.destroy());
   * ```
   */
  setTimeout(msecs: number, callback?: () => void): this {
    if (callback) this.on("timeout", callback);
    const apply = (s: Duplex): void => {
      const st = s as unknown as { setTimeout?: (ms: number) => void };
      if (typeof st.setTimeout === "function") st.setTimeout(msecs);
    };
    if (!this.socket) this.once("socket", apply);
    else apply(this.socket);
    return this;
  }

  /**
   * Destroys the message and its socket.
   *
   * @example
   * ```ts
   * res.destroy(new Error("gone"));
   * ```
   */
  destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    this._errored = error ?? null;
    this._failQueued(error);
    this._out = null;
    // Attached, Node's bytes would be in the socket, gone with it (and an
    // end() then finds them pending: no 'finish').
    if (this._transport !== null && this.outputSize > 0) {
      this.outputSize = 0;
      this._lostOnDestroy = true;
    }
    this._outCbs = null;
    this._outEndsEmpty = false;
    if (this.socket) this.socket.destroy(error);
    else this.once("socket", (s: Duplex) => s.destroy(error));
    return this;
  }

  /**
   * The connection is going away: callbacks of writes queued here while this
   * message owns it learn that they never went out, with `error` or
   * `ERR_STREAM_DESTROYED` (a message still waiting for its turn drops them,
   * as Node's does). On the next tick, or at once with `now` (the connection
   * closed already: before 'close', as Node's socket fails its buffer).
   */
  _failQueued(error?: Error | null, now = false): void {
    const cbs = this._outCbs;
    if (cbs === null || this._transport === null) return;
    this._outCbs = null;
    const e = error ?? ERR_STREAM_DESTROYED("write");
    const fail = (): void => {
      if (typeof cbs === "function") cbs(e);
      else for (let i = 0; i < cbs.length; i++) cbs[i](e);
    };
    if (now) fail();
    else nextTick(fail);
  }

  /** Piping from an outgoing message is an error (`ERR_STREAM_CANNOT_PIPE`). */
  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    this.emit("error", ERR_STREAM_CANNOT_PIPE());
    return destination;
  }

  // ----------------------------------------------------- connection interface

  /**
   * Makes this message the one writing to the connection and flushes what it
   * queued. Emits 'prefinish' when it had ended already.
   */
  _attach(socket: Duplex, transport: Transport): void {
    this.socket = socket as Socket;
    this._transport = transport;
    this._flush();
  }

  /** Flushes what is queued; the next step when ended, or 'drain' when it was awaited. */
  _flush(): void {
    if (this._transport === null || this._transport.destroyed) return;
    // As Node, corks from before there was a socket move onto it.
    if (this._corked > this._socketCorks) this._corkSocket(this._corked - this._socketCorks);
    const reported = this._pendingReported;
    this._pendingReported = 0;
    const ret = this._flushOutput();
    if (reported > 0 && this._owner !== null) this._owner.pendingData(-reported);
    if (this.finished) this._finish();
    else if (ret && this._needDrain) {
      this._needDrain = false;
      this.emit("drain");
    }
  }

  /** Lets go of the connection. */
  _detach(): void {
    // Writes made after end() and held by a cork(): on Node they sit in the
    // corked socket's buffer, which the socket's end() flushes when the
    // connection closes after this message; on a kept-alive one they never
    // go out (nor count in this message's writableLength). Held only by the
    // tick's flush, they go now.
    if (this._out !== null && this._transport !== null) {
      if (this._last || this._corked === 0) {
        this._corked = 0;
        this._flushOutput();
      } else {
        this._failQueued();
        this._out = null;
        this.outputSize = 0;
      }
    }
    this.socket = null;
    this._transport = null;
  }

  /** The transport drained: emit 'drain' if a write returned false. */
  _onDrain(): void {
    if (!this.finished && this._needDrain) {
      this._needDrain = false;
      this.emit("drain");
    }
  }

  /** Emits 'close' once (marks the message destroyed). */
  _emitClose(): void {
    if (!this._closed) {
      this.destroyed = true;
      this._closed = true;
      this.emit("close");
    }
  }
}

// With `captureRejections`, a rejected async listener of a message (e.g. an async
// 'drain' handler that throws) destroys the message with that error, as Node's
// `OutgoingMessage.prototype[EventEmitter.captureRejectionSymbol]` does.
Object.defineProperty(OutgoingMessage.prototype, Symbol.for("nodejs.rejection"), {
  configurable: true,
  writable: true,
  value: function (this: OutgoingMessage, err: Error): void {
    this.destroy(err);
  },
});
