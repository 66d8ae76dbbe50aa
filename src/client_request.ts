/**
 * `http.ClientRequest`: an outgoing request and the reading of its response,
 * with Node 20's event orders (`lib/_http_client.js` semantics).
 *
 * A socket (from an `Agent`, `createConnection` or the runtime's connect) is
 * driven through `attachConsumer()`: its bytes go to one `HTTPParser('response')`
 * per request, body bytes are pushed into the response `IncomingMessage`, and
 * the request's own bytes go straight to the transport (see `OutgoingMessage`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import process from "node:process";
import { finished } from "node:stream";
import type { Duplex } from "node:stream";
import { OutgoingMessage } from "./outgoing_message.ts";
import { IncomingMessage, type ReadRequester } from "./incoming_message.ts";
import { HEADERS_BODY, HEADERS_SKIP_BODY, HEADERS_UPGRADE, HTTPParser } from "./core/parser.ts";
import type { MessageHead, ParseError } from "./core/parser.ts";
import { checkIsHttpToken } from "./core/headers.ts";
import {
  abortError,
  connResetException,
  ERR_HTTP_HEADERS_SENT,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_HTTP_TOKEN,
  ERR_INVALID_PROTOCOL,
  ERR_OUT_OF_RANGE,
  ERR_UNESCAPED_CHARACTERS,
} from "./core/errors.ts";
import type { Transport, TransportHandler } from "./transport/transport.ts";
import { attachConsumer, detachConsumer } from "./socket.ts";
import { Agent, getGlobalAgent } from "./agent.ts";
import type { AgentSocket } from "./agent.ts";
import { createConnection as netCreateConnection } from "./client_connect.ts";
import { isURL, urlToHttpOptions } from "./client_options.ts";
import type { AgentLike, RequestOptions } from "./client_options.ts";
import { insecureParserDefault, warnIfHttpDebug } from "./process_options.ts";

/** Characters Node refuses in a request path (anything outside `!`..`\xff`). */
const INVALID_PATH_REGEX = /[^\u0021-\u00ff]/;
const TIMEOUT_MAX = 2 ** 31 - 1;
/** A `Connection` field of the head carrying the `close` token. */
const RE_CONNECTION_CLOSE =
  /\r\nconnection:[^\r]*(?:^|[^a-z0-9!#$%&'*+.^_`|~-])close(?:[^a-z0-9!#$%&'*+.^_`|~-]|\r)/i;

const kConn: unique symbol = Symbol("anyhttp.clientConnection");

type ClientSocket = AgentSocket & {
  _hadError?: boolean;
  connecting?: boolean;
  destroySoon?: () => void;
  [kConn]?: ClientConnection;
};

/** Response callback of `request()`/`get()`. */
export type ResponseListener = (res: IncomingMessage) => void;

/** What the 'information' event carries. */
export interface InformationEvent {
  statusCode: number;
  statusMessage: string;
  httpVersion: string;
  httpVersionMajor: number;
  httpVersionMinor: number;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
}

/** The last automatic Host header and what it was built from (requests repeat it). */
const hostCache: { host: string; port: unknown; defaultPort: unknown; header: string } = {
  host: "",
  port: undefined,
  defaultPort: undefined,
  header: "",
};

function statusIsInformational(status: number): boolean {
  return status >= 100 && status < 200 && status !== 101;
}

function validateHost(host: unknown, name: string): string | null | undefined {
  if (host !== null && host !== undefined && typeof host !== "string") {
    throw ERR_INVALID_ARG_TYPE(`options.${name}`, ["string", "undefined", "null"], host);
  }
  return host as string | null | undefined;
}

function getTimerDuration(msecs: unknown, name: string): number {
  if (typeof msecs !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", msecs);
  if (msecs < 0 || !Number.isFinite(msecs)) {
    throw ERR_OUT_OF_RANGE(name, "a non-negative finite number", msecs);
  }
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(
      `${msecs} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${TIMEOUT_MAX}.`,
      "TimeoutOverflowWarning",
    );
    return TIMEOUT_MAX;
  }
  return msecs;
}

function validateBoolean(value: unknown, name: string): void {
  if (typeof value !== "boolean") throw ERR_INVALID_ARG_TYPE(name, "boolean", value);
}

function parseUniqueHeadersOption(headers: unknown): Set<string> | null {
  if (headers === undefined || headers === null) return null;
  if (!Array.isArray(headers)) {
    throw ERR_INVALID_ARG_TYPE("uniqueHeaders", "Array", headers);
  }
  const set = new Set<string>();
  for (let i = 0; i < headers.length; i++) set.add(String(headers[i]).toLowerCase());
  return set;
}

function toBuffer(bytes: Uint8Array): Buffer {
  // Transports of Node and Bun deliver Buffers: their subarrays are Buffers too.
  return Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * An in-progress HTTP request (Node's `http.ClientRequest`), returned by
 * `request()`/`get()`. Write the body with `write()`/`end()`; the response
 * arrives as the 'response' event.
 *
 * @example
 * ```ts
 * import { request } from "./request.ts";
 * const req = request("http://127.0.0.1:8080/upload", { method: "POST" }, (res) => {
 *   res.setEncoding("utf8");
 *   res.on("data", (chunk) => console.log(chunk));
 * });
 * req.end("payload");
 * ```
 */
export class ClientRequest extends OutgoingMessage {
  /** The agent handling the connection (undefined with `createConnection` and no agent). */
  agent: AgentLike | undefined;
  /** The unix socket path, if any. */
  socketPath: string | undefined;
  /** The request's timeout option (ms), if given. */
  timeout: number | undefined;
  /** The request method, upper-cased. */
  method: string;
  /** Max response head size (undefined: 16 KiB). */
  maxHeaderSize: number | undefined;
  /** Lenient response parsing. */
  insecureHTTPParser: boolean | undefined;
  /** Join duplicate response headers. */
  joinDuplicateHeaders: boolean | undefined;
  /** The request path. */
  path: string;
  /** The request host. */
  host: string;
  /** The request protocol ('http:'). */
  protocol: string;
  /** The response ended ('end' was emitted on it). */
  _ended: boolean = false;
  /** The response, once its head arrived. */
  res: IncomingMessage | null = null;
  /** True once `abort()` was called. */
  aborted: boolean = false;
  /** The listener relaying the socket's 'timeout' to the request, while installed. */
  timeoutCb: (() => void) | null = null;
  /** An 'upgrade'/'connect' listener took the socket. */
  upgradeOrConnect: boolean = false;
  /** The response parser while reading. */
  parser: HTTPParser | null = null;
  /** Max response header pairs kept (null: 2000; 0: no limit). */
  maxHeadersCount: number | null = null;
  /** The request went over a socket reused from the agent's pool. */
  reusedSocket: boolean = false;
  /** @internal The error given to `destroy()`. */
  _destroyError: Error | undefined = undefined;
  /** @internal Set only on Bun, whose `domain` binds no emitter: see the constructor. */
  declare _unboundDomain?: { add(emitter: IncomingMessage): void };

  /**
   * `new ClientRequest(url[, options][, callback])` or `(options[, callback])`,
   * as `request()`.
   */
  constructor(
    input: string | URL | RequestOptions,
    options?: RequestOptions | ResponseListener,
    cb?: ResponseListener,
  ) {
    super();
    // Node binds an emitter made inside `domain.run()` to that domain, so an
    // 'error' nobody listens to reaches it; Bun's `domain` binds none. There,
    // the response is added to the active domain explicitly (onHeaders).
    const domain = (process as { domain?: ClientRequest["_unboundDomain"] | null }).domain;
    if (domain && (this as { domain?: unknown }).domain === undefined) {
      this._unboundDomain = domain;
    }
    warnIfHttpDebug();
    let base: RequestOptions | null;
    if (typeof input === "string") {
      base = urlToHttpOptions(new URL(input));
    } else if (isURL(input)) {
      base = urlToHttpOptions(input);
    } else {
      cb = options as ResponseListener | undefined;
      options = input;
      base = null;
    }
    // One copy serves as the request's options and, once host and port are
    // normalised, as the connection options handed to the agent.
    let opts: RequestOptions;
    if (typeof options === "function") {
      cb = options;
      opts = base || Object.create(null);
    } else {
      // A spread copy: an engine fast path, faster than Object.assign into a
      // null-prototype object; an own `__proto__` key stays a plain key.
      opts = base ? Object.assign(base, options) : { ...options };
    }

    let agent = opts.agent as AgentLike | false | null | undefined | true;
    const defaultAgent = (opts._defaultAgent as AgentLike | undefined) || getGlobalAgent();
    if (agent === false) {
      const Ctor = (defaultAgent as unknown as { constructor: new () => AgentLike }).constructor;
      agent = new Ctor();
    } else if (agent === null || agent === undefined) {
      agent = typeof opts.createConnection !== "function" ? defaultAgent : undefined;
    } else if (typeof (agent as AgentLike).addRequest !== "function") {
      throw ERR_INVALID_ARG_TYPE(
        "options.agent",
        ["Agent-like Object", "undefined", "false"],
        agent,
      );
    }
    this.agent = agent as AgentLike | undefined;

    const protocol = opts.protocol || defaultAgent.protocol || "http:";
    let expectedProtocol = defaultAgent.protocol || "http:";
    if (this.agent && this.agent.protocol) expectedProtocol = this.agent.protocol;

    if (opts.path) {
      if (INVALID_PATH_REGEX.test(String(opts.path))) {
        throw ERR_UNESCAPED_CHARACTERS("Request path");
      }
    }
    if (protocol !== expectedProtocol) throw ERR_INVALID_PROTOCOL(protocol, expectedProtocol);

    const defaultPort = opts.defaultPort || (this.agent && this.agent.defaultPort);
    const connectOpts = opts;
    const port = connectOpts.port = opts.port || defaultPort || 80;
    const host = connectOpts.host = validateHost(opts.hostname, "hostname") ||
      validateHost(opts.host, "host") || "localhost";
    // `setDefaultHeaders: false` (newer Node) leaves out every header the
    // request would add by itself; `setHost` still decides Host on its own.
    const setDefaultHeaders = opts.setDefaultHeaders !== false;
    const setHost = opts.setHost === undefined ? setDefaultHeaders : Boolean(opts.setHost);

    this.socketPath = opts.socketPath;
    this.timeout = opts.timeout !== undefined
      ? getTimerDuration(opts.timeout, "timeout")
      : undefined;

    let method = opts.method;
    const methodIsString = typeof method === "string";
    if (method !== null && method !== undefined && !methodIsString) {
      throw ERR_INVALID_ARG_TYPE("options.method", "string", method);
    }
    if (methodIsString && method) {
      if (!checkIsHttpToken(method)) throw ERR_INVALID_HTTP_TOKEN("Method", method);
      method = method.toUpperCase();
    } else {
      method = "GET";
    }
    this.method = method;

    const maxHeaderSize = opts.maxHeaderSize;
    if (maxHeaderSize !== undefined) {
      if (typeof maxHeaderSize !== "number") {
        throw ERR_INVALID_ARG_TYPE("maxHeaderSize", "number", maxHeaderSize);
      }
      if (!Number.isInteger(maxHeaderSize)) {
        throw ERR_OUT_OF_RANGE("maxHeaderSize", "an integer", maxHeaderSize);
      }
      if (maxHeaderSize < 0 || maxHeaderSize > Number.MAX_SAFE_INTEGER) {
        throw ERR_OUT_OF_RANGE(
          "maxHeaderSize",
          `>= 0 && <= ${Number.MAX_SAFE_INTEGER}`,
          maxHeaderSize,
        );
      }
    }
    this.maxHeaderSize = maxHeaderSize;
    if (opts.insecureHTTPParser !== undefined) {
      validateBoolean(opts.insecureHTTPParser, "options.insecureHTTPParser");
    }
    this.insecureHTTPParser = opts.insecureHTTPParser;
    if (opts.joinDuplicateHeaders !== undefined) {
      validateBoolean(opts.joinDuplicateHeaders, "options.joinDuplicateHeaders");
    }
    this.joinDuplicateHeaders = opts.joinDuplicateHeaders;

    this.path = opts.path || "/";
    if (cb) this.once("response", cb);

    this.useChunkedEncodingByDefault = !(method === "GET" || method === "HEAD" ||
      method === "DELETE" || method === "OPTIONS" || method === "TRACE" ||
      method === "CONNECT");
    this.host = host;
    this.protocol = protocol;

    if (this.agent) {
      // Keep-alive only when the agent can actually reuse the connection.
      if (!this.agent.keepAlive && !Number.isFinite(this.agent.maxSockets)) {
        this._last = true;
        this.shouldKeepAlive = false;
      } else {
        this._last = false;
        this.shouldKeepAlive = true;
      }
    }

    if (!setDefaultHeaders) {
      // As if the user had removed them: the head gets no Connection,
      // Content-Length or Transfer-Encoding of its own.
      this._removedConnection = true;
      this._removedContLen = true;
      this._removedTE = true;
    }

    this._uniqueHeaders = parseUniqueHeadersOption(opts.uniqueHeaders);

    const headers = opts.headers;
    if (!Array.isArray(headers)) {
      if (headers) {
        const h = headers as Record<string, string | number | readonly string[]>;
        const keys = Object.keys(h);
        for (let i = 0; i < keys.length; i++) this.setHeader(keys[i], h[keys[i]]);
      }
      if (host && !this.getHeader("host") && setHost) {
        if (
          host === hostCache.host && port === hostCache.port &&
          defaultPort === hostCache.defaultPort
        ) {
          // The same Host header as the last request's, validated then.
          let store = this._outHeaders;
          if (store === null) this._outHeaders = store = new Map();
          store.set("host", ["Host", hostCache.header]);
        } else {
          let hostHeader = host;
          const colon = hostHeader.indexOf(":");
          if (
            colon !== -1 && hostHeader.includes(":", colon + 1) && hostHeader.charCodeAt(0) !== 91
          ) {
            hostHeader = `[${hostHeader}]`;
          }
          if (port && +port !== defaultPort) hostHeader += ":" + port;
          this.setHeader("Host", hostHeader);
          hostCache.host = host;
          hostCache.port = port;
          hostCache.defaultPort = defaultPort;
          hostCache.header = hostHeader;
        }
      }
      if (opts.auth && !this.getHeader("Authorization")) {
        this.setHeader("Authorization", "Basic " + Buffer.from(opts.auth).toString("base64"));
      }
      if (this.getHeader("expect")) {
        if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
        this._storeHeader(this.method + " " + this.path + " HTTP/1.1\r\n", this._outHeaders);
      }
    } else {
      this._storeHeader(this.method + " " + this.path + " HTTP/1.1\r\n", headers);
    }

    const signal = opts.signal;
    if (signal) {
      delete connectOpts.signal;
      this.addAbortSignal(signal);
    }

    // Start the connection.
    if (this.agent) {
      this.agent.addRequest(this, connectOpts);
      return;
    }
    this._last = true;
    this.shouldKeepAlive = false;
    let copts = connectOpts;
    if (copts.path || copts.socketPath) {
      copts = Object.assign(Object.create(null), connectOpts);
      if (copts.socketPath) copts.path = copts.socketPath;
      else if (copts.path) copts.path = undefined;
    }
    if (typeof copts.createConnection === "function") {
      let called = false;
      const oncreate = (err: Error | null, socket?: Duplex): void => {
        if (called) return;
        called = true;
        if (err) process.nextTick(() => this.emit("error", err));
        else this.onSocket(socket as ClientSocket);
      };
      try {
        const s = copts.createConnection(copts, oncreate);
        if (s) oncreate(null, s);
      } catch (err) {
        oncreate(err as Error);
      }
    } else {
      this.onSocket(netCreateConnection(copts as Record<string, never>) as ClientSocket);
    }
  }

  private addAbortSignal(signal: AbortSignal): void {
    if (typeof signal !== "object" || signal === null || !("aborted" in signal)) {
      throw ERR_INVALID_ARG_TYPE("signal", "AbortSignal", signal);
    }
    const onAbort = (): void => {
      this.destroy(abortError(signal.reason));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    this.once("close", () => signal.removeEventListener("abort", onAbort));
  }

  /**
   * Builds the head (see `OutgoingMessage`). A request that says
   * `Connection: close` never leaves its connection for reuse (RFC 9112 §9.6).
   */
  override _storeHeader(
    firstLine: string,
    headers: Parameters<OutgoingMessage["_storeHeader"]>[1],
  ): void {
    super._storeHeader(firstLine, headers);
    const head = this._header;
    if (head === null || !this.shouldKeepAlive) return;
    // Without a Connection field in the (validated) header store, the only
    // Connection line is the one `_storeHeader` generated.
    const close = headers instanceof Map && !headers.has("connection")
      ? head.includes("\r\nConnection: close\r\n")
      : RE_CONNECTION_CLOSE.test(head);
    if (close) this.shouldKeepAlive = false;
  }

  /** Builds the head from the header store (`METHOD path HTTP/1.1`). */
  override _implicitHeader(): void {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("render");
    this._storeHeader(this.method + " " + this.path + " HTTP/1.1\r\n", this._outHeaders);
  }

  /**
   * Marks the request aborted (deprecated): emits 'abort' and destroys it.
   * Remaining response data is dropped.
   */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    process.nextTick(() => this.emit("abort"));
    this.destroy();
  }

  /**
   * Destroys the request and its socket; `error` (if given) is emitted as
   * 'error', then 'close'. A response in progress is aborted.
   */
  override destroy(error?: Error): this {
    if (this.destroyed) return this;
    this.destroyed = true;
    if (this.res) this.res._dump();
    this._destroyError = error;
    // Callbacks of writes still held here (a cork) learn they never went out,
    // before the request's 'error', as from Node's destroyed socket.
    this._failQueued(error);
    const s = this.socket as ClientSocket | null;
    // As Node: the socket fails with the error, and the connection's 'error'
    // listener reports it (then the close handling aborts what is unfinished).
    if (s) s.destroy(error);
    return this;
  }

  /** Agent hook: the socket for this request (or the error that prevented one). */
  onSocket(socket: ClientSocket | undefined, err?: Error | null): void {
    process.nextTick(() => this.onSocketNT(socket, err));
  }

  private onSocketNT(socket: ClientSocket | undefined, err?: Error | null): void {
    if (this.destroyed || err) {
      this.destroyed = true;
      const done = (er: Error | null | undefined): void => {
        if (!this.aborted && !er) er = connResetException("socket hang up");
        if (er) this.emit("error", er);
        // As Node 20's: 'close' now, so an abort() made before the socket came
        // sees 'close' before its queued 'abort' (the docs' order is the reverse).
        this._emitClose();
      };
      if (socket) {
        if (!err && this.agent && !socket.destroyed) {
          socket.emit("free");
        } else {
          const e = err || this._destroyError;
          socket.destroy(e);
          if (socket.closed === true) {
            // A socket that already failed on its own (its 'error' may still be
            // pending): that error is the request's, and is not left unhandled.
            const own = (socket as { errored?: Error | null }).errored;
            if (!e && own) socket.on("error", () => {});
            done(e || own || undefined);
          } else {
            const cleanup = finished(socket, (er) => {
              cleanup();
              let x = er as (Error & { code?: string }) | undefined;
              if (x?.code === "ERR_STREAM_PREMATURE_CLOSE") x = undefined;
              done(x || err);
            });
          }
          return;
        }
      }
      done(err || this._destroyError);
      return;
    }
    this.tickOnSocket(socket!);
    this._flush();
  }

  private tickOnSocket(socket: ClientSocket): void {
    let conn = socket[kConn];
    if (!conn) {
      conn = new ClientConnection(socket);
      socket[kConn] = conn;
      conn.transport = attachConsumer(socket, conn);
    }
    conn.startRequest(this);
    this.socket = socket as unknown as OutgoingMessage["socket"];
    this._transport = conn.transport;
    socket._httpMessage = this;
    const agentTimeout = (this.agent?.options as { timeout?: number } | undefined)?.timeout;
    if (this.timeout !== undefined || agentTimeout) this.listenSocketTimeout();
    this.emit("socket", socket);
  }

  /** Relays the socket's 'timeout' to the request (once installed). */
  private listenSocketTimeout(): void {
    if (this.timeoutCb) return;
    const cb = (): void => {
      if ((this.socket as ClientSocket | null)?._httpMessage === this) this.emit("timeout");
    };
    this.timeoutCb = cb;
    if (this.socket) this.socket.once("timeout", cb);
    else this.once("socket", (s: Duplex) => s.once("timeout", cb));
  }

  /**
   * Sets the socket's idle timeout once a socket is assigned and connected;
   * `callback` listens to 'timeout'. The request is not aborted by it.
   */
  override setTimeout(msecs: number, callback?: () => void): this {
    if (this._ended) return this;
    this.listenSocketTimeout();
    msecs = getTimerDuration(msecs, "msecs");
    if (callback) this.once("timeout", callback);
    const apply = (s: ClientSocket): void => {
      if (s.connecting) s.once("connect", () => s.setTimeout?.(msecs));
      else s.setTimeout?.(msecs);
    };
    if (this.socket) apply(this.socket as ClientSocket);
    else this.once("socket", apply);
    return this;
  }

  /** Clears the timeout (same as `setTimeout(0, cb)`). */
  clearTimeout(cb?: () => void): void {
    this.setTimeout(0, cb);
  }

  private deferToConnect(method: "setNoDelay" | "setKeepAlive", args: unknown[]): void {
    const call = (): void => {
      const s = this.socket as unknown as Record<string, (...a: unknown[]) => unknown> | null;
      if (s && typeof s[method] === "function") s[method](...args);
    };
    const onSocket = (): void => {
      const s = this.socket as ClientSocket;
      if (s.connecting) s.once("connect", call);
      else call();
    };
    if (!this.socket) this.once("socket", onSocket);
    else onSocket();
  }

  /** `socket.setNoDelay()` once a socket is assigned and connected. */
  setNoDelay(noDelay?: boolean): void {
    this.deferToConnect("setNoDelay", [noDelay]);
  }

  /** `socket.setKeepAlive()` once a socket is assigned and connected. */
  setSocketKeepAlive(enable?: boolean, initialDelay?: number): void {
    this.deferToConnect("setKeepAlive", [enable, initialDelay]);
  }

  /** @internal The response ended: free or close the connection. */
  _responseOnEnd(res: IncomingMessage): void {
    const socket = this.socket as ClientSocket | null;
    if (socket) {
      if (this.timeoutCb) socket.removeListener("timeout", this.timeoutCb);
      const conn = socket[kConn];
      if (conn) socket.removeListener("timeout", conn.onResponseTimeout);
    }
    this._ended = true;
    if (!this.shouldKeepAlive) {
      if (socket && socket.writable) {
        if (typeof socket.destroySoon === "function") socket.destroySoon();
        else socket.end();
      }
    } else if (this.writableFinished && !res.aborted) {
      this._responseKeepAlive();
    }
  }

  /** @internal The request finished being sent (the response may be done already). */
  _requestOnFinish(): void {
    if (this.shouldKeepAlive && this._ended) this._responseKeepAlive();
  }

  private _responseKeepAlive(): void {
    const socket = this.socket as ClientSocket;
    const conn = socket[kConn];
    if (conn && conn.req !== this) return;
    if (this.timeoutCb) {
      socket.setTimeout?.(0);
      socket.removeListener("timeout", this.timeoutCb);
      this.timeoutCb = null;
    }
    if (conn) conn.release();
    process.nextTick(() => {
      this._emitClose();
      socket.emit("free");
    });
    this.destroyed = true;
    if (this.res) (this.res as unknown as { socket: unknown }).socket = null;
  }
}

/** 'end' listener of a response: its request frees or closes the connection. */
function responseOnEnd(this: IncomingMessage & { req?: ClientRequest }): void {
  this.req?._responseOnEnd(this);
}

/** 'finish' listener of a request whose response is being read. */
function requestOnFinish(this: ClientRequest): void {
  this._requestOnFinish();
}

/**
 * The HTTP side of one client socket: parses responses for the request that
 * currently owns the socket and turns socket events into request/response events.
 */
class ClientConnection implements TransportHandler, ReadRequester {
  socket: ClientSocket;
  transport!: Transport;
  req: ClientRequest | null = null;
  parser: HTTPParser | null = null;
  res: IncomingMessage | null = null;
  private info = false;
  private executing = false;
  private upgraded = false;
  private paused = false;
  private finishListener: ((this: ClientRequest) => void) | null = null;
  /** The current request's socket failure was reported (see `socketError`). */
  private errorSeen = false;
  /** `onSocketError` listens to the socket's 'error'. */
  private errorListening = false;
  /** The parser made last on this connection and its limits (see `startRequest`). */
  private lastParser: HTTPParser | null = null;
  private lastMaxHeaderSize: number | undefined = undefined;
  private lastMaxHeadersCount: number | undefined = undefined;
  private lastLenient = false;

  constructor(socket: ClientSocket) {
    this.socket = socket;
  }

  /** Relays a socket timeout to the response while one is being read. */
  onResponseTimeout = (): void => {
    const req = this.req;
    if (req && req.res) req.res.emit("timeout");
  };

  startRequest(req: ClientRequest): void {
    this.req = req;
    this.res = null;
    this.info = false;
    this.upgraded = false;
    this.paused = false;
    this.errorSeen = false;
    this.socket._hadError = false;
    if (!this.errorListening) {
      this.errorListening = true;
      this.socket.on("error", this.onSocketError);
    }
    const maxCount = req.maxHeadersCount;
    const maxHeaderSize = req.maxHeaderSize || undefined;
    const maxHeadersCount = typeof maxCount === "number" ? maxCount : undefined;
    const lenient = req.insecureHTTPParser ?? insecureParserDefault();
    // The connection's last parser is reused (as Node's parser pool does) when
    // the limits are the same and no execute() is under way.
    let parser = this.lastParser;
    if (
      parser !== null && !this.executing && this.lastMaxHeaderSize === maxHeaderSize &&
      this.lastMaxHeadersCount === maxHeadersCount && this.lastLenient === lenient
    ) {
      parser.reset();
    } else {
      parser = new HTTPParser("response", this, { maxHeaderSize, maxHeadersCount, lenient });
      this.lastParser = parser;
      this.lastMaxHeaderSize = maxHeaderSize;
      this.lastMaxHeadersCount = maxHeadersCount;
      this.lastLenient = lenient;
    }
    this.parser = parser;
    req.parser = parser;
  }

  /** The request let go of the socket (pooled): back to idle. */
  release(): void {
    const req = this.req;
    this.freeParser();
    if (req && this.finishListener) req.removeListener("finish", this.finishListener);
    this.finishListener = null;
    this.req = null;
    this.res = null;
    this.socket.removeListener("timeout", this.onResponseTimeout);
    this.stopErrorListening();
    if (this.paused) {
      this.paused = false;
      this.transport.resume();
    }
  }

  private freeParser(): void {
    if (this.req) this.req.parser = null;
    this.parser = null;
  }

  private stopErrorListening(): void {
    if (this.errorListening) {
      this.errorListening = false;
      this.socket.removeListener("error", this.onSocketError);
    }
  }

  /** The socket's 'error' while a request uses it (a `destroy(err)`, or a failure). */
  onSocketError = (err: Error): void => this.socketError(err);

  /**
   * As Node's client on a socket error: the request emits it, then the parser
   * is finished (a body read to EOF thus completes) before the close handling
   * aborts whatever is still unfinished.
   */
  private socketError(err: Error): void {
    if (this.errorSeen) return;
    this.errorSeen = true;
    const req = this.req;
    if (req !== null) {
      this.socket._hadError = true;
      req.emit("error", err);
    }
    const parser = this.parser;
    if (parser !== null) {
      if (this.executing) parser.pause();
      else parser.finish();
      this.freeParser();
    }
  }

  // ------------------------------------------------------------- parser side

  onHeaders(head: MessageHead): number {
    const req = this.req;
    const socket = this.socket;
    // The request let go of the connection during this execute(): ignore the rest.
    if (req === null || this.parser === null) return HEADERS_SKIP_BODY;
    const res = new IncomingMessage(
      socket as unknown as ConstructorParameters<typeof IncomingMessage>[0],
    );
    res.httpVersionMajor = head.versionMajor;
    res.httpVersionMinor = head.versionMinor;
    res.httpVersion = head.versionMajor + "." + head.versionMinor;
    res.rawHeaders = head.rawHeaders;
    const limit = this.parser.headerEntriesLimit;
    if (limit !== 0 && head.rawHeaders.length > limit) res._headersCount = limit;
    res.statusCode = head.statusCode;
    res.statusMessage = head.statusMessage;
    res.upgrade = head.upgrade;
    if (req.joinDuplicateHeaders) res.joinDuplicateHeaders = true;

    if (req.res) {
      // A second response to one request: drop the connection and read no
      // further (its body must not be taken for the start of another message).
      socket.destroy();
      this.res = null;
      this.parser?.pause();
      return HEADERS_BODY;
    }
    req.res = res;
    this.res = res;
    if (req._unboundDomain !== undefined) req._unboundDomain.add(res);
    if (head.upgrade) {
      this.upgraded = true;
      return HEADERS_UPGRADE;
    }
    if (req.method === "CONNECT") {
      res.upgrade = true;
      this.upgraded = true;
      return HEADERS_UPGRADE;
    }
    if (statusIsInformational(head.statusCode)) {
      req.res = null;
      this.res = null;
      this.info = true;
      if (head.statusCode === 100) req.emit("continue");
      const info: InformationEvent = {
        statusCode: head.statusCode,
        statusMessage: head.statusMessage,
        httpVersion: res.httpVersion,
        httpVersionMajor: head.versionMajor,
        httpVersionMinor: head.versionMinor,
        headers: res.headers,
        rawHeaders: head.rawHeaders,
      };
      req.emit("information", info);
      return HEADERS_SKIP_BODY;
    }
    this.info = false;
    if (req.shouldKeepAlive && !head.shouldKeepAlive && !req.upgradeOrConnect) {
      req.shouldKeepAlive = false;
    }
    (res as IncomingMessage & { req?: ClientRequest }).req = req;
    res._reader = this;
    res.on("end", responseOnEnd);
    this.finishListener = requestOnFinish;
    req.on("finish", requestOnFinish);
    socket.on("timeout", this.onResponseTimeout);
    if (req.aborted || !req.emit("response", res)) res._dump();
    if (req.method === "HEAD") return HEADERS_SKIP_BODY;
    if (head.statusCode === 304) {
      res.complete = true;
      return HEADERS_SKIP_BODY;
    }
    return HEADERS_BODY;
  }

  /** @internal The response's consumer wants more: resume reading. */
  readRequested(res: IncomingMessage): void {
    if (this.paused && this.res === res) {
      this.paused = false;
      this.transport.resume();
    }
  }

  onBody(chunk: Uint8Array): void {
    const res = this.res;
    // A dumped response (request destroyed, no 'response' listener) gets no
    // more body bytes: late 'data' listeners see none, as on Node.
    if (this.info || res === null || this.req === null || res._dumped) return;
    if (!res.push(toBuffer(chunk)) && !res._dumped && !this.paused) {
      this.paused = true;
      this.transport.pause();
    }
  }

  onComplete(rawTrailers: string[]): void {
    if (this.info) {
      this.info = false;
      return;
    }
    const res = this.res;
    if (res === null || this.req === null) return;
    if (rawTrailers.length) res.rawTrailers = rawTrailers;
    res.complete = true;
    res._pushEnd();
  }

  // ---------------------------------------------------------- transport side

  onData(chunk: Uint8Array): void {
    const req = this.req;
    const parser = this.parser;
    if (req === null) {
      // Bytes on an idle pooled connection: nothing can be waiting for them.
      this.socket.destroy();
      return;
    }
    if (parser === null) return;
    this.executing = true;
    let ret: number;
    try {
      ret = parser.execute(chunk);
    } finally {
      this.executing = false;
    }
    if (this.req !== req) return;
    if (ret < 0 || parser.error) {
      const err = parser.error as ParseError & { rawPacket?: unknown };
      if (err && err.rawPacket instanceof Uint8Array) err.rawPacket = toBuffer(err.rawPacket);
      this.freeParser();
      this.socket._hadError = true;
      this.socket.destroy();
      req.emit("error", err);
      return;
    }
    if (this.upgraded && this.req === req && this.res) {
      this.handleUpgrade(req, this.res, chunk.subarray(ret));
      return;
    }
    const res = this.res;
    if (res !== null && res.complete && this.parser === parser) this.freeParser();
  }

  private handleUpgrade(req: ClientRequest, res: IncomingMessage, rest: Uint8Array): void {
    const socket = this.socket;
    this.freeParser();
    if (req.timeoutCb) socket.removeListener("timeout", req.timeoutCb);
    socket.removeListener("timeout", this.onResponseTimeout);
    const head = Buffer.from(rest);
    const eventName = req.method === "CONNECT" ? "connect" : "upgrade";
    if (req.listenerCount(eventName) > 0) {
      this.stopErrorListening();
      req.upgradeOrConnect = true;
      socket.emit("agentRemove");
      this.req = null;
      this.res = null;
      delete socket[kConn];
      detachConsumer(socket);
      socket._httpMessage = null;
      req.emit(eventName, res, socket, head);
      req.destroyed = true;
      req._emitClose();
    } else {
      socket.destroy();
    }
  }

  onEnd(): void {
    const req = this.req;
    if (req === null) {
      this.socket.destroy();
      return;
    }
    if (!req.res && !this.socket._hadError) {
      this.socket._hadError = true;
      req.emit("error", connResetException("socket hang up"));
    }
    const parser = this.parser;
    if (parser !== null) {
      parser.finish();
      this.freeParser();
    }
    this.socket.destroy();
  }

  onDrain(): void {
    this.req?._onDrain();
  }

  onClose(error: Error | null): void {
    const req = this.req;
    if (req === null) return;
    const socket = this.socket;
    if (error === null && req.destroyed) error = req._destroyError ?? null;
    if (error) this.socketError(error);
    const parser = this.parser;
    // A response still unfinished is aborted before the parser is finished (as
    // Node: a close that is not the peer's EOF does not end a close-delimited
    // body, though `complete` then turns true).
    const unfinished = req.res !== null && !req.res.complete && !this.executing;
    if (parser !== null && !unfinished) {
      // Inside execute() (a listener destroyed the socket): just stop parsing.
      if (this.executing) parser.pause();
      else parser.finish();
      this.freeParser();
    }
    req.destroyed = true;
    const res = req.res;
    if (res) {
      if (!res.complete) {
        res.destroy(connResetException("aborted"));
        req._emitClose();
        if (parser !== null && unfinished) {
          parser.finish();
          this.freeParser();
        }
      } else if (
        !this.upgraded && !res.closed && !res.destroyed && res.readableFlowing === true
      ) {
        // The whole response arrived and is flowing out: 'close' on the request
        // follows the response's own 'end'/'close', as on Node where the socket
        // closes after the data was handed out. A response left unread or
        // paused does not hold the request's 'close' back (Node emits it when
        // the socket closes).
        res.once("close", () => req._emitClose());
      } else {
        req._emitClose();
      }
    } else {
      if (!socket._hadError) {
        socket._hadError = true;
        req.emit("error", connResetException("socket hang up"));
      }
      req._emitClose();
    }
    this.req = null;
  }
}

/** Re-exported for convenience of `request.ts`. */
export { Agent };
