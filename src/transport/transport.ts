/**
 * The abstract byte stream every HTTP connection runs over.
 *
 * It is synchronous and push-based: the adapter calls the handler's callbacks
 * as bytes and events arrive; the owner calls `write`/`end`/`destroy`/`pause`/
 * `resume`. Adapters move bytes only; they never look at HTTP.
 *
 * @module
 */

/** Callbacks an adapter calls. Exactly one handler is installed at a time. */
export interface TransportHandler {
  /** Bytes arrived. The chunk belongs to the receiver; the adapter never reuses it. */
  onData(chunk: Uint8Array): void;
  /** The write queue fell below the high-water mark after `write()` returned false. */
  onDrain(): void;
  /** The peer half-closed its side (FIN). No more `onData` follows. */
  onEnd(): void;
  /** The stream is gone. `error` is set when it closed because of an error (ECONNRESET, EPIPE, ...). Called once. */
  onClose(error: Error | null): void;
  /** Client side only: the connection is established. */
  onConnect?(): void;
}

/** Callback of a write: called once the bytes were handed to the OS, or with the error that lost them. */
export type WriteCallback = (error?: Error | null) => void;

/** A connected byte stream (TCP, unix socket, in-memory pair or a wrapped Duplex). */
export interface Transport {
  /** Install the handler that receives this stream's callbacks (replaces the previous one). */
  setHandler(handler: TransportHandler): void;
  /** Queue bytes. Returns false when the queue is past the high-water mark: wait for `onDrain`. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean;
  /**
   * Queue several chunks as one write (Node: one `writev`; elsewhere one
   * buffer or the fewest writes the runtime allows); `callback` follows the
   * last. Returns as `write`. Optional: callers write the chunks one by one
   * when a transport has none.
   */
  writev?(chunks: readonly Uint8Array[], callback?: WriteCallback): boolean;
  /**
   * True when each write reaches a user's stream as a call of its own (a
   * wrapped Duplex): the HTTP layer then also makes the empty write that
   * carries a message's last callback, as Node's does on such a stream.
   */
  readonly showsWrites?: boolean;
  /** Flush what is queued, then half-close (FIN). */
  end(callback?: () => void): void;
  /** Close now, dropping what is queued. `onClose` follows (with `error` when given). */
  destroy(error?: Error): void;
  /** Stop calling `onData` until `resume()`. */
  pause(): void;
  /** Undo `pause()`. */
  resume(): void;
  /** TCP_NODELAY where the runtime offers it; otherwise a no-op. */
  setNoDelay(noDelay: boolean): void;
  /** SO_KEEPALIVE where the runtime offers it; otherwise a no-op. */
  setKeepAlive(enable: boolean, initialDelayMs: number): void;
  /** Let this stream keep the process alive (default). */
  ref(): void;
  /** Do not let this stream alone keep the process alive. */
  unref(): void;
  /** True until the client-side connection is established. */
  readonly connecting: boolean;
  /** True once `destroy()` was called or the stream closed. */
  readonly destroyed: boolean;
  /** Bytes queued but not yet handed to the OS. */
  readonly writableLength: number;
  /**
   * True from a `write()` that returned false until the `onDrain` after it:
   * the adapter's own high-water mark, which the owner's may differ from.
   */
  readonly writableNeedDrain: boolean;
  /** Total bytes received. */
  readonly bytesRead: number;
  /** Total bytes handed to the OS. */
  readonly bytesWritten: number;
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  /** `'IPv4'`, `'IPv6'`, or undefined for unix sockets and in-memory streams. */
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
}

/** Where to listen: a TCP port/host or a unix socket path. */
export interface ListenOptions {
  port?: number;
  host?: string;
  path?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  /** SO_REUSEPORT where the runtime has it. */
  reusePort?: boolean;
}

/** What `address()` of a TCP listener returns, as in Node. */
export interface AddressInfo {
  address: string;
  family: string;
  port: number;
}

/** A listening socket. */
export interface TransportServer {
  /** `AddressInfo` for TCP, the path for a unix socket, null once closed. */
  address(): AddressInfo | string | null;
  /** Stop accepting. Existing transports stay open. */
  close(): void;
  ref(): void;
  unref(): void;
}

/** Callbacks of `listen()`. */
export interface ListenCallbacks {
  onConnection(transport: Transport): void;
  onListening(): void;
  /** Listening failed (EADDRINUSE, EACCES, ...), as a Node-style error with `code`, `syscall`, `address`, `port`. */
  onError(error: Error): void;
  /**
   * The listening socket is released after `close()` (its accept loop has
   * ended): new connections are refused from now on. Every adapter calls it.
   */
  onClose?(): void;
}

/** Where to connect: TCP host/port (with Node's net.connect options) or a unix socket path. */
export interface ConnectOptions {
  host?: string;
  port?: number;
  path?: string;
  family?: number;
  localAddress?: string;
  localPort?: number;
  hints?: number;
  lookup?: (
    hostname: string,
    options: { family?: number; hints?: number; all?: boolean },
    callback: (
      err: Error | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void,
  ) => void;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

/** One runtime's way of opening byte streams. */
export interface Runtime {
  /** Which runtime's sockets this is; `"memory"` for `createMemoryNetwork()`. */
  readonly name: "node" | "deno" | "bun" | "memory";
  listen(options: ListenOptions, callbacks: ListenCallbacks): TransportServer;
  /**
   * Start connecting and return at once (`connecting` is true). The handler's
   * `onConnect` is called when connected; `onClose(error)` when it failed.
   * Writes made before that are queued.
   */
  connect(options: ConnectOptions, handler: TransportHandler): Transport;
}
