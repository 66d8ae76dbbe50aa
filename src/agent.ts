/**
 * `http.Agent`: connection pooling for the client, with Node 20's semantics
 * (keep-alive pools keyed by `getName()`, `maxSockets` / `maxTotalSockets`
 * queueing, `maxFreeSockets`, lifo/fifo scheduling, free-socket timeouts and
 * the server's `Keep-Alive: timeout=N` hint).
 *
 * @module
 */

import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { createConnection as netCreateConnection } from "./client_connect.ts";
import type { ClientConnectOptions } from "./client_connect.ts";
import { ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ERR_OUT_OF_RANGE } from "./core/errors.ts";

/** Options of `new Agent()`; connection options of `net.connect()` are accepted too. */
export interface AgentOptions extends ClientConnectOptions {
  /** Keep sockets around for future requests. Default: false. */
  keepAlive?: boolean;
  /** Initial delay of TCP keep-alive probes on pooled sockets. Default: 1000. */
  keepAliveMsecs?: number;
  /** Max sockets per origin. Default: Infinity. */
  maxSockets?: number;
  /** Max sockets over all origins. Default: Infinity. */
  maxTotalSockets?: number;
  /** Max free sockets kept per origin. Default: 256. */
  maxFreeSockets?: number;
  /** Which free socket to pick: the most ('lifo', default) or least ('fifo') recently used. */
  scheduling?: "fifo" | "lifo";
  /** Socket idle timeout in milliseconds, set when a socket is created. */
  timeout?: number;
  /**
   * Ms taken off a server's `Keep-Alive: timeout=N` hint to get the idle
   * timeout of a pooled socket (default 1000, the margin Node 20 always used;
   * option added in Node 24.7). A negative or non-finite value means the default.
   */
  agentKeepAliveTimeoutBuffer?: number;
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

/** What a socket handed to the agent looks like: a Duplex, usually our `Socket`. */
export type AgentSocket = Duplex & {
  setKeepAlive?(enable?: boolean, initialDelay?: number): unknown;
  setTimeout?(ms: number, cb?: () => void): unknown;
  ref?(): unknown;
  unref?(): unknown;
  timeout?: number;
  // deno-lint-ignore no-explicit-any
  _httpMessage?: any;
};

/** The request side the agent talks to (a `ClientRequest`). */
export interface AgentRequest {
  /** Hand a socket (or an error) to the request. */
  onSocket(socket: AgentSocket | undefined, err?: Error | null): void;
  /** Whether the request wants its connection kept alive. */
  shouldKeepAlive: boolean;
  /** Set when the request goes over a pooled socket. */
  reusedSocket: boolean;
  /** The request's own timeout option, if any. */
  timeout?: number;
  /** Reads an outgoing header (the Host header is checked). */
  getHeader?(name: string): unknown;
}

/** Callback of `createConnection`. */
export type CreateConnectionCallback = (err: Error | null, socket?: AgentSocket) => void;

const kRequestOptions = Symbol("anyhttp.agentRequestOptions");
const kAgentListeners = Symbol("anyhttp.agentListeners");

type Pool = Record<string, AgentSocket[]>;
type RequestPool = Record<string, AgentRequest[]>;

function freeSocketErrorListener(this: AgentSocket, _err: Error): void {
  // A pooled socket failed while idle: it closes; the agent drops it on 'close'.
  this.destroy();
}

/** `{ __proto__: null, ...options, ...agentOptions }`, with `path` taken from `socketPath`. */
function mergeOptions(options: AgentOptions, agentOptions: AgentOptions): AgentOptions {
  const opts = Object.assign(Object.create(null), options, agentOptions) as AgentOptions;
  if (opts.socketPath) opts.path = opts.socketPath;
  return opts;
}

/**
 * `res.headers["keep-alive"]` as far as `/^timeout=(\d+)/` can tell: the first
 * `Keep-Alive` value of the raw headers (duplicates are joined after it), so
 * the header object is not built for the agent alone.
 */
function keepAliveHeader(res: unknown): unknown {
  if (res === null || typeof res !== "object") return undefined;
  const r = res as {
    rawHeaders?: unknown;
    _headersCache?: unknown;
    headers?: Record<string, unknown>;
  };
  const raw = r.rawHeaders;
  if (r._headersCache !== null || !Array.isArray(raw)) return r.headers?.["keep-alive"];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (
      typeof name === "string" && name.length === 10 && (name.charCodeAt(0) | 0x20) === 0x6b &&
      name.toLowerCase() === "keep-alive"
    ) {
      return raw[i + 1];
    }
  }
  return undefined;
}

/** Takes `socket` out of `pool[name]`, dropping the list when it empties. */
function removeFromPool(pool: Pool, name: string, socket: AgentSocket): void {
  const list = pool[name];
  if (!list) return;
  const i = list.indexOf(socket);
  if (i === -1) return;
  if (i === list.length - 1) list.pop();
  else list.splice(i, 1);
  if (list.length === 0) delete pool[name];
}

/**
 * The seconds of a `Keep-Alive` value starting with `timeout=<digits>`
 * (`/^timeout=(\d+)/`), or -1.
 */
function keepAliveTimeout(hint: string): number {
  // Servers send the same value every time.
  if (hint === lastHint) return lastHintSeconds;
  const seconds = parseKeepAliveTimeout(hint);
  lastHint = hint;
  lastHintSeconds = seconds;
  return seconds;
}

let lastHint = "";
let lastHintSeconds = -1;

function parseKeepAliveTimeout(hint: string): number {
  if (!hint.startsWith("timeout=")) return -1;
  let end = 8;
  while (end < hint.length) {
    const c = hint.charCodeAt(end);
    if (c < 48 || c > 57) break;
    end++;
  }
  return end === 8 ? -1 : parseInt(hint.slice(8, end), 10);
}

function nullObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The constructor's work on `agent`: options, pools, limits and the 'free' listener. */
function initAgent(agent: Agent, options?: AgentOptions): void {
  const opts = Object.assign(Object.create(null), options) as AgentOptions;
  if (opts.noDelay === undefined) opts.noDelay = true;
  // Never let an inherited `path` make the connection look like a unix socket.
  (opts as { path: string | null }).path = null;
  agent.options = opts;
  agent.requests = nullObject();
  agent.sockets = nullObject();
  agent.freeSockets = nullObject();
  agent.keepAliveMsecs = opts.keepAliveMsecs || 1000;
  agent.keepAlive = opts.keepAlive || false;
  agent.maxSockets = opts.maxSockets || Agent.defaultMaxSockets;
  agent.maxFreeSockets = opts.maxFreeSockets || 256;
  agent.scheduling = opts.scheduling || "lifo";
  agent.totalSocketCount = 0;
  const buffer = opts.agentKeepAliveTimeoutBuffer;
  agent.agentKeepAliveTimeoutBuffer =
    typeof buffer === "number" && buffer >= 0 && Number.isFinite(buffer) ? buffer : 1000;
  if (agent.scheduling !== "fifo" && agent.scheduling !== "lifo") {
    throw ERR_INVALID_ARG_VALUE(
      "scheduling",
      agent.scheduling,
      "must be one of: 'fifo', 'lifo'",
    );
  }
  const maxTotal = opts.maxTotalSockets;
  if (maxTotal !== undefined) {
    if (typeof maxTotal !== "number") {
      throw ERR_INVALID_ARG_TYPE("maxTotalSockets", "number", maxTotal);
    }
    if (!(maxTotal >= 1)) throw ERR_OUT_OF_RANGE("maxTotalSockets", ">= 1", maxTotal);
    agent.maxTotalSockets = maxTotal;
  } else {
    agent.maxTotalSockets = Infinity;
  }
  // onFree is private to the class; this function does the constructor's work.
  const owner = agent as unknown as { onFree(s: AgentSocket, o: AgentOptions): void };
  agent.on("free", (socket: AgentSocket, options: AgentOptions) => {
    owner.onFree(socket, options);
  });
}

/** The pool key of a socket's options (cached by `createSocket` as `_agentKey`). */
function nameOf(agent: Agent, options: AgentOptions): string {
  const key = options._agentKey;
  return typeof key === "string" && agent.getName === agentGetName ? key : agent.getName(options);
}

/**
 * Sets up `self`, an object made by a pre-class subclass (a function whose
 * prototype inherits `Agent.prototype`, calling `Agent.call(this, options)`),
 * as the constructor would have: Node's `Agent` is such a function and takes
 * its `this`.
 */
export function initLegacyAgent(self: Agent, options?: AgentOptions): void {
  (EventEmitter as unknown as (this: unknown) => void).call(self);
  self.defaultPort = 80;
  self.protocol = "http:";
  initAgent(self, options);
}

/**
 * Manages connection persistence and reuse for HTTP clients.
 *
 * @example
 * ```ts
 * import { Agent, get } from "./mod.ts";
 * const agent = new Agent({ keepAlive: true, maxSockets: 4 });
 * get({ host: "127.0.0.1", port: 8080, agent }, (res) => res.resume());
 * ```
 */
export class Agent extends EventEmitter {
  /** Infinity, as in Node; used when `maxSockets` is not given. */
  static defaultMaxSockets: number = Infinity;

  /** Default port of the protocol (80). */
  defaultPort: number = 80;
  /** The protocol this agent serves ('http:'). */
  protocol: string = "http:";
  /** The options given to the constructor (null prototype), plus `noDelay` and `path: null`. */
  options!: AgentOptions;
  /** Queues of requests waiting for a socket, by `getName()`. */
  requests!: RequestPool;
  /** Sockets in use, by `getName()`. */
  sockets!: Pool;
  /** Idle pooled sockets, by `getName()`. */
  freeSockets!: Pool;
  /** Initial delay of TCP keep-alive on pooled sockets. */
  keepAliveMsecs!: number;
  /** Whether idle sockets are kept for reuse. */
  keepAlive!: boolean;
  /** Max sockets per origin. */
  maxSockets!: number;
  /** Max idle sockets per origin. */
  maxFreeSockets!: number;
  /** 'lifo' or 'fifo'. */
  scheduling!: "fifo" | "lifo";
  /** Max sockets over all origins. */
  maxTotalSockets!: number;
  /** Number of sockets the agent currently owns (busy and free). */
  totalSocketCount!: number;
  /** See {@link AgentOptions.agentKeepAliveTimeoutBuffer}. */
  agentKeepAliveTimeoutBuffer!: number;

  /** Creates an agent; see `AgentOptions`. */
  constructor(options?: AgentOptions) {
    super();
    initAgent(this, options);
  }

  /**
   * Produces the socket for a request. Same as `net.createConnection()` by
   * default; subclasses may override it (return a Duplex, or pass it to `callback`).
   */
  createConnection(options: AgentOptions, callback?: CreateConnectionCallback): AgentSocket | void {
    void callback;
    return netCreateConnection(options) as AgentSocket;
  }

  /**
   * The pool key of a set of request options:
   * `host:port:localAddress[:family][:socketPath]`.
   */
  getName(options?: {
    host?: string;
    port?: number | string;
    localAddress?: string;
    family?: number;
    socketPath?: string;
  }): string {
    const o = options || {};
    let name = (o.host || "localhost") + ":";
    if (o.port) name += o.port;
    name += ":";
    if (o.localAddress) name += o.localAddress;
    if (o.family === 4 || o.family === 6) name += ":" + o.family;
    if (o.socketPath) name += ":" + o.socketPath;
    return name;
  }

  /**
   * Give `req` a socket: a free pooled one, a new one, or a place in the queue.
   * The legacy form `addRequest(req, host, port, localAddress)` is accepted too.
   */
  addRequest(
    req: AgentRequest,
    options: AgentOptions | string,
    port?: number,
    localAddress?: string,
  ): void {
    if (typeof options === "string") {
      options = { host: options, port, localAddress } as AgentOptions;
    }
    // Like Node (which derives the TLS servername from it), a Host header must be a string.
    const hostHeader = req.getHeader?.("host");
    if (hostHeader && typeof hostHeader !== "string") {
      throw ERR_INVALID_ARG_TYPE("options.headers.host", "string", hostHeader);
    }
    // The merged options are only needed to create a socket or to queue: a
    // request served from the pool needs just the pool key.
    let opts: AgentOptions | null = null;
    // (An agent set up by a legacy subclass through `Agent.call(this)` has no
    // private cache: it takes the general path.)
    let name = this.getName === agentGetName && #lastName in this ? this.#fastName(options) : null;
    if (name === null) {
      opts = mergeOptions(options, this.options);
      name = this.getName(opts);
    }
    if (!this.sockets[name]) this.sockets[name] = [];

    const free = this.freeSockets[name];
    let socket: AgentSocket | undefined;
    if (free) {
      while (free.length && free[0].destroyed) free.shift();
      socket = this.scheduling === "fifo" ? free.shift() : free.pop();
      if (!free.length) delete this.freeSockets[name];
    }
    const freeLen = free ? free.length : 0;
    const sockLen = freeLen + this.sockets[name].length;

    if (socket) {
      this.reuseSocket(socket, req);
      this.setRequestSocket(req, socket);
      this.sockets[name].push(socket);
    } else if (sockLen < this.maxSockets && this.totalSocketCount < this.maxTotalSockets) {
      this.createSocket(req, opts ?? mergeOptions(options, this.options), (err, s) => {
        if (err) req.onSocket(s, err);
        else this.setRequestSocket(req, s!);
      });
    } else {
      if (!this.requests[name]) this.requests[name] = [];
      (req as unknown as Record<symbol, unknown>)[kRequestOptions] = opts ??
        mergeOptions(options, this.options);
      this.requests[name].push(req);
    }
  }

  /** Last pool key built by `#fastName` and what it was built from. */
  #lastName = "";
  #lastHost: unknown = undefined;
  #lastPort: unknown = undefined;
  #lastLocalAddress: unknown = undefined;
  #lastFamily: unknown = undefined;
  #lastSocketPath: unknown = undefined;

  /**
   * `getName()` of `options` merged with the agent's options, without merging
   * them: for a null-prototype `options` (what `ClientRequest` passes), else
   * null. Repeated requests to one origin get the same string back.
   */
  #fastName(options: AgentOptions): string | null {
    if (Object.getPrototypeOf(options) !== null) return null;
    const own = this.options;
    const host = "host" in own ? own.host : options.host;
    const port = "port" in own ? own.port : options.port;
    const localAddress = "localAddress" in own ? own.localAddress : options.localAddress;
    const family = "family" in own ? own.family : options.family;
    const socketPath = "socketPath" in own ? own.socketPath : options.socketPath;
    if (
      host === this.#lastHost && port === this.#lastPort &&
      localAddress === this.#lastLocalAddress && family === this.#lastFamily &&
      socketPath === this.#lastSocketPath && this.#lastName !== ""
    ) {
      return this.#lastName;
    }
    const name = this.getName({ host, port, localAddress, family, socketPath });
    this.#lastHost = host;
    this.#lastPort = port;
    this.#lastLocalAddress = localAddress;
    this.#lastFamily = family;
    this.#lastSocketPath = socketPath;
    this.#lastName = name;
    return name;
  }

  /** Create a new socket for `req` through `createConnection` and register it. */
  createSocket(req: AgentRequest, options: AgentOptions, cb: CreateConnectionCallback): void {
    void req;
    const opts = Object.assign(Object.create(null), options, this.options) as AgentOptions;
    if (opts.socketPath) opts.path = opts.socketPath;
    const name = this.getName(opts);
    opts._agentKey = name;
    opts.encoding = null;
    let done = false;
    const oncreate: CreateConnectionCallback = (err, s) => {
      if (done) return;
      done = true;
      if (err) {
        cb(err);
        return;
      }
      if (!this.sockets[name]) this.sockets[name] = [];
      this.sockets[name].push(s!);
      this.totalSocketCount++;
      this.installListeners(s!, opts);
      cb(null, s);
    };
    if (this.keepAlive) {
      opts.keepAlive = this.keepAlive;
      opts.keepAliveInitialDelay = this.keepAliveMsecs;
    }
    let created: AgentSocket | void;
    try {
      created = this.createConnection(opts, oncreate);
    } catch (err) {
      oncreate(err as Error);
      return;
    }
    if (created) oncreate(null, created);
  }

  /**
   * Called when a socket is detached from a request and could be pooled.
   * Enables TCP keep-alive, unrefs it and sets its idle timeout (the agent's
   * `timeout`, shortened by a server `Keep-Alive: timeout=N` hint minus
   * `agentKeepAliveTimeoutBuffer`). Returning false destroys the socket instead.
   */
  keepSocketAlive(socket: AgentSocket): boolean {
    socket.setKeepAlive?.(true, this.keepAliveMsecs);
    socket.unref?.();
    let timeout = this.options.timeout || 0;
    let keep = true;
    const hint = keepAliveHeader(socket._httpMessage?.res);
    if (typeof hint === "string") {
      const seconds = keepAliveTimeout(hint);
      if (seconds !== -1) {
        let serverTimeout = seconds * 1000 - this.agentKeepAliveTimeoutBuffer;
        if (!(serverTimeout > 0)) serverTimeout = 0;
        if (serverTimeout === 0) keep = false;
        else if (serverTimeout < timeout) timeout = serverTimeout;
      }
    }
    if (socket.timeout !== timeout) socket.setTimeout?.(timeout);
    return keep;
  }

  /** Called when a pooled socket is given to `request`: marks it reused and refs it. */
  reuseSocket(socket: AgentSocket, request: AgentRequest): void {
    socket.removeListener("error", freeSocketErrorListener);
    request.reusedSocket = true;
    socket.ref?.();
  }

  /** Destroy every socket of the agent, busy or free. */
  destroy(): void {
    for (const set of [this.freeSockets, this.sockets]) {
      for (const key of Object.keys(set)) {
        for (const s of set[key].slice()) s.destroy();
      }
    }
  }

  /** Remove `socket` from the pools, and start a socket for a queued request if any. */
  removeSocket(socket: AgentSocket, options: AgentOptions): void {
    const name = nameOf(this, options);
    removeFromPool(this.sockets, name, socket);
    if (!socket.writable) removeFromPool(this.freeSockets, name, socket);
    let req: AgentRequest | undefined;
    let reqOptions: AgentOptions | undefined = options;
    const queue = this.requests[name];
    if (queue && queue.length) {
      req = queue[0];
    } else {
      for (const key in this.requests) {
        // Another origin waiting: only if that origin has no busy socket.
        if (this.sockets[key] && this.sockets[key].length) break;
        req = this.requests[key][0];
        reqOptions = (req as unknown as Record<symbol, AgentOptions>)[kRequestOptions];
        break;
      }
    }
    if (req && reqOptions) {
      (req as unknown as Record<symbol, unknown>)[kRequestOptions] = undefined;
      const r = req;
      this.createSocket(r, reqOptions, (err, s) => {
        if (err) r.onSocket(s, err);
        else s!.emit("free");
      });
    }
  }

  private setRequestSocket(req: AgentRequest, socket: AgentSocket): void {
    req.onSocket(socket);
    const agentTimeout = this.options.timeout || 0;
    if (req.timeout === undefined || req.timeout === agentTimeout) return;
    socket.setTimeout?.(req.timeout);
  }

  private onFree(socket: AgentSocket, options: AgentOptions): void {
    const name = nameOf(this, options);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const queue = this.requests[name];
    if (queue && queue.length) {
      const req = queue.shift()!;
      (req as unknown as Record<symbol, unknown>)[kRequestOptions] = undefined;
      if (queue.length === 0) delete this.requests[name];
      this.setRequestSocket(req, socket);
      return;
    }
    const req = socket._httpMessage as AgentRequest | null | undefined;
    if (!req || !req.shouldKeepAlive || !this.keepAlive) {
      socket.destroy();
      return;
    }
    const free = this.freeSockets[name] || [];
    const freeLen = free.length;
    let count = freeLen;
    if (this.sockets[name]) count += this.sockets[name].length;
    if (
      this.totalSocketCount > this.maxTotalSockets ||
      count > this.maxSockets ||
      freeLen >= this.maxFreeSockets ||
      !this.keepSocketAlive(socket)
    ) {
      socket.destroy();
      return;
    }
    this.freeSockets[name] = free;
    socket._httpMessage = null;
    this.removeSocket(socket, options);
    // (A plain listener: `reuseSocket` removes it, and after an error the socket is gone.)
    socket.on("error", freeSocketErrorListener);
    free.push(socket);
  }

  private installListeners(s: AgentSocket, options: AgentOptions): void {
    const onFree = (): void => {
      this.emit("free", s, options);
    };
    const onClose = (): void => {
      // The only place a closed socket leaves the agent.
      this.totalSocketCount--;
      this.removeSocket(s, options);
    };
    const onTimeout = (): void => {
      // Idle pooled sockets die on their timeout; busy ones are the request's business.
      for (const key of Object.keys(this.freeSockets)) {
        if (this.freeSockets[key].includes(s)) {
          s.destroy();
          return;
        }
      }
    };
    const onRemove = (): void => {
      // Upgrade/CONNECT: the socket leaves the pool for good.
      this.totalSocketCount--;
      this.removeSocket(s, options);
      s.removeListener("close", onClose);
      s.removeListener("free", onFree);
      s.removeListener("timeout", onTimeout);
      s.removeListener("agentRemove", onRemove);
    };
    s.on("free", onFree);
    s.on("close", onClose);
    s.on("timeout", onTimeout);
    s.on("agentRemove", onRemove);
    (s as unknown as Record<symbol, unknown>)[kAgentListeners] = true;
  }
}

/** The base `getName`: while a subclass keeps it, pool keys may be computed faster. */
const agentGetName: Agent["getName"] = Agent.prototype.getName;

/** The default agent of `request()`/`get()`: keep-alive, lifo, 5 s idle timeout (Node 19+). */
export const globalAgent: Agent = new Agent({ keepAlive: true, scheduling: "lifo", timeout: 5000 });

let currentGlobalAgent: Agent = globalAgent;

/** The agent `request()` uses when none is given (`http.globalAgent`). */
export function getGlobalAgent(): Agent {
  return currentGlobalAgent;
}

/** Replace the default agent (what assigning `http.globalAgent` does in Node). */
export function setGlobalAgent(agent: Agent): void {
  currentGlobalAgent = agent;
}
