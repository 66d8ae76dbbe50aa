/**
 * In-memory transports: a connected pair (`createMemoryPair`) and a whole
 * in-memory network (`createMemoryNetwork`, a `Runtime`) so the HTTP stack can
 * run without sockets, deterministically, on every runtime.
 *
 * Semantics follow TCP closely enough for HTTP:
 * - bytes written on one side arrive on the other in a later microtask, in
 *   order, in the chunks they were written (each chunk is copied on write);
 * - a side's writes wait in its queue while the reader is paused; `write()`
 *   returns false once the queue holds `highWaterMark` bytes or more and
 *   `onDrain` follows when the reader has taken it below again. Write
 *   callbacks run when the reader has been handed the bytes;
 * - `end()` sends a FIN after the queued bytes (peer `onEnd`); the stream
 *   closes (`onClose(null)` on both sides) once both sides have ended;
 * - `destroy()` closes that side at once and drops its queue. The peer gets
 *   `onClose(ECONNRESET)` if bytes it sent were still unread (TCP's RST),
 *   otherwise a FIN (`onEnd`); a peer that then writes gets `onClose(EPIPE)`,
 *   one that ends closes cleanly.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type {
  AddressInfo,
  ConnectOptions,
  ListenCallbacks,
  ListenOptions,
  Runtime,
  Transport,
  TransportHandler,
  TransportServer,
  WriteCallback,
} from "./transport.ts";
import { FailedServer } from "./failed_server.ts";
import { errnoException } from "./errors.ts";
import { ERR_STREAM_DESTROYED, ERR_STREAM_WRITE_AFTER_END, uvException } from "../core/errors.ts";

const NOOP_HANDLER: TransportHandler = {
  onData(): void {},
  onDrain(): void {},
  onEnd(): void {},
  onClose(): void {},
};

const DEFAULT_HIGH_WATER_MARK = 65536;

function rethrow(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function familyOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.includes(":") ? "IPv6" : "IPv4";
}

/** The end-of-stream marker in a write queue. */
const FIN = 0;

interface QueuedChunk {
  chunk: Uint8Array;
  cb: WriteCallback | undefined;
}

/** One side's address as seen by itself. */
interface Endpoints {
  localAddress: string | undefined;
  localPort: number | undefined;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
}

/** One end of an in-memory connection. */
export class MemoryTransport implements Transport {
  #peer!: MemoryTransport;
  #handler: TransportHandler = NOOP_HANDLER;
  #hwm: number;
  #ends: Endpoints;

  #queue: (QueuedChunk | typeof FIN)[] = [];
  #queueBytes = 0;
  #scheduled = false;
  #needDrain = false;
  #ending = false;
  #finDelivered = false;
  #endCallbacks: (() => void)[] = [];

  #paused = false;
  #readEnded = false;
  #connecting = false;
  #destroyed = false;
  #closed = false;
  #bytesRead = 0;
  #bytesWritten = 0;

  /** @internal Use `createMemoryPair`. */
  constructor(highWaterMark: number, ends: Endpoints) {
    this.#hwm = highWaterMark;
    this.#ends = ends;
  }

  /** @internal Link two ends. */
  static link(a: MemoryTransport, b: MemoryTransport): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** Install the handler. */
  setHandler(handler: TransportHandler): void {
    this.#handler = handler;
  }

  // ---- writing ----

  /** Queue a copy of `chunk` for the peer; false once `highWaterMark` bytes wait. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#destroyed || this.#ending) {
      const err = this.#destroyed ? ERR_STREAM_DESTROYED("write") : ERR_STREAM_WRITE_AFTER_END();
      if (callback) queueMicrotask(() => callback(err));
      return false;
    }
    this.#queue.push({ chunk: chunk.slice(), cb: callback });
    this.#queueBytes += chunk.byteLength;
    this.#schedule();
    if (this.#queueBytes >= this.#hwm) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  /** Send a FIN after what is queued; `callback` once the peer got it. */
  end(callback?: () => void): void {
    if (this.#destroyed) {
      if (callback) queueMicrotask(callback);
      return;
    }
    if (callback) this.#endCallbacks.push(callback);
    if (this.#ending) {
      if (this.#finDelivered) this.#runEndCallbacks();
      return;
    }
    this.#ending = true;
    this.#queue.push(FIN);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#connecting) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  /** Hand queued chunks (and the FIN) to the peer while it is not paused. */
  #flush(): void {
    this.#scheduled = false;
    const peer = this.#peer;
    while (this.#queue.length > 0) {
      const item = this.#queue[0];
      if (peer.#destroyed) {
        // The peer is gone: a FIN completes our side, bytes cannot be delivered.
        if (item === FIN) {
          this.#queue.shift();
          this.#finDelivered = true;
          this.#runEndCallbacks();
          this.#maybeClose();
          continue;
        }
        if (!this.#destroyed) this.#fail(errnoException("EPIPE", "write"));
        return;
      }
      if (peer.#paused) break;
      this.#queue.shift();
      if (item === FIN) {
        this.#finDelivered = true;
        this.#runEndCallbacks();
        peer.#readEnded = true;
        try {
          peer.#handler.onEnd();
        } catch (e) {
          rethrow(e);
        }
        peer.#maybeClose();
        this.#maybeClose();
        continue;
      }
      const len = item.chunk.byteLength;
      this.#queueBytes -= len;
      this.#bytesWritten += len;
      peer.#bytesRead += len;
      try {
        peer.#handler.onData(item.chunk);
      } catch (e) {
        rethrow(e);
      }
      if (item.cb) {
        try {
          item.cb(null);
        } catch (e) {
          rethrow(e);
        }
      }
    }
    if (this.#needDrain && this.#queueBytes < this.#hwm && !this.#destroyed) {
      this.#needDrain = false;
      try {
        this.#handler.onDrain();
      } catch (e) {
        rethrow(e);
      }
    }
  }

  #runEndCallbacks(): void {
    const cbs = this.#endCallbacks;
    this.#endCallbacks = [];
    for (const cb of cbs) queueMicrotask(cb);
  }

  #maybeClose(): void {
    if (this.#readEnded && this.#finDelivered && !this.#destroyed) {
      this.#destroyed = true;
      queueMicrotask(() => this.#emitClose(null));
    }
  }

  // ---- reading ----

  /** Stop receiving: the peer's writes wait in its queue. */
  pause(): void {
    this.#paused = true;
  }

  /** Receive again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (this.#peer.#queue.length > 0) this.#peer.#schedule();
  }

  // ---- closing ----

  /** Close this side now (see the module doc for what the peer sees). */
  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#dropQueue(
      error ??
        ERR_STREAM_DESTROYED("write"),
    );
    const peer = this.#peer;
    if (!peer.#destroyed && !this.#connecting) {
      const unread = peer.#queue.some((item) => item !== FIN);
      if (unread) {
        peer.#fail(errnoException("ECONNRESET", "read"));
      } else if (!this.#finDelivered) {
        this.#ending = true;
        this.#queue.push(FIN);
        this.#schedule();
      }
    }
    // As with a real socket, 'close' comes on a later turn of the event loop,
    // after the stream events already scheduled (a request's 'end', ...).
    setImmediate(() => this.#emitClose(error ?? null));
  }

  #fail(error: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#dropQueue(error);
    queueMicrotask(() => this.#emitClose(error));
  }

  #dropQueue(error: Error): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#queueBytes = 0;
    for (const item of queue) {
      if (item !== FIN && item.cb) {
        const cb = item.cb;
        queueMicrotask(() => cb(error));
      }
    }
    this.#runEndCallbacks();
  }

  #emitClose(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#handler.onClose(error);
    } catch (e) {
      rethrow(e);
    }
  }

  // ---- connecting (memory network) ----

  /** @internal Mark as connecting (client side of the memory network). */
  _startConnecting(): void {
    this.#connecting = true;
  }

  /** @internal The connection was accepted. */
  _connected(): void {
    this.#connecting = false;
    if (this.#destroyed) return;
    try {
      this.#handler.onConnect?.();
    } catch (e) {
      rethrow(e);
    }
    if (this.#queue.length > 0) this.#schedule();
  }

  /** @internal The connection was refused. */
  _refused(error: Error): void {
    this.#connecting = false;
    this.#fail(error);
  }

  // ---- options and state ----

  /** No-op (nothing to delay in memory). */
  setNoDelay(_noDelay: boolean): void {}

  /** No-op. */
  setKeepAlive(_enable: boolean, _initialDelayMs: number): void {}

  /** No-op: in-memory streams never keep the process alive. */
  ref(): void {}

  /** No-op. */
  unref(): void {}

  /** True until a memory-network connection is accepted. */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True once destroyed or closed. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Bytes queued and not yet taken by the peer. */
  get writableLength(): number {
    return this.#queueBytes;
  }

  /** A write returned false and `onDrain` has not followed yet. */
  get writableNeedDrain(): boolean {
    return this.#needDrain;
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes the peer took. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** The fake peer address. */
  get remoteAddress(): string | undefined {
    return this.#ends.remoteAddress;
  }

  /** The fake peer port. */
  get remotePort(): number | undefined {
    return this.#ends.remotePort;
  }

  /** Derived from `remoteAddress`. */
  get remoteFamily(): string | undefined {
    return familyOf(this.#ends.remoteAddress);
  }

  /** The fake local address. */
  get localAddress(): string | undefined {
    return this.#ends.localAddress;
  }

  /** The fake local port. */
  get localPort(): number | undefined {
    return this.#ends.localPort;
  }
}

/** Options of `createMemoryPair`. Addresses are the first transport's view. */
export interface MemoryPairOptions {
  /** Queue size past which `write()` returns false. Default 65536. */
  highWaterMark?: number;
  /** Default `'127.0.0.1'`. */
  localAddress?: string;
  /** Default: a fresh fake port. */
  localPort?: number;
  /** Default `'127.0.0.1'`. */
  remoteAddress?: string;
  /** Default: a fresh fake port. */
  remotePort?: number;
  /** Like a unix socket: no addresses or ports. */
  unix?: boolean;
}

let nextFakePort = 40000;
function fakePort(): number {
  nextFakePort = nextFakePort >= 65000 ? 40000 : nextFakePort + 1;
  return nextFakePort;
}

/**
 * Two connected in-memory transports.
 *
 * @example
 * ```ts
 * const [a, b] = createMemoryPair();
 * b.setHandler({ onData: (c) => console.log(new TextDecoder().decode(c)), onDrain() {}, onEnd() {}, onClose() {} });
 * a.write(new TextEncoder().encode("hello")); // b logs "hello" in a microtask
 * ```
 */
export function createMemoryPair(
  options: MemoryPairOptions = {},
): [MemoryTransport, MemoryTransport] {
  const hwm = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  const unix = options.unix === true;
  const la = unix ? undefined : options.localAddress ?? "127.0.0.1";
  const lp = unix ? undefined : options.localPort ?? fakePort();
  const ra = unix ? undefined : options.remoteAddress ?? "127.0.0.1";
  const rp = unix ? undefined : options.remotePort ?? fakePort();
  const a = new MemoryTransport(hwm, {
    localAddress: la,
    localPort: lp,
    remoteAddress: ra,
    remotePort: rp,
  });
  const b = new MemoryTransport(hwm, {
    localAddress: ra,
    localPort: rp,
    remoteAddress: la,
    remotePort: lp,
  });
  MemoryTransport.link(a, b);
  return [a, b];
}

interface MemoryListener {
  callbacks: ListenCallbacks;
  host: string;
  port: number;
  path: string | undefined;
}

class MemoryServer implements TransportServer {
  readonly #network: Map<string, MemoryListener>;
  readonly #key: string;
  readonly #listener: MemoryListener;
  #closed = false;

  constructor(network: Map<string, MemoryListener>, key: string, listener: MemoryListener) {
    this.#network = network;
    this.#key = key;
    this.#listener = listener;
    network.set(key, listener);
    queueMicrotask(() => {
      if (!this.#closed) listener.callbacks.onListening();
    });
  }

  address(): AddressInfo | string | null {
    if (this.#closed) return null;
    const l = this.#listener;
    if (l.path !== undefined) return l.path;
    return { address: l.host, family: familyOf(l.host) ?? "IPv4", port: l.port };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#network.delete(this.#key);
    const onClose = this.#listener.callbacks.onClose;
    if (onClose) queueMicrotask(() => onClose());
  }

  ref(): void {}
  unref(): void {}
}

/** Options of `createMemoryNetwork`. */
export interface MemoryNetworkOptions {
  /** High-water mark of every connection's transports. Default 65536. */
  highWaterMark?: number;
}

/**
 * A private in-memory network as a `Runtime`: `listen({ port })` or
 * `listen({ path })` registers a listener, `connect` reaches it (any host
 * reaches a port; `ECONNREFUSED`/`ENOENT` when nothing listens,
 * `EADDRINUSE` when listening twice). Port 0 picks a free fake port.
 *
 * @example
 * ```ts
 * const net = createMemoryNetwork();
 * net.listen({ port: 80 }, { onConnection(t) {}, onListening() {}, onError() {} });
 * const client = net.connect({ host: "localhost", port: 80 }, handler);
 * ```
 */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): Runtime {
  const hwm = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
  const listeners = new Map<string, MemoryListener>();
  let nextPort = 30000;

  return {
    name: "memory",

    listen(opts: ListenOptions, callbacks: ListenCallbacks): TransportServer {
      if (opts.path !== undefined) {
        const key = `unix:${opts.path}`;
        if (listeners.has(key)) {
          const err = uvException({
            code: "EADDRINUSE",
            syscall: "listen",
            address: opts.path,
            port: -1,
          });
          queueMicrotask(() => callbacks.onError(err));
          return new FailedServer();
        }
        return new MemoryServer(listeners, key, {
          callbacks,
          host: "",
          port: 0,
          path: opts.path,
        });
      }
      const host = opts.host ?? "::";
      let port = opts.port ?? 0;
      if (port === 0) {
        while (listeners.has(`tcp:${nextPort}`)) nextPort++;
        port = nextPort++;
      }
      const key = `tcp:${port}`;
      if (listeners.has(key)) {
        const err = uvException({
          code: "EADDRINUSE",
          syscall: "listen",
          address: host,
          port: port,
        });
        queueMicrotask(() => callbacks.onError(err));
        return new FailedServer();
      }
      return new MemoryServer(listeners, key, { callbacks, host, port, path: undefined });
    },

    connect(opts: ConnectOptions, handler: TransportHandler): Transport {
      const unix = opts.path !== undefined;
      const port = opts.port ?? 80;
      let host = opts.host ?? "localhost";
      if (host === "localhost") host = "127.0.0.1";
      const [client, server] = createMemoryPair({
        highWaterMark: hwm,
        unix,
        localAddress: familyOf(host) === "IPv6" ? "::1" : "127.0.0.1",
        remoteAddress: host,
        remotePort: port,
      });
      client.setHandler(handler);
      client._startConnecting();
      queueMicrotask(() => {
        if (client.destroyed) return;
        const listener = listeners.get(unix ? `unix:${opts.path}` : `tcp:${port}`);
        if (!listener) {
          client._refused(
            unix
              ? errnoException("ENOENT", "connect", opts.path)
              : errnoException("ECONNREFUSED", "connect", host, port),
          );
          return;
        }
        try {
          listener.callbacks.onConnection(server);
        } catch (e) {
          rethrow(e);
        }
        client._connected();
      });
      return client;
    },
  };
}
