/**
 * `IncomingMessage`: a request on the server side, a response on the client
 * side (Node's `lib/_http_incoming.js`). A real `stream.Readable` of the body.
 *
 * ## How a connection feeds it
 *
 * - Set the head fields (`httpVersionMajor/Minor`, `httpVersion`, `method`/`url`
 *   or `statusCode`/`statusMessage`, `rawHeaders`, `joinDuplicateHeaders`,
 *   `upgrade`). `headers`/`headersDistinct` are built lazily from `rawHeaders`.
 * - Body bytes: `if (!msg._dumped && !msg.push(buffer)) pauseReading()`.
 * - Set `msg._reader` to an object whose `readRequested(msg)` resumes reading
 *   the transport: `_read()` calls it when the consumer wants more.
 * - At the end: `msg.rawTrailers = rawTrailers; msg.complete = true; msg._pushEnd()`.
 *
 * ## The stream state is made on first use
 *
 * Most requests are never read as a stream: a GET's handler answers and the
 * empty body is dumped. The `stream.Readable` state (Node's `_readableState`,
 * and with it the 'end'/'close' ticks of an ended stream) is only created when
 * something touches it: a listener, a read, a pipe, a body chunk, any stream
 * property. Until then the end of the body and a dump are recorded here and
 * replayed onto the fresh state, so what a late reader sees is what it would
 * have seen had the state existed all along.
 * - The connection died mid-body: `msg.destroy(connResetException("aborted"))`
 *   (sets `aborted`, emits 'aborted', destroys the socket).
 *
 * @module
 */

import { finished } from "node:stream";
import type { Readable } from "node:stream";
import { LazyReadable, type LazyReadableFields } from "./stream_bases.ts";
import type { Duplex } from "node:stream";
import type { Socket } from "./socket.ts";
import { addIncomingHeaders, buildDistinctHeaders } from "./core/headers.ts";
import { nextTick } from "./next_tick.ts";

/** Incoming header object: lower-cased names; `set-cookie` is a list. */
export type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

type SocketLike = Duplex & {
  setTimeout?: (ms: number, cb?: () => void) => unknown;
  readableHighWaterMark?: number;
};

/** Who resumes the transport when a message's consumer wants more data. */
export interface ReadRequester {
  /** `msg`'s consumer asked for data (its `_read()` ran). */
  readRequested(msg: IncomingMessage): void;
}

/**
 * A received HTTP message (Node's `http.IncomingMessage`).
 *
 * @example
 * ```ts
 * import { createServer } from "../mod.ts";
 * createServer((req, res) => {
 *   let body = "";
 *   req.setEncoding("utf8");
 *   req.on("data", (c) => body += c);
 *   req.on("end", () => res.end(`${req.method} ${req.url} ${body.length}`));
 * });
 * ```
 */
export class IncomingMessage extends LazyReadable implements LazyReadableFields {
  /** The connection's socket (any Duplex given as 'connection' is typed as a Socket). */
  socket: Socket;
  /** Major HTTP version (1). */
  httpVersionMajor: number | null = null;
  /** Minor HTTP version (0 or 1). */
  httpVersionMinor: number | null = null;
  /** `"1.1"`, `"1.0"`. */
  httpVersion: string | null = null;
  /** True once the whole message (and trailers) was received. */
  complete: boolean = false;
  /** Header names and values as received: `[name, value, name, value, ...]`. */
  rawHeaders: string[] = [];
  /** Trailer names and values as received. */
  rawTrailers: string[] = [];
  /** Join duplicates of every header with `", "` instead of dropping them. */
  joinDuplicateHeaders: boolean = false;
  /** True when the message was cut short (connection closed mid-message). */
  aborted: boolean = false;
  /** Whether this is an upgrade/CONNECT message handed to 'upgrade'/'connect'. */
  upgrade: boolean | null = null;
  /** Request target (requests only). */
  url: string = "";
  /** Request method (requests only). */
  method: string | null = null;
  /** Response status code (responses only). */
  statusCode: number | null = null;
  /** Response reason phrase (responses only). */
  statusMessage: string | null = null;
  /** The consumer started reading. */
  _consuming: boolean = false;
  /** The body is being discarded. */
  _dumped: boolean = false;
  /** Resumes the transport when the consumer wants more data. Set by the connection. */
  _reader: ReadRequester | null = null;
  /** Options for the stream state, made on first use. */
  _stateOptions: { highWaterMark?: number } | undefined;
  /** The stream state exists. */
  _hasState: boolean = false;
  /** The body ended before the stream state existed. */
  _endPending: boolean = false;
  /** The body was dumped before the stream state existed. */
  _dumpPending: boolean = false;
  /** @internal How many `rawHeaders` entries make `headers` (Node's kHeadersCount); -1: all. */
  _headersCount: number = -1;

  private _headersCache: IncomingHttpHeaders | null = null;
  private _headersDistinctCache: Record<string, string[]> | null = null;
  private _trailersCache: IncomingHttpHeaders | null = null;
  private _trailersDistinctCache: Record<string, string[]> | null = null;

  /** Creates a message read from `socket`. */
  constructor(socket?: Duplex | null) {
    super();
    const s = socket as SocketLike | null | undefined;
    this._stateOptions = s && typeof s.readableHighWaterMark === "number"
      ? { highWaterMark: s.readableHighWaterMark }
      : undefined;
    this.socket = (socket ?? null) as Socket;
  }

  /** Alias of `socket`. */
  get connection(): Socket {
    return this.socket;
  }
  set connection(value: Socket) {
    this.socket = value;
  }

  /** Alias of `socket` (legacy). */
  get client(): Socket {
    return this.socket;
  }

  /** Headers with lower-cased names, duplicates joined/dropped as Node does. */
  get headers(): IncomingHttpHeaders {
    if (this._headersCache === null) {
      const dst: Record<string, string | string[]> = {};
      addIncomingHeaders(dst, this._countedHeaders(), this.joinDuplicateHeaders);
      this._headersCache = dst;
    }
    return this._headersCache;
  }
  set headers(value: IncomingHttpHeaders) {
    this._headersCache = value;
  }

  /** The `rawHeaders` entries `headers` is made of. */
  private _countedHeaders(): string[] {
    const raw = this.rawHeaders;
    const n = this._headersCount;
    return n >= 0 && n < raw.length ? raw.slice(0, n) : raw;
  }

  /** Every header as a list of all its values (null-prototype object). */
  get headersDistinct(): Record<string, string[]> {
    if (this._headersDistinctCache === null) {
      this._headersDistinctCache = buildDistinctHeaders(this._countedHeaders());
    }
    return this._headersDistinctCache;
  }
  set headersDistinct(value: Record<string, string[]>) {
    this._headersDistinctCache = value;
  }

  /** Trailers (after 'end'), with the same rules as `headers`. */
  get trailers(): IncomingHttpHeaders {
    if (this._trailersCache === null) {
      const dst: Record<string, string | string[]> = {};
      addIncomingHeaders(dst, this.rawTrailers, this.joinDuplicateHeaders);
      this._trailersCache = dst;
    }
    return this._trailersCache;
  }
  set trailers(value: IncomingHttpHeaders) {
    this._trailersCache = value;
  }

  /** Every trailer as a list of all its values. */
  get trailersDistinct(): Record<string, string[]> {
    if (this._trailersDistinctCache === null) {
      this._trailersDistinctCache = buildDistinctHeaders(this.rawTrailers);
    }
    return this._trailersDistinctCache;
  }
  set trailersDistinct(value: Record<string, string[]>) {
    this._trailersDistinctCache = value;
  }

  /**
   * Sets the socket's idle timeout; `callback` listens to 'timeout'.
   *
   * @example
   * ```ts
   * req.setTimeout(5000, () => req.destroy());
   * ```
   */
  setTimeout(msecs: number, callback?: () => void): this {
    if (callback) this.on("timeout", callback);
    const s = this.socket as SocketLike | null;
    if (s && typeof s.setTimeout === "function") s.setTimeout(msecs);
    return this;
  }

  /**
   * As `Readable.read()`. A read counts as consuming the body even when the
   * whole body was already buffered (so `_read()` is never reached): Node reads
   * the body of a request after the handler's tick, so there the consumer's
   * first read always reaches `_read()`, and a response that finishes then does
   * not dump a body the handler is reading.
   */
  override read(size?: number): ReturnType<Readable["read"]> {
    if (!this._consuming) {
      (this as unknown as { _readableState: { readingMore: boolean } })._readableState
        .readingMore = false;
      this._consuming = true;
    }
    return super.read(size);
  }

  /** Readable hook (reached through `read()`, which marks the body consumed): the consumer wants data. */
  override _read(_size: number): void {
    const reader = this._reader;
    if (reader !== null) reader.readRequested(this);
  }

  /**
   * The body is complete: `push(null)`, or, while nothing touched the stream
   * yet, a note that the state replays when it is made.
   */
  _pushEnd(): void {
    if (this._hasState) this.push(null);
    else this._endPending = true;
  }

  /** The stream's `resumeScheduled` flag (false while no state exists). */
  get _resumeScheduled(): boolean {
    return this._hasState &&
      (this as unknown as { _readableState: { resumeScheduled: boolean } })._readableState
        .resumeScheduled;
  }

  /** Readable hook: marks the message aborted when cut short and takes the socket down with it. */
  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    if (!this.readableEnded || !this.complete) {
      this.aborted = true;
      this.emit("aborted");
    }
    const done = (e: Error | null | undefined): void => {
      // Node reports the error only to existing 'error' listeners.
      if (this.listenerCount("error") === 0) cb();
      else cb(e ?? null);
    };
    const socket = this.socket;
    if (socket && !socket.destroyed && this.aborted) {
      socket.destroy(err ?? undefined);
      const cleanup = finished(socket, (e) => {
        const code = (e as { code?: string } | undefined)?.code;
        cleanup();
        nextTick(() => done(code === "ERR_STREAM_PREMATURE_CLOSE" ? err : e || err));
      });
    } else {
      nextTick(() => done(err));
    }
  }

  /**
   * The body is known to be empty (`createServer({ optimizeEmptyRequests })`):
   * the stream starts dumped, ended and destroyed, and emits no event at all.
   * Its later `_pushEnd()` finds it ended and does nothing.
   */
  _startEnded(): void {
    this._dumped = true;
    this._endPending = false;
    const state = (this as unknown as {
      _readableState: { ended: boolean; endEmitted: boolean; destroyed: boolean };
    })._readableState;
    state.ended = true;
    state.endEmitted = true;
    state.destroyed = true;
  }

  /** Discards the body: drops 'data' listeners and lets the rest flow away. */
  _dump(): void {
    if (!this._dumped) {
      this._dumped = true;
      if (!this._hasState) {
        // Nothing reads it: the state, if it is ever made, dumps it then.
        this._dumpPending = true;
        return;
      }
      this.removeAllListeners("data");
      this.resume();
    }
  }

  /** Sets the header (or, once `complete`, trailer) lines (Node's `_addHeaderLines`). */
  _addHeaderLines(headers: string[], n: number): void {
    if (headers && headers.length) {
      const list = n < headers.length ? headers.slice(0, n) : headers;
      if (this.complete) {
        this.rawTrailers = list;
        this._trailersCache = null;
        this._trailersDistinctCache = null;
      } else {
        this.rawHeaders = list;
        this._headersCache = null;
        this._headersDistinctCache = null;
      }
    }
  }

  /**
   * Adds one `field: value` line to `dest` with `message.headers`' rules
   * (lower-cased key; discarded, joined or `set-cookie`-listed duplicates),
   * as Node's `_addHeaderLine`.
   */
  _addHeaderLine(field: string, value: string, dest: Record<string, string | string[]>): void {
    addIncomingHeaders(dest, [field, value], this.joinDuplicateHeaders);
  }
}
