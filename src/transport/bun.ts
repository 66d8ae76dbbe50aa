/**
 * The `Runtime` over Bun's own sockets (`Bun.listen`, `Bun.connect`, TCP and
 * unix). Nothing touches the `Bun` global until `listen`/`connect` is called.
 *
 * Bun's `socket.write` is unbuffered: it returns how many bytes the kernel
 * took. The rest is kept here, in order, and re-sent on the `drain` callback;
 * `write()` returns false while anything is kept. Bun hands each `data`
 * callback a fresh Buffer (checked by the transport tests): big chunks are
 * passed on as they are, chunks up to 2 KiB are copied into a shared pool (a
 * view of a fresh Bun buffer, as a body's subarray, costs more than that).
 * Pausing uses Bun's `socket.pause()`/`resume()`; chunks Bun still delivers
 * after `pause()` are held (at most what one read returned) and handed over
 * after `resume()`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { lookup as dnsLookup } from "node:dns";
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
import { nextTickWith } from "../next_tick.ts";
import { nodeNetRuntime } from "./node_net.ts";
import { copyInto, JOIN_LIMIT, writeJoined } from "./join.ts";
import { POOL_MAX, ReadPool } from "./read_pool.ts";
import { codeOf, errnoException } from "./errors.ts";
import {
  dnsException,
  ERR_STREAM_DESTROYED,
  ERR_STREAM_WRITE_AFTER_END,
  uvException,
} from "../core/errors.ts";

interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  shutdown(halfClose?: boolean): void;
  pause?(): void;
  resume?(): void;
  ref(): void;
  unref(): void;
  setNoDelay?(noDelay?: boolean): boolean;
  setKeepAlive?(enable?: boolean, initialDelay?: number): boolean;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteFamily?: string;
  readonly localAddress?: string;
  readonly localPort?: number;
  data: BunTransport | undefined;
}

interface BunSocketHandlers {
  open(s: BunSocket): void;
  data(s: BunSocket, chunk: Uint8Array): void;
  drain(s: BunSocket): void;
  end(s: BunSocket): void;
  close(s: BunSocket, error?: Error): void;
  error(s: BunSocket, error: Error): void;
  connectError?(s: BunSocket, error: Error): void;
}

interface BunListener {
  stop(closeActiveConnections?: boolean): void;
  ref(): void;
  unref(): void;
  readonly port?: number;
  readonly hostname?: string;
  readonly unix?: string;
}

interface BunLike {
  listen(options: Record<string, unknown>): BunListener;
  connect(options: Record<string, unknown>): Promise<BunSocket>;
}

function bun(): BunLike {
  const b = (globalThis as unknown as { Bun?: BunLike }).Bun;
  if (!b) throw new Error("The Bun transport needs the Bun runtime");
  return b;
}

/** `write()` returns false while data waits, or (before connecting) past this many bytes. */
const HIGH_WATER_MARK = 65536;

/**
 * The shared empty list every idle transport points at (an idle connection
 * allocates no arrays): it is swapped for a fresh array before any push.
 */
const NONE: never[] = [];

/** Where small reads are copied to (see `_data`). */
const readPool = new ReadPool((size) => Buffer.allocUnsafeSlow(size));

/** Where `writev` joins chunks (grows up to `JOIN_LIMIT`); see `writev`. */
let scratch: Uint8Array = new Uint8Array(16384);

const NOOP_HANDLER: TransportHandler = {
  onData(): void {},
  onDrain(): void {},
  onEnd(): void {},
  onClose(): void {},
};

/** A write's callback for bytes that went out. */
function callbackOk(cb: WriteCallback): void {
  cb(null);
}

function rethrow(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function familyOf(address: string | undefined): string | undefined {
  if (!address) return undefined;
  return address.includes(":") ? "IPv6" : "IPv4";
}

/** Bun reports `ECONNRESET: connection reset by peer, read`; Node says `read ECONNRESET`. */
function ioError(error: Error): Error {
  const code = codeOf(error);
  if (code === undefined) return error;
  const syscall = (error as { syscall?: unknown }).syscall;
  return errnoException(code, typeof syscall === "string" ? syscall : "read");
}

/** A `Transport` over one Bun socket. */
export class BunTransport implements Transport {
  #sock: BunSocket | null;
  #handler: TransportHandler = NOOP_HANDLER;
  #connecting = false;
  #unix: boolean;

  #paused = false;
  #held: Uint8Array[] = NONE;
  #heldEnd = false;
  #readEnded = false;
  #closeAfterHeld = false;
  #delivering = false;
  #bytesRead = 0;

  #queue: Uint8Array[] = NONE;
  #queueBytes = 0;
  /** Callbacks of queued writes, with the `bytesWritten` total at which they are done. */
  #callbacks: { mark: number; cb: WriteCallback }[] = NONE;
  #needDrain = false;
  #ending = false;
  #writeShut = false;
  #endCallbacks: (() => void)[] = NONE;
  #bytesWritten = 0;

  #destroyed = false;
  #closed = false;
  #error: Error | null = null;
  #refed = true;
  /** Whether Bun's socket holds the event loop now (see `#holdLoop`). */
  #holding = true;
  #noDelay: boolean | undefined;
  #keepAlive: { enable: boolean; delay: number } | undefined;

  /** Wrap an open socket (server side), or `null` for one still connecting. */
  constructor(sock: BunSocket | null, unix = false) {
    this.#sock = sock;
    this.#unix = unix;
  }

  /** Install the handler. */
  setHandler(handler: TransportHandler): void {
    this.#handler = handler;
  }

  // ---- callbacks from Bun ----

  /** @internal Bun's `open`. */
  _open(sock: BunSocket): void {
    this.#sock = sock;
    const wasConnecting = this.#connecting;
    this.#connecting = false;
    if (this.#destroyed) {
      sock.end();
      return;
    }
    if (!this.#refed) {
      this.#holding = false;
      sock.unref();
    }
    if (this.#paused) sock.pause?.();
    if (this.#noDelay !== undefined) sock.setNoDelay?.(this.#noDelay);
    if (this.#keepAlive) sock.setKeepAlive?.(this.#keepAlive.enable, this.#keepAlive.delay);
    if (wasConnecting) {
      try {
        this.#handler.onConnect?.();
      } catch (e) {
        rethrow(e);
      }
      if (this.#destroyed) return;
      if (this.#queue.length > 0) this._drain();
      else if (this.#ending && !this.#writeShut) this.#shutdown(sock);
    }
  }

  /** @internal Bun's `data`. */
  _data(chunk: Uint8Array): void {
    if (this.#destroyed) return;
    const n = chunk.byteLength;
    this.#bytesRead += n;
    // A view of Bun's fresh read buffer (a body's subarray) costs more than a small copy.
    if (n <= POOL_MAX) chunk = readPool.copy(chunk, n);
    if (this.#paused || this.#held.length > 0) {
      if (this.#held === NONE) this.#held = [];
      this.#held.push(chunk);
      return;
    }
    try {
      this.#handler.onData(chunk);
    } catch (e) {
      rethrow(e);
    }
  }

  /** @internal Bun's `end` (peer FIN). */
  _end(): void {
    if (this.#destroyed) return;
    if (this.#paused || this.#held.length > 0) {
      this.#heldEnd = true;
      return;
    }
    this.#readEnded = true;
    this.#holdLoop();
    try {
      this.#handler.onEnd();
    } catch (e) {
      rethrow(e);
    }
  }

  /**
   * As a Node socket, which holds the event loop only while it reads or
   * writes: once the peer's FIN came and nothing is left to send, a ref'd
   * socket no longer keeps the process alive (Bun's would until closed).
   */
  #holdLoop(): void {
    const sock = this.#sock;
    if (!sock || this.#destroyed) return;
    const hold = this.#refed && (!this.#readEnded || this.#queue.length > 0);
    if (hold === this.#holding) return;
    this.#holding = hold;
    if (hold) sock.ref();
    else sock.unref();
  }

  /** @internal Bun's `drain`: send what was kept. */
  _drain(): void {
    const sock = this.#sock;
    if (!sock || this.#destroyed) return;
    while (this.#queue.length > 0) {
      const chunk = this.#queue[0];
      const n = sock.write(chunk);
      if (n < 0) {
        this.#writeFailed();
        return;
      }
      this.#bytesWritten += n;
      this.#queueBytes -= n;
      if (n < chunk.byteLength) {
        this.#queue[0] = chunk.subarray(n);
        break;
      }
      this.#queue.shift();
    }
    if (this.#queue.length === 0) {
      this.#queue = NONE;
      if (this.#readEnded) this.#holdLoop();
    }
    this.#runWriteCallbacks(null);
    if (this.#queue.length > 0 || this.#destroyed) return;
    if (this.#needDrain) {
      this.#needDrain = false;
      try {
        this.#handler.onDrain();
      } catch (e) {
        rethrow(e);
      }
    }
    if (this.#ending && !this.#writeShut && this.#queue.length === 0 && !this.#destroyed) {
      this.#shutdown(sock);
    }
  }

  /** @internal Bun's `close`. */
  _close(error?: Error): void {
    if (this.#closed || this.#destroyed) return;
    const err = error ? ioError(error) : this.#error;
    if (err === null && !this.#readEnded) {
      // Bun skips `end` when our side had shut down first: the peer's FIN is implied.
      if (this.#paused || this.#held.length > 0) {
        this.#heldEnd = true;
        this.#closeAfterHeld = true;
        return;
      }
      this.#readEnded = true;
      try {
        this.#handler.onEnd();
      } catch (e) {
        rethrow(e);
      }
    }
    this.#finishClose(err);
  }

  #finishClose(error: Error | null): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#held = NONE;
    this.#dropWrites(error ?? ERR_STREAM_DESTROYED("write"));
    // As a failed socket on Node: closed now (later writes are dropped), its
    // 'close' (with the error) on a later turn of the event loop.
    if (error !== null) setImmediate(() => this.#emitClose(error));
    else this.#emitClose(null);
  }

  /** @internal Bun's `error` / `connectError`. */
  _fail(error: Error): void {
    if (this.#destroyed) return;
    this.#error = error;
    this.destroy(error);
  }

  // ---- reading ----

  /** Stop calling `onData` (Bun stops reading). */
  pause(): void {
    this.#paused = true;
    if (!this.#destroyed) this.#sock?.pause?.();
  }

  /** Resume reading; held chunks are handed over in a microtask. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#destroyed) this.#sock?.resume?.();
    if ((this.#held.length > 0 || this.#heldEnd) && !this.#delivering) {
      this.#delivering = true;
      queueMicrotask(() => this.#deliverHeld());
    }
  }

  #deliverHeld(): void {
    this.#delivering = false;
    while (this.#held.length > 0 && !this.#paused && !this.#destroyed) {
      const chunk = this.#held.shift() as Uint8Array;
      try {
        this.#handler.onData(chunk);
      } catch (e) {
        rethrow(e);
      }
    }
    if (this.#held.length === 0 && this.#heldEnd && !this.#paused && !this.#destroyed) {
      this.#heldEnd = false;
      this.#readEnded = true;
      this.#holdLoop();
      try {
        this.#handler.onEnd();
      } catch (e) {
        rethrow(e);
      }
      if (this.#closeAfterHeld) this.#finishClose(null);
    }
  }

  // ---- writing ----

  /** Write now what the kernel takes, keep the rest; false while anything is kept. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#destroyed || this.#ending) {
      const err = this.#destroyed ? ERR_STREAM_DESTROYED("write") : ERR_STREAM_WRITE_AFTER_END();
      if (callback) queueMicrotask(() => callback(err));
      return false;
    }
    const sock = this.#sock;
    const len = chunk.byteLength;
    if (!sock || this.#queue.length > 0) {
      this.#enqueue(chunk, callback);
      if (!sock && this.#queueBytes < HIGH_WATER_MARK) return true;
      this.#needDrain = true;
      return false;
    }
    return this.#wrote(len === 0 ? 0 : sock.write(chunk), chunk, false, callback);
  }

  /**
   * After `sock.write(data)` returned `n`: count it, keep the rest (copied
   * out when `data` is the shared scratch buffer), report a failure.
   */
  #wrote(n: number, data: Uint8Array, scratched: boolean, callback?: WriteCallback): boolean {
    if (n < 0) {
      if (callback) this.#pushCallback(Infinity, callback);
      this.#writeFailed();
      return false;
    }
    this.#bytesWritten += n;
    if (n === data.byteLength) {
      // As a Node socket's write: its callback on the next tick (before promise jobs).
      if (callback) nextTickWith(callbackOk, callback);
      return true;
    }
    this.#enqueue(scratched ? data.slice(n) : data.subarray(n), callback);
    this.#needDrain = true;
    return false;
  }

  /**
   * The chunks joined and written once (chunk by chunk past 256 KiB). When
   * nothing is queued they are joined in one scratch buffer shared by all
   * sockets: Bun's `write` copies or sends synchronously and keeps no
   * reference, so only a rest the kernel did not take is copied out.
   */
  writev(chunks: readonly Uint8Array[], callback?: WriteCallback): boolean {
    const sock = this.#sock;
    if (!sock || this.#destroyed || this.#ending || this.#queue.length > 0 || chunks.length < 2) {
      return writeJoined(this, chunks, callback);
    }
    let total = 0;
    for (let i = 0; i < chunks.length; i++) total += chunks[i].byteLength;
    if (total > JOIN_LIMIT) return writeJoined(this, chunks, callback);
    if (scratch.byteLength < total) {
      scratch = new Uint8Array(Math.min(JOIN_LIMIT, Math.max(total, scratch.byteLength * 2)));
    }
    const joined = copyInto(chunks, scratch).subarray(0, total);
    return this.#wrote(sock.write(joined), joined, true, callback);
  }

  #enqueue(chunk: Uint8Array, callback: WriteCallback | undefined): void {
    if (this.#queue === NONE) this.#queue = [];
    this.#queue.push(chunk);
    this.#queueBytes += chunk.byteLength;
    if (this.#readEnded && !this.#holding) this.#holdLoop();
    if (callback) this.#pushCallback(this.#bytesWritten + this.#queueBytes, callback);
  }

  #pushCallback(mark: number, cb: WriteCallback): void {
    if (this.#callbacks === NONE) this.#callbacks = [];
    this.#callbacks.push({ mark, cb });
  }

  #runWriteCallbacks(error: Error | null): void {
    const callbacks = this.#callbacks;
    let i = 0;
    while (i < callbacks.length && (error !== null || callbacks[i].mark <= this.#bytesWritten)) {
      const cb = callbacks[i].cb;
      if (error === null) nextTickWith(callbackOk, cb);
      else queueMicrotask(() => cb(error));
      i++;
    }
    if (i > 0) this.#callbacks = i === callbacks.length ? NONE : callbacks.slice(i);
  }

  #writeFailed(): void {
    const err = errnoException("EPIPE", "write");
    this.#error ??= err;
    this.destroy(err);
  }

  /** Send what is kept, then half-close (`socket.shutdown()`). */
  end(callback?: () => void): void {
    if (this.#destroyed) {
      if (callback) queueMicrotask(callback);
      return;
    }
    if (callback) {
      if (this.#endCallbacks === NONE) this.#endCallbacks = [];
      this.#endCallbacks.push(callback);
    }
    if (this.#ending) {
      if (this.#writeShut) this.#runEndCallbacks();
      return;
    }
    this.#ending = true;
    if (this.#sock && this.#queue.length === 0) this.#shutdown(this.#sock);
  }

  #shutdown(sock: BunSocket): void {
    this.#writeShut = true;
    try {
      sock.shutdown();
    } catch {
      // already closed: the close callback reports it
    }
    this.#runEndCallbacks();
  }

  #runEndCallbacks(): void {
    const cbs = this.#endCallbacks;
    this.#endCallbacks = NONE;
    for (const cb of cbs) queueMicrotask(cb);
  }

  // ---- closing ----

  /** Close now (`socket.end()` closes at once in Bun), dropping what is kept. */
  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (error) this.#error ??= error;
    this.#dropWrites(
      error ??
        ERR_STREAM_DESTROYED("write"),
    );
    this.#held = NONE;
    const sock = this.#sock;
    if (sock) {
      try {
        sock.end();
      } catch {
        // already closed
      }
    }
    // As with a real socket, 'close' comes on a later turn of the event loop,
    // after the stream events already scheduled (a request's 'end', ...).
    setImmediate(() => this.#emitClose(error ?? null));
  }

  #dropWrites(error: Error): void {
    this.#queue = NONE;
    this.#queueBytes = 0;
    this.#runWriteCallbacks(error);
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

  // ---- connecting ----

  /** @internal Start connecting. */
  static connect(options: ConnectOptions, handler: TransportHandler): BunTransport {
    const t = new BunTransport(null, options.path !== undefined);
    t.#handler = handler;
    t.#connecting = true;
    if (options.noDelay !== undefined) t.#noDelay = options.noDelay;
    if (options.keepAlive !== undefined) {
      t.#keepAlive = { enable: options.keepAlive, delay: options.keepAliveInitialDelay ?? 0 };
    }
    t.#doConnect(options);
    return t;
  }

  async #doConnect(options: ConnectOptions): Promise<void> {
    const port = options.port ?? 80;
    let address = options.path ?? options.host ?? "localhost";
    const base: Record<string, unknown> = { allowHalfOpen: true, data: this, socket: CLIENT };
    try {
      if (options.path === undefined && options.lookup) {
        address = await lookup(options.lookup, address, options.family, options.hints);
      } else if (options.path === undefined && !isIpLiteral(address)) {
        address = await systemAddress(address, options.family);
      }
    } catch (e) {
      this.#connecting = false;
      this._fail(e as Error);
      return;
    }
    if (this.#destroyed) {
      this.#connecting = false;
      return;
    }
    const opts = options.path !== undefined
      ? { ...base, unix: options.path }
      : { ...base, hostname: address, port };
    this.#connectTarget = { address, port: options.path === undefined ? port : undefined };
    try {
      await bun().connect(opts);
    } catch {
      // reported through connectError
    }
  }

  #connectTarget: { address: string; port: number | undefined } | undefined = undefined;

  /** @internal Bun's `connectError`. */
  _connectError(error: Error): void {
    this.#connecting = false;
    if (this.#destroyed) return;
    const code = codeOf(error);
    const { address, port } = this.#connectTarget ?? { address: "", port: 0 };
    let err: Error = error;
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
      err = dnsException(code, "getaddrinfo", address);
    } else if (code !== undefined) {
      err = errnoException(code, "connect", address === "localhost" ? "127.0.0.1" : address, port);
    }
    this._fail(err);
  }

  // ---- options and state ----

  /** `socket.setNoDelay` (applied once connected). */
  setNoDelay(noDelay: boolean): void {
    this.#noDelay = noDelay;
    if (this.#sock && !this.#destroyed && !this.#unix) this.#sock.setNoDelay?.(noDelay);
  }

  /** `socket.setKeepAlive` (applied once connected). */
  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    this.#keepAlive = { enable, delay: initialDelayMs };
    if (this.#sock && !this.#destroyed && !this.#unix) {
      this.#sock.setKeepAlive?.(enable, initialDelayMs);
    }
  }

  /** `socket.ref()`. */
  ref(): void {
    this.#refed = true;
    this.#holdLoop();
  }

  /** `socket.unref()`. */
  unref(): void {
    this.#refed = false;
    this.#holdLoop();
  }

  /** True until connected (client side). */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True once destroyed or closed. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Bytes kept because the kernel did not take them yet. */
  get writableLength(): number {
    return this.#queueBytes;
  }

  /** A write returned false and `onDrain` has not followed yet. */
  get writableNeedDrain(): boolean {
    return this.#needDrain;
  }

  /** Total bytes received. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Total bytes the kernel took. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  #get<K extends "remoteAddress" | "remotePort" | "localAddress" | "localPort">(
    key: K,
  ): BunSocket[K] | undefined {
    const sock = this.#sock;
    if (!sock || this.#unix) return undefined;
    try {
      const v = sock[key];
      return v === "" ? undefined : v;
    } catch {
      return undefined;
    }
  }

  /** The peer's IP address (undefined for unix sockets). */
  get remoteAddress(): string | undefined {
    return this.#get("remoteAddress");
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#get("remotePort");
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined {
    return familyOf(this.#get("remoteAddress"));
  }

  /** The local IP address. */
  get localAddress(): string | undefined {
    return this.#get("localAddress");
  }

  /** The local port. */
  get localPort(): number | undefined {
    return this.#get("localPort");
  }
}

function lookup(
  fn: NonNullable<ConnectOptions["lookup"]>,
  host: string,
  family: number | undefined,
  hints: number | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const opts: { family?: number; hints?: number } = {};
    if (family !== undefined) opts.family = family;
    if (hints !== undefined) opts.hints = hints;
    fn(host, opts, (err, address) => {
      if (err) reject(err);
      else if (typeof address === "string") resolve(address);
      else if (address.length > 0) resolve(address[0].address);
      else reject(dnsException("ENOTFOUND", "getaddrinfo", host));
    });
  });
}

function isIpLiteral(host: string): boolean {
  return host.includes(":") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

// Bun.connect resolves names itself and may race several addresses (for
// "localhost" it opens both ::1 and 127.0.0.1, so a dual-stack server sees two
// connections). When the system resolver (as Node's dns.lookup) gives exactly
// one address, connect to that one only; otherwise leave the name to Bun.
function systemAddress(host: string, family: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const opts = { all: true as const, family: family === 4 || family === 6 ? family : 0 };
    try {
      dnsLookup(host, opts, (err, list) => {
        resolve(!err && list.length === 1 ? list[0].address : host);
      });
    } catch {
      resolve(host);
    }
  });
}

/** Socket callbacks of client connections: the transport rides on `socket.data`. */
const CLIENT: BunSocketHandlers = {
  open(s: BunSocket): void {
    s.data?._open(s);
  },
  data(s: BunSocket, chunk: Uint8Array): void {
    s.data?._data(chunk);
  },
  drain(s: BunSocket): void {
    s.data?._drain();
  },
  end(s: BunSocket): void {
    s.data?._end();
  },
  close(s: BunSocket, error?: Error): void {
    s.data?._close(error);
  },
  error(s: BunSocket, error: Error): void {
    s.data?._fail(error);
  },
  connectError(s: BunSocket, error: Error): void {
    s.data?._connectError(error);
  },
};

class BunServer implements TransportServer {
  readonly #listener: BunListener;
  readonly #callbacks: ListenCallbacks;
  #closed = false;

  constructor(listener: BunListener, callbacks: ListenCallbacks) {
    this.#listener = listener;
    this.#callbacks = callbacks;
    queueMicrotask(() => {
      if (!this.#closed) callbacks.onListening();
    });
  }

  address(): AddressInfo | string | null {
    if (this.#closed) return null;
    const l = this.#listener;
    if (l.unix !== undefined) return l.unix;
    const address = l.hostname ?? "";
    return { address, family: familyOf(address) ?? "IPv4", port: l.port ?? 0 };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener.stop(false);
    const onClose = this.#callbacks.onClose;
    if (onClose) queueMicrotask(() => onClose());
  }

  ref(): void {
    if (!this.#closed) this.#listener.ref();
  }

  unref(): void {
    if (!this.#closed) this.#listener.unref();
  }
}

/**
 * The Bun runtime. `backlog` and `ipv6Only` have no Bun equivalent and are ignored.
 * A `connect` asking for a `localAddress` or `localPort` (which `Bun.connect`
 * cannot bind) goes through Bun's own `node:net` instead.
 *
 * @example
 * ```ts
 * import { bunRuntime } from "./bun.ts";
 * const server = bunRuntime.listen({ port: 0, host: "127.0.0.1" }, {
 *   onConnection(t) { t.setHandler({ onData: (d) => t.write(d), onDrain() {}, onEnd: () => t.end(), onClose() {} }); },
 *   onListening() {},
 *   onError(e) { throw e; },
 * });
 * ```
 */
export const bunRuntime: Runtime = {
  name: "bun",

  listen(options: ListenOptions, callbacks: ListenCallbacks): TransportServer {
    const b = bun();
    const unix = options.path !== undefined;
    const socket: BunSocketHandlers = {
      open(s: BunSocket): void {
        const t = new BunTransport(s, unix);
        s.data = t;
        t._open(s);
        try {
          callbacks.onConnection(t);
        } catch (e) {
          rethrow(e);
        }
      },
      data: CLIENT.data,
      drain: CLIENT.drain,
      end: CLIENT.end,
      close: CLIENT.close,
      error: CLIENT.error,
    };
    const base: Record<string, unknown> = { allowHalfOpen: true, socket };
    const port = options.port ?? 0;
    let host = options.host;
    let listener: BunListener;
    try {
      if (unix) {
        listener = b.listen({ ...base, unix: options.path });
      } else {
        const tcp: Record<string, unknown> = { ...base, port };
        if (options.exclusive !== undefined) tcp.exclusive = options.exclusive;
        if (options.reusePort !== undefined) tcp.reusePort = options.reusePort;
        if (options.ipv6Only !== undefined) tcp.ipv6Only = options.ipv6Only;
        if (host === undefined) {
          try {
            host = "::";
            listener = b.listen({ ...tcp, hostname: host });
          } catch (e) {
            const code = codeOf(e);
            if (code === "EADDRINUSE" || code === "EACCES") throw e;
            host = "0.0.0.0";
            listener = b.listen({ ...tcp, hostname: host });
          }
        } else {
          listener = b.listen({ ...tcp, hostname: host });
        }
      }
    } catch (e) {
      const err = uvException({
        code: codeOf(e) ?? "EINVAL",
        syscall: "listen",
        address: unix ? options.path : host,
        port: unix ? -1 : port,
      });
      queueMicrotask(() => callbacks.onError(err));
      return new FailedServer();
    }
    return new BunServer(listener, callbacks);
  },

  connect(options: ConnectOptions, handler: TransportHandler): Transport {
    if (options.localAddress !== undefined || options.localPort !== undefined) {
      return nodeNetRuntime.connect(options, handler);
    }
    return BunTransport.connect(options, handler);
  },
};
