/**
 * `http.Server` and `createServer()` (Node's `lib/_http_server.js` on top of a
 * `net.Server`-like listener). Listening goes through the runtime's transport
 * (`getRuntime().listen`); every accepted transport becomes a `Socket` emitted
 * as 'connection'. Any `stream.Duplex` emitted as 'connection' is served too.
 *
 * @module
 */

import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import type { AddressInfo, ListenOptions, TransportServer } from "./transport/transport.ts";
import { getRuntime } from "./transport/runtime.ts";
import { Socket } from "./socket.ts";
import { IncomingMessage } from "./incoming_message.ts";
import { ServerResponse } from "./server_response.ts";
import { ServerConnection } from "./server_connection.ts";
import {
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_OUT_OF_RANGE,
  ERR_SERVER_ALREADY_LISTEN,
  ERR_SERVER_NOT_RUNNING,
  ERR_SOCKET_BAD_PORT,
} from "./core/errors.ts";
import { nextTick } from "./next_tick.ts";
import { loopNow } from "./clock.ts";
import { STATUS_CODES } from "./core/constants.ts";
import { warnIfHttpDebug } from "./process_options.ts";

/** Options of `createServer()` / `new Server()`. */
export interface ServerOptions {
  /** Class used for requests (a subclass of `IncomingMessage`). */
  IncomingMessage?: typeof IncomingMessage;
  /** Class used for responses (a subclass of `ServerResponse`). */
  ServerResponse?: typeof ServerResponse;
  /** Ms allowed to receive a whole request (default 300000; 0 disables). */
  requestTimeout?: number;
  /** Ms allowed to receive a request head (default min(60000, requestTimeout)). */
  headersTimeout?: number;
  /** Ms an idle keep-alive connection is kept (default 5000). */
  keepAliveTimeout?: number;
  /**
   * Ms added to `keepAliveTimeout` before an idle connection is really closed,
   * so a client that reuses it right at the advertised limit is not reset
   * (default 1000, the margin Node 20 always used; option added in Node 24.6).
   */
  keepAliveTimeoutBuffer?: number;
  /** How often request/headers timeouts are checked, in ms (default 30000). */
  connectionsCheckingInterval?: number;
  /** Accept what Node's lenient parser accepts. */
  insecureHTTPParser?: boolean;
  /** Max bytes of a request head (default 16384). */
  maxHeaderSize?: number;
  /** TCP_NODELAY on accepted connections (default true). */
  noDelay?: boolean;
  /** SO_KEEPALIVE on accepted connections. */
  keepAlive?: boolean;
  /** Initial delay of SO_KEEPALIVE in ms. */
  keepAliveInitialDelay?: number;
  /** Headers whose list values are sent as one line joined with `"; "`. */
  uniqueHeaders?: (string | string[])[];
  /** Join duplicate incoming headers with `", "` instead of dropping them. */
  joinDuplicateHeaders?: boolean;
  /** Answer HTTP/1.1 requests without `Host` with 400 (default true). */
  requireHostHeader?: boolean;
  /**
   * High-water mark of accepted sockets (both sides), and so of requests and
   * responses; a negative value leaves the default (16 KiB).
   */
  highWaterMark?: number;
  /** Throw on body writes to responses that cannot have one. */
  rejectNonStandardBodyWrites?: boolean;
  /**
   * A request without Content-Length and Transfer-Encoding (and any HEAD)
   * reaches the listener with its body stream already ended (dumped, ended,
   * destroyed; no 'data', 'end' or 'close'). Default false (option added in
   * Node 24.12 / 25.1).
   */
  optimizeEmptyRequests?: boolean;
  /** SO_REUSEPORT where the runtime supports it. */
  reusePort?: boolean;
  /**
   * Decides, for a request asking for an `Upgrade`, whether it is an upgrade
   * ('upgrade' event; the socket is destroyed without a listener) or a plain
   * request ('request' event). Called with the server as `this`. Default:
   * whether the server has an 'upgrade' listener, as Node 20 decides
   * (option added in Node 24.9 / 22.21).
   */
  shouldUpgradeCallback?: (this: Server, req: IncomingMessage) => boolean;
}

/** The default `shouldUpgradeCallback`: upgrade when someone listens for 'upgrade'. */
function hasUpgradeListener(this: Server): boolean {
  return this.listenerCount("upgrade") > 0;
}

/** Listener of the 'request' event. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

function validateInteger(value: unknown, name: string, min: number): void {
  if (typeof value !== "number") throw ERR_INVALID_ARG_TYPE(name, "number", value);
  if (!Number.isInteger(value)) throw ERR_OUT_OF_RANGE(name, "an integer", value);
  if (value < min || value > Number.MAX_SAFE_INTEGER) {
    throw ERR_OUT_OF_RANGE(name, `>= ${min} && <= ${Number.MAX_SAFE_INTEGER}`, value);
  }
}

function validateBoolean(value: unknown, name: string): void {
  if (typeof value !== "boolean") throw ERR_INVALID_ARG_TYPE(name, "boolean", value);
}

type TimerHandle = ReturnType<typeof setInterval>;

function unrefTimer(t: TimerHandle): void {
  const o = t as unknown as { unref?: () => void };
  if (o && typeof o === "object" && typeof o.unref === "function") {
    o.unref();
    return;
  }
  const deno = (globalThis as unknown as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof t === "number" && deno && typeof deno.unrefTimer === "function") deno.unrefTimer(t);
}

function isPortLike(v: unknown): boolean {
  return typeof v === "number" || (typeof v === "string" && v.trim() !== "" && !isNaN(+v));
}

function toPort(v: unknown, name: string): number {
  const n = typeof v === "string" ? +v : v as number;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw ERR_SOCKET_BAD_PORT(name, v);
  }
  return n;
}

/** 'listening' listener: starts the connections-checking timer of the server it fires on. */
function startCheckingOnListening(this: Server): void {
  (this as unknown as { _startChecking(): void })._startChecking();
}

/**
 * Sets up `self`, an object made by a pre-class subclass (a function whose
 * prototype inherits `Server.prototype`, calling `Server.call(this, ...)`),
 * as the constructor would have: Node's `Server` is such a function and takes
 * its `this`. The state a constructed server gets is moved onto `self` (no
 * listener the constructor adds keeps the constructed object).
 */
export function initLegacyServer(
  self: Server,
  options?: ServerOptions | RequestListener | null,
  listener?: RequestListener,
): void {
  const made = new Server(options, listener);
  Object.defineProperties(self, Object.getOwnPropertyDescriptors(made));
}

/** A boolean option: validated when given (ERR_INVALID_ARG_TYPE), else `fallback`. */
function booleanOption(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  validateBoolean(value, name);
  return value as boolean;
}

/**
 * An HTTP server (Node's `http.Server`).
 *
 * @example
 * ```ts
 * import { createServer } from "../mod.ts";
 * const server = createServer((req, res) => res.end("hi"));
 * server.listen(0, "127.0.0.1", () => console.log(server.address()));
 * ```
 */
export class Server extends EventEmitter {
  /** Socket idle timeout in ms (0: none). */
  timeout: number = 0;
  /** Max request headers kept (null: 2000). */
  maxHeadersCount: number | null = null;
  /** Max requests per keep-alive connection (0: no limit). */
  maxRequestsPerSocket: number = 0;
  /** See {@link ServerOptions.requestTimeout}. */
  requestTimeout: number;
  /** See {@link ServerOptions.headersTimeout}. */
  headersTimeout: number;
  /** See {@link ServerOptions.keepAliveTimeout}. */
  keepAliveTimeout: number;
  /** See {@link ServerOptions.keepAliveTimeoutBuffer}. */
  keepAliveTimeoutBuffer: number;
  /** See {@link ServerOptions.connectionsCheckingInterval}. */
  connectionsCheckingInterval: number;
  /** See {@link ServerOptions.requireHostHeader}. */
  requireHostHeader: boolean;
  /** See {@link ServerOptions.joinDuplicateHeaders}. */
  joinDuplicateHeaders: boolean | undefined;
  /** See {@link ServerOptions.rejectNonStandardBodyWrites}. */
  rejectNonStandardBodyWrites: boolean;
  /** See {@link ServerOptions.optimizeEmptyRequests}. */
  optimizeEmptyRequests: boolean;
  /** See {@link ServerOptions.shouldUpgradeCallback}. */
  shouldUpgradeCallback: (this: Server, req: IncomingMessage) => boolean;
  /** See {@link ServerOptions.maxHeaderSize}. */
  maxHeaderSize: number | undefined;
  /** See {@link ServerOptions.insecureHTTPParser}. */
  insecureHTTPParser: boolean | undefined;
  /** Keep serving after the peer half-closed (Node's `httpAllowHalfOpen`, default false). */
  httpAllowHalfOpen: boolean = false;

  /** Class of requests. */
  _IncomingMessage: typeof IncomingMessage;
  /** Class of responses. */
  _ServerResponse: typeof ServerResponse;
  /** Lower-cased names from `uniqueHeaders`, or null. */
  _uniqueHeaders: Set<string> | null;
  /** Live HTTP connections. */
  _connections_: Set<ServerConnection> = new Set();

  private _listener: TransportServer | null = null;
  private _listening = false;
  private _socketCount = 0;
  private _listenersClosing = 0;
  private _checkTimer: TimerHandle | null = null;
  private _unref = false;
  private _noDelay: boolean;
  private _keepAlive: boolean;
  private _keepAliveInitialDelay: number;
  private _reusePort: boolean;
  private _highWaterMark: number | undefined;

  /** Creates a server; `listener` is added for 'request'. */
  constructor(options?: ServerOptions | RequestListener | null, listener?: RequestListener) {
    super();
    warnIfHttpDebug();
    let opts: ServerOptions;
    if (typeof options === "function") {
      listener = options;
      opts = {};
    } else if (options == null) {
      opts = {};
    } else if (typeof options !== "object" || Array.isArray(options)) {
      throw ERR_INVALID_ARG_TYPE("options", "object", options);
    } else {
      opts = options;
    }

    this._IncomingMessage = opts.IncomingMessage || IncomingMessage;
    this._ServerResponse = opts.ServerResponse || ServerResponse;
    if (opts.maxHeaderSize !== undefined) validateInteger(opts.maxHeaderSize, "maxHeaderSize", 0);
    this.maxHeaderSize = opts.maxHeaderSize;
    if (opts.insecureHTTPParser !== undefined) {
      validateBoolean(opts.insecureHTTPParser, "options.insecureHTTPParser");
    }
    this.insecureHTTPParser = opts.insecureHTTPParser;
    if (opts.requestTimeout !== undefined) {
      validateInteger(opts.requestTimeout, "requestTimeout", 0);
      this.requestTimeout = opts.requestTimeout;
    } else {
      this.requestTimeout = 300_000;
    }
    if (opts.headersTimeout !== undefined) {
      validateInteger(opts.headersTimeout, "headersTimeout", 0);
      this.headersTimeout = opts.headersTimeout;
    } else {
      this.headersTimeout = Math.min(60_000, this.requestTimeout);
    }
    if (
      this.requestTimeout > 0 && this.headersTimeout > 0 &&
      this.headersTimeout > this.requestTimeout
    ) {
      throw ERR_OUT_OF_RANGE("headersTimeout", "<= requestTimeout", opts.headersTimeout);
    }
    if (opts.keepAliveTimeout !== undefined) {
      validateInteger(opts.keepAliveTimeout, "keepAliveTimeout", 0);
      this.keepAliveTimeout = opts.keepAliveTimeout;
    } else {
      this.keepAliveTimeout = 5_000;
    }
    if (opts.keepAliveTimeoutBuffer !== undefined) {
      validateInteger(opts.keepAliveTimeoutBuffer, "keepAliveTimeoutBuffer", 0);
      this.keepAliveTimeoutBuffer = opts.keepAliveTimeoutBuffer;
    } else {
      this.keepAliveTimeoutBuffer = 1_000;
    }
    if (opts.connectionsCheckingInterval !== undefined) {
      validateInteger(opts.connectionsCheckingInterval, "connectionsCheckingInterval", 0);
      this.connectionsCheckingInterval = opts.connectionsCheckingInterval;
    } else {
      this.connectionsCheckingInterval = 30_000;
    }
    this.requireHostHeader = booleanOption(
      opts.requireHostHeader,
      "options.requireHostHeader",
      true,
    );
    if (opts.joinDuplicateHeaders !== undefined) {
      validateBoolean(opts.joinDuplicateHeaders, "options.joinDuplicateHeaders");
    }
    this.joinDuplicateHeaders = opts.joinDuplicateHeaders;
    this.rejectNonStandardBodyWrites = booleanOption(
      opts.rejectNonStandardBodyWrites,
      "options.rejectNonStandardBodyWrites",
      false,
    );
    this.optimizeEmptyRequests = booleanOption(
      opts.optimizeEmptyRequests,
      "options.optimizeEmptyRequests",
      false,
    );
    if (opts.shouldUpgradeCallback !== undefined) {
      if (typeof opts.shouldUpgradeCallback !== "function") {
        throw ERR_INVALID_ARG_TYPE(
          "options.shouldUpgradeCallback",
          "Function",
          opts.shouldUpgradeCallback,
        );
      }
      this.shouldUpgradeCallback = opts.shouldUpgradeCallback;
    } else {
      this.shouldUpgradeCallback = hasUpgradeListener;
    }
    this._noDelay = opts.noDelay ?? true;
    this._keepAlive = !!opts.keepAlive;
    this._keepAliveInitialDelay = opts.keepAliveInitialDelay ?? 0;
    this._reusePort = !!opts.reusePort;
    if (opts.highWaterMark !== undefined && typeof opts.highWaterMark !== "number") {
      throw ERR_INVALID_ARG_TYPE("options.highWaterMark", "number", opts.highWaterMark);
    }
    // As Node 20, a negative (or fractional) value leaves the default.
    const hwm = opts.highWaterMark;
    this._highWaterMark = hwm !== undefined && Number.isInteger(hwm) && hwm >= 0 ? hwm : undefined;
    if (Array.isArray(opts.uniqueHeaders)) {
      const set = new Set<string>();
      for (const h of opts.uniqueHeaders) {
        if (Array.isArray(h)) { for (const x of h) set.add(String(x).toLowerCase()); }
        else set.add(String(h).toLowerCase());
      }
      this._uniqueHeaders = set;
    } else {
      this._uniqueHeaders = null;
    }

    if (listener) this.on("request", listener);
    this.on("connection", connectionListener);
    this.on("listening", startCheckingOnListening);
  }

  /** True while listening. */
  get listening(): boolean {
    return this._listening;
  }

  /** Whether accepted sockets get `setNoDelay(true)` (option `noDelay`, default true). */
  get noDelay(): boolean {
    return this._noDelay;
  }
  set noDelay(value: boolean) {
    this._noDelay = !!value;
  }

  /** Whether accepted sockets get TCP keep-alive (option `keepAlive`, default false). */
  get keepAlive(): boolean {
    return this._keepAlive;
  }
  set keepAlive(value: boolean) {
    this._keepAlive = !!value;
  }

  /**
   * Starts listening: `listen(port?, host?, backlog?, cb?)`, `listen(path, backlog?, cb?)`
   * or `listen(options, cb?)`. 'listening' (and `cb`) follow asynchronously; errors
   * such as EADDRINUSE are emitted as 'error'.
   *
   * @example
   * ```ts
   * server.listen({ port: 0, host: "127.0.0.1" }, () => console.log(server.address()));
   * ```
   */
  listen(...args: unknown[]): this {
    let cb: (() => void) | undefined;
    if (typeof args[args.length - 1] === "function") cb = args.pop() as () => void;
    const opts: ListenOptions = {};
    const a0 = args[0];
    if (a0 !== null && typeof a0 === "object") {
      const o = a0 as Record<string, unknown>;
      if (o.port !== undefined && o.port !== null) opts.port = toPort(o.port, "options.port");
      if (typeof o.host === "string") opts.host = o.host;
      if (typeof o.path === "string") opts.path = o.path;
      if (typeof o.backlog === "number") opts.backlog = o.backlog;
      if (o.exclusive !== undefined) opts.exclusive = !!o.exclusive;
      if (o.ipv6Only !== undefined) opts.ipv6Only = !!o.ipv6Only;
      if (o.reusePort !== undefined) opts.reusePort = !!o.reusePort;
      if (opts.port === undefined && opts.path === undefined) {
        if ("port" in o || "host" in o || Object.keys(o).length === 0 || "backlog" in o) {
          opts.port = 0;
        } else {
          throw ERR_INVALID_ARG_VALUE(
            "options",
            a0,
            'must have the property "port" or "path"',
          );
        }
      }
    } else if (typeof a0 === "string" && !isPortLike(a0)) {
      opts.path = a0;
      if (typeof args[1] === "number") opts.backlog = args[1];
    } else {
      opts.port = a0 === undefined || a0 === null ? 0 : toPort(a0, "options.port");
      if (typeof args[1] === "string") {
        opts.host = args[1];
        if (typeof args[2] === "number") opts.backlog = args[2];
      } else if (typeof args[1] === "number") {
        opts.backlog = args[1];
      }
    }
    if (opts.reusePort === undefined && this._reusePort) opts.reusePort = true;
    if (this._listener) throw ERR_SERVER_ALREADY_LISTEN();
    if (cb) this.once("listening", cb);

    let inCall = true;
    // One listener shared by every socket (a Socket emits 'close' once): no closure per connection.
    const onSocketClose = (): void => {
      this._socketCount--;
      this._emitCloseIfDrained();
    };
    const listener = getRuntime().listen(opts, {
      onConnection: (transport) => {
        if (this._noDelay) transport.setNoDelay(true);
        if (this._keepAlive) transport.setKeepAlive(true, this._keepAliveInitialDelay);
        const hwm = this._highWaterMark;
        const socket = new Socket(transport, {
          allowHalfOpen: true,
          readableHighWaterMark: hwm,
          writableHighWaterMark: hwm,
        });
        this._socketCount++;
        socket.on("close", onSocketClose);
        this.emit("connection", socket);
      },
      onListening: () => {
        const fire = (): void => {
          if (this._listener !== listener) return;
          this._listening = true;
          this.emit("listening");
        };
        if (inCall) nextTick(fire);
        else fire();
      },
      onClose: () => {
        this._listenersClosing--;
        this._emitCloseIfDrained();
      },
      onError: (error) => {
        const fire = (): void => {
          if (this._listener === listener) {
            this._listener = null;
            this._listening = false;
          }
          this.emit("error", error);
        };
        if (inCall) nextTick(fire);
        else fire();
      },
    });
    inCall = false;
    this._listener = listener;
    if (this._unref) listener.unref();
    return this;
  }

  /**
   * The bound address: `{ address, family, port }` for TCP, the path for a unix
   * socket, or null when not listening.
   */
  address(): AddressInfo | string | null {
    return this._listening && this._listener ? this._listener.address() : null;
  }

  /**
   * Stops accepting connections and closes idle ones; 'close' (and `cb`) follow when
   * every connection is gone. `cb` gets `ERR_SERVER_NOT_RUNNING` when not listening.
   *
   * @example
   * ```ts
   * server.close(() => console.log("closed"));
   * ```
   */
  close(cb?: (err?: Error) => void): this {
    this.closeIdleConnections();
    this._stopChecking();
    if (typeof cb === "function") {
      if (!this._listener) this.once("close", () => cb(ERR_SERVER_NOT_RUNNING()));
      else this.once("close", cb);
    }
    if (this._listener) {
      // 'close' waits until the port is really released (Deno ends its accept loop asynchronously).
      this._listenersClosing++;
      this._listener.close();
      this._listener = null;
      this._listening = false;
    }
    this._emitCloseIfDrained();
    return this;
  }

  /** Destroys every HTTP connection of this server. */
  closeAllConnections(): void {
    for (const c of Array.from(this._connections_)) c.socket.destroy();
  }

  /** Destroys the connections that are not receiving a request nor sending a response. */
  closeIdleConnections(): void {
    for (const c of Array.from(this._connections_)) {
      if (c.isIdle()) c.socket.destroy();
    }
  }

  /**
   * Sets the socket idle timeout for new connections; `callback` listens to 'timeout'.
   *
   * @example
   * ```ts
   * server.setTimeout(10_000, (socket) => socket.destroy());
   * ```
   */
  setTimeout(msecs: number, callback?: (socket: Duplex) => void): this {
    this.timeout = msecs;
    if (callback) this.on("timeout", callback);
    return this;
  }

  /** Counts open connections accepted by this server (as `net.Server`). */
  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this._socketCount;
    nextTick(() => cb(null, n));
    return this;
  }

  /** Let the listener keep the process alive (default). */
  ref(): this {
    this._unref = false;
    this._listener?.ref();
    return this;
  }

  /** Do not let the listener alone keep the process alive. */
  unref(): this {
    this._unref = true;
    this._listener?.unref();
    return this;
  }

  private _emitCloseIfDrained(): void {
    if (this._listener || this._socketCount > 0 || this._listenersClosing > 0) return;
    nextTick(() => {
      if (this._listener || this._socketCount > 0 || this._listenersClosing > 0) return;
      this.emit("close");
    });
  }

  private _startChecking(): void {
    this._stopChecking();
    if (this.connectionsCheckingInterval <= 0) return;
    const t = setInterval(() => this._checkConnections(), this.connectionsCheckingInterval);
    unrefTimer(t);
    this._checkTimer = t;
  }

  private _stopChecking(): void {
    if (this._checkTimer !== null) {
      clearInterval(this._checkTimer);
      this._checkTimer = null;
    }
  }

  /** Expires connections whose request head/body takes too long (Node's `checkConnections`). */
  _checkConnections(): void {
    const headersTimeout = this.headersTimeout;
    const requestTimeout = this.requestTimeout;
    if (headersTimeout === 0 && requestTimeout === 0) return;
    const now = loopNow();
    for (const c of Array.from(this._connections_)) {
      const start = c.messageStart;
      if (start === 0) continue;
      if (
        (!c.headersCompleted && headersTimeout > 0 && now - start > headersTimeout) ||
        (requestTimeout > 0 && now - start > requestTimeout)
      ) {
        c.onRequestTimeout();
      }
    }
  }
}

/**
 * `server[Symbol.asyncDispose]()` (Node 20.4+, for `await using`): closes the
 * server and resolves once it has closed. As newer Node's, it is idempotent:
 * on a server that is not listening it just resolves.
 */
const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
if (typeof asyncDispose === "symbol") {
  const disposer = {
    [asyncDispose](this: Server): Promise<void> {
      if (!this.listening) return Promise.resolve();
      return new Promise((resolve) => {
        this.close(() => resolve());
      });
    },
  };
  Object.defineProperty(Server.prototype, asyncDispose, {
    configurable: true,
    writable: true,
    value: disposer[asyncDispose],
  });
}

// With `captureRejections`, a rejected async listener lands here (Node's
// `Server.prototype[EventEmitter.captureRejectionSymbol]`): a 'request' whose
// response has not started gets a clean 500, otherwise the response is destroyed;
// a 'connection' destroys the socket; anything else becomes 'error'.
Object.defineProperty(Server.prototype, Symbol.for("nodejs.rejection"), {
  configurable: true,
  writable: true,
  value: function (this: Server, err: Error, event: string, ...args: unknown[]): void {
    if (event === "request") {
      const res = args[1] as ServerResponse;
      if (!res.headersSent && !res.writableEnded) {
        for (const name of res.getHeaderNames()) res.removeHeader(name);
        res.statusCode = 500;
        res.end(STATUS_CODES[500]);
      } else {
        res.destroy();
      }
    } else if (event === "connection") {
      (args[0] as Duplex).destroy(err);
    } else {
      this.emit("error", err);
    }
  },
});

/**
 * Serves one connection on the server that is `this`: what every `Server`
 * listens to 'connection' with (Node's `http._connectionListener`). Code that
 * accepts sockets itself hands them over with
 * `http._connectionListener.call(server, socket)`; removing it from a
 * server's 'connection' listeners stops the server from serving new ones.
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import http from "./mod.ts";
 *
 * const server = http.createServer((_req, res) => res.end("hi\n"));
 * // Sockets accepted by a plain TCP server, served by the HTTP server.
 * const tcp = net.createServer((socket) => http._connectionListener.call(server, socket));
 * tcp.listen(0, () => tcp.close());
 * ```
 */
export function connectionListener(this: Server, socket: Duplex): void {
  new ServerConnection(this, socket);
}

/**
 * Creates an HTTP server (Node's `http.createServer`).
 *
 * @example
 * ```ts
 * const server = createServer({ keepAliveTimeout: 1000 }, (req, res) => res.end("ok"));
 * ```
 */
export function createServer(
  options?: ServerOptions | RequestListener | null,
  listener?: RequestListener,
): Server {
  return new Server(options, listener);
}
