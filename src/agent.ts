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

function nullObject<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
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
  options: AgentOptions;
  /** Queues of requests waiting for a socket, by `getName()`. */
  requests: RequestPool;
  /** Sockets in use, by `getName()`. */
  sockets: Pool;
  /** Idle pooled sockets, by `getName()`. */
  freeSockets: Pool;
  /** Initial delay of TCP keep-alive on pooled sockets. */
  keepAliveMsecs: number;
  /** Whether idle sockets are kept for reuse. */
  keepAlive: boolean;
  /** Max sockets per origin. */
  maxSockets: number;
  /** Max idle sockets per origin. */
  maxFreeSockets: number;
  /** 'lifo' or 'fifo'. */
  scheduling: "fifo" | "lifo";
  /** Max sockets over all origins. */
  maxTotalSockets: number;
  /** Number of sockets the agent currently owns (busy and free). */
  totalSocketCount: number;

  /** Creates an agent; see `AgentOptions`. */
  constructor(options?: AgentOptions) {
    super();
    const opts = Object.assign(Object.create(null), options) as AgentOptions;
    if (opts.noDelay === undefined) opts.noDelay = true;
    // Never let an inherited `path` make the connection look like a unix socket.
    (opts as { path: string | null }).path = null;
    this.options = opts;
    this.requests = nullObject();
    this.sockets = nullObject();
    this.freeSockets = nullObject();
    this.keepAliveMsecs = opts.keepAliveMsecs || 1000;
    this.keepAlive = opts.keepAlive || false;
    this.maxSockets = opts.maxSockets || Agent.defaultMaxSockets;
    this.maxFreeSockets = opts.maxFreeSockets || 256;
    this.scheduling = opts.scheduling || "lifo";
    this.totalSocketCount = 0;
    if (this.scheduling !== "fifo" && this.scheduling !== "lifo") {
      throw ERR_INVALID_ARG_VALUE(
        "scheduling",
        this.scheduling,
        "must be one of: 'fifo', 'lifo'",
      );
    }
    const maxTotal = opts.maxTotalSockets;
    if (maxTotal !== undefined) {
      if (typeof maxTotal !== "number") {
        throw ERR_INVALID_ARG_TYPE("maxTotalSockets", "number", maxTotal);
      }
      if (!(maxTotal >= 1)) throw ERR_OUT_OF_RANGE("maxTotalSockets", ">= 1", maxTotal);
      this.maxTotalSockets = maxTotal;
    } else {
      this.maxTotalSockets = Infinity;
    }
    this.on("free", (socket: AgentSocket, options: AgentOptions) => {
      this.onFree(socket, options);
    });
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
    const opts = Object.assign(Object.create(null), options, this.options) as AgentOptions;
    if (opts.socketPath) opts.path = opts.socketPath;
    const name = this.getName(opts);
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
      this.createSocket(req, opts, (err, s) => {
        if (err) req.onSocket(s, err);
        else this.setRequestSocket(req, s!);
      });
    } else {
      if (!this.requests[name]) this.requests[name] = [];
      (req as unknown as Record<symbol, unknown>)[kRequestOptions] = opts;
      this.requests[name].push(req);
    }
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
   * `timeout`, shortened by a server `Keep-Alive: timeout=N` hint minus one
   * second). Returning false destroys the socket instead.
   */
  keepSocketAlive(socket: AgentSocket): boolean {
    socket.setKeepAlive?.(true, this.keepAliveMsecs);
    socket.unref?.();
    let timeout = this.options.timeout || 0;
    let keep = true;
    const hint = socket._httpMessage?.res?.headers?.["keep-alive"];
    if (typeof hint === "string") {
      const m = /^timeout=(\d+)/.exec(hint);
      if (m) {
        let serverTimeout = parseInt(m[1], 10) * 1000 - 1000;
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
    const name = this.getName(options);
    const sets: Pool[] = [this.sockets];
    if (!socket.writable) sets.push(this.freeSockets);
    for (const set of sets) {
      const list = set[name];
      if (!list) continue;
      const i = list.indexOf(socket);
      if (i !== -1) {
        list.splice(i, 1);
        if (list.length === 0) delete set[name];
      }
    }
    let req: AgentRequest | undefined;
    let reqOptions: AgentOptions | undefined = options;
    const queue = this.requests[name];
    if (queue && queue.length) {
      req = queue[0];
    } else {
      for (const key of Object.keys(this.requests)) {
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
    const name = this.getName(options);
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
    socket.once("error", freeSocketErrorListener);
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
