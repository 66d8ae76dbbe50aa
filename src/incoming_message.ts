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
 * - Set `msg._onReadRequested` to a function that resumes reading the
 *   transport: `_read()` calls it when the consumer wants more.
 * - At the end: `msg.rawTrailers = rawTrailers; msg.complete = true; msg.push(null)`.
 * - The connection died mid-body: `msg.destroy(connResetException("aborted"))`
 *   (sets `aborted`, emits 'aborted', destroys the socket).
 *
 * @module
 */

import { finished, Readable } from "node:stream";
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

/** The stream's internal state (Node's `_readableState`), for the `readingMore` flag. */
function readableStateOf(stream: Readable): { readingMore: boolean } {
  return (stream as unknown as { _readableState: { readingMore: boolean } })._readableState;
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
export class IncomingMessage extends Readable {
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
  /** Called when the consumer wants more data (resume the transport). Set by the connection. */
  _onReadRequested: (() => void) | null = null;

  private _headersCache: IncomingHttpHeaders | null = null;
  private _headersDistinctCache: Record<string, string[]> | null = null;
  private _trailersCache: IncomingHttpHeaders | null = null;
  private _trailersDistinctCache: Record<string, string[]> | null = null;

  /** Creates a message read from `socket`. */
  constructor(socket?: Duplex | null) {
    const s = socket as SocketLike | null | undefined;
    super(
      s && typeof s.readableHighWaterMark === "number"
        ? { highWaterMark: s.readableHighWaterMark }
        : undefined,
    );
    this.socket = (socket ?? null) as Socket;
    // As Node's: the stream's own read-ahead must not count as the user consuming
    // the body (`_consuming` decides whether a finished response dumps it).
    readableStateOf(this).readingMore = true;
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
      addIncomingHeaders(dst, this.rawHeaders, this.joinDuplicateHeaders);
      this._headersCache = dst;
    }
    return this._headersCache;
  }
  set headers(value: IncomingHttpHeaders) {
    this._headersCache = value;
  }

  /** Every header as a list of all its values (null-prototype object). */
  get headersDistinct(): Record<string, string[]> {
    if (this._headersDistinctCache === null) {
      this._headersDistinctCache = buildDistinctHeaders(this.rawHeaders);
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

  /** Readable hook: the consumer wants data. */
  override _read(_size: number): void {
    if (!this._consuming) {
      readableStateOf(this).readingMore = false;
      this._consuming = true;
    }
    const hook = this._onReadRequested;
    if (hook !== null) hook();
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

  /** Discards the body: drops 'data' listeners and lets the rest flow away. */
  _dump(): void {
    if (!this._dumped) {
      this._dumped = true;
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
