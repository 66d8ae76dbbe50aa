/**
 * The `Runtime` over `node:net`: the native one on Node, and an option on Deno
 * and Bun (both ship a `node:net`). A thin layer: `net.Socket` events become
 * handler calls, calls go straight to the socket. Both sides use
 * `allowHalfOpen: true`: the HTTP layer decides when to end.
 *
 * @module
 */

import * as net from "node:net";
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
import { normalizeSystemError } from "./errors.ts";

const NOOP_HANDLER: TransportHandler = {
  onData(): void {},
  onDrain(): void {},
  onEnd(): void {},
  onClose(): void {},
};

/** A `Transport` over one `net.Socket`. */
export class NodeNetTransport implements Transport {
  /** The wrapped socket. */
  readonly socket: net.Socket;
  #handler: TransportHandler = NOOP_HANDLER;
  #error: Error | null = null;

  /** Wrap `socket` (already connected, or connecting). */
  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Uint8Array) => this.#handler.onData(chunk));
    socket.on("drain", () => this.#handler.onDrain());
    socket.on("end", () => this.#handler.onEnd());
    socket.on("error", (err: Error) => {
      if (this.#error === null) this.#error = normalizeSystemError(err);
    });
    socket.on("close", () => this.#handler.onClose(this.#error));
    socket.on("connect", () => this.#handler.onConnect?.());
  }

  /** Install the handler that receives this socket's callbacks. */
  setHandler(handler: TransportHandler): void {
    this.#handler = handler;
  }

  /** `socket.write(chunk, callback)`. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    return this.socket.write(chunk, callback);
  }

  /** The chunks between `cork()` and `uncork()`: one `writev` system call. */
  writev(chunks: readonly Uint8Array[], callback?: WriteCallback): boolean {
    const s = this.socket;
    const last = chunks.length - 1;
    s.cork();
    for (let i = 0; i < last; i++) s.write(chunks[i]);
    const ret = s.write(chunks[last], callback);
    s.uncork();
    return ret;
  }

  /** `socket.end(callback)`. */
  end(callback?: () => void): void {
    this.socket.end(callback);
  }

  /** `socket.destroy(error)`. */
  destroy(error?: Error): void {
    if (error && this.#error === null) this.#error = error;
    const s = this.socket;
    if (!s.destroyed) {
      // net.Socket caches the peer/local names once read: read them while the
      // handle exists, so addresses stay readable after our own destroy.
      void s.remoteAddress;
      void s.localAddress;
    }
    s.destroy(error);
  }

  /** `socket.pause()`. */
  pause(): void {
    this.socket.pause();
  }

  /** `socket.resume()`. */
  resume(): void {
    this.socket.resume();
  }

  /** `socket.setNoDelay(noDelay)`. */
  setNoDelay(noDelay: boolean): void {
    this.socket.setNoDelay(noDelay);
  }

  /** `socket.setKeepAlive(enable, initialDelayMs)`. */
  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.socket.setKeepAlive(enable, initialDelayMs);
  }

  /** `socket.ref()`. */
  ref(): void {
    this.socket.ref();
  }

  /** `socket.unref()`. */
  unref(): void {
    this.socket.unref();
  }

  /** `socket.connecting`. */
  get connecting(): boolean {
    return this.socket.connecting;
  }

  /** `socket.destroyed`. */
  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  /** `socket.writableLength`. */
  get writableLength(): number {
    return this.socket.writableLength;
  }

  /** `socket.bytesRead`. */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  /** Bytes written out: `socket.bytesWritten` minus what is still queued. */
  get bytesWritten(): number {
    const s = this.socket;
    return Math.max(0, (s.bytesWritten ?? 0) - s.writableLength);
  }

  /** `socket.remoteAddress`. */
  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  /** `socket.remotePort`. */
  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  /** `socket.remoteFamily`. */
  get remoteFamily(): string | undefined {
    return this.socket.remoteFamily;
  }

  /** `socket.localAddress`. */
  get localAddress(): string | undefined {
    return this.socket.localAddress;
  }

  /** `socket.localPort`. */
  get localPort(): number | undefined {
    return this.socket.localPort;
  }
}

class NodeNetServer implements TransportServer {
  readonly #server: net.Server;
  readonly #callbacks: ListenCallbacks;
  #closed = false;
  constructor(server: net.Server, callbacks: ListenCallbacks) {
    this.#server = server;
    this.#callbacks = callbacks;
  }
  address(): AddressInfo | string | null {
    return this.#server.address() as AddressInfo | string | null;
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // net.Server closes its handle at once (its own 'close' waits for the
    // connections, which the HTTP layer tracks itself).
    this.#server.close();
    const onClose = this.#callbacks.onClose;
    if (onClose) queueMicrotask(() => onClose());
  }
  ref(): void {
    this.#server.ref();
  }
  unref(): void {
    this.#server.unref();
  }
}

/**
 * The `node:net` runtime.
 *
 * @example
 * ```ts
 * import { nodeNetRuntime } from "./node_net.ts";
 * const server = nodeNetRuntime.listen({ port: 0, host: "127.0.0.1" }, {
 *   onConnection(t) { t.setHandler({ onData: (d) => t.write(d), onDrain() {}, onEnd: () => t.end(), onClose() {} }); },
 *   onListening() {},
 *   onError(e) { throw e; },
 * });
 * ```
 */
export const nodeNetRuntime: Runtime = {
  name: "node",

  listen(options: ListenOptions, callbacks: ListenCallbacks): TransportServer {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    server.on("connection", (socket: net.Socket) => {
      callbacks.onConnection(new NodeNetTransport(socket));
    });
    server.on("listening", () => callbacks.onListening());
    server.on("error", (err: Error) => callbacks.onError(normalizeSystemError(err)));
    const listenOptions: net.ListenOptions & { reusePort?: boolean } = {};
    if (options.path !== undefined) {
      listenOptions.path = options.path;
    } else {
      listenOptions.port = options.port ?? 0;
      if (options.host !== undefined) listenOptions.host = options.host;
      if (options.ipv6Only !== undefined) listenOptions.ipv6Only = options.ipv6Only;
      if (options.reusePort !== undefined) listenOptions.reusePort = options.reusePort;
    }
    if (options.backlog !== undefined) listenOptions.backlog = options.backlog;
    if (options.exclusive !== undefined) listenOptions.exclusive = options.exclusive;
    server.listen(listenOptions);
    return new NodeNetServer(server, callbacks);
  },

  connect(options: ConnectOptions, handler: TransportHandler): Transport {
    let socket: net.Socket;
    if (options.path !== undefined) {
      socket = net.connect({ path: options.path, allowHalfOpen: true });
    } else {
      const tcp: net.TcpNetConnectOpts = {
        port: options.port ?? 80,
        allowHalfOpen: true,
      };
      if (options.host !== undefined) tcp.host = options.host;
      if (options.family !== undefined) tcp.family = options.family;
      if (options.localAddress !== undefined) tcp.localAddress = options.localAddress;
      if (options.localPort !== undefined) tcp.localPort = options.localPort;
      if (options.hints !== undefined) tcp.hints = options.hints;
      if (options.lookup !== undefined) tcp.lookup = options.lookup as net.LookupFunction;
      if (options.noDelay !== undefined) tcp.noDelay = options.noDelay;
      if (options.keepAlive !== undefined) tcp.keepAlive = options.keepAlive;
      if (options.keepAliveInitialDelay !== undefined) {
        tcp.keepAliveInitialDelay = options.keepAliveInitialDelay;
      }
      socket = net.connect(tcp);
    }
    const transport = new NodeNetTransport(socket);
    transport.setHandler(handler);
    return transport;
  },
};
