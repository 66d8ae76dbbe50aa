/**
 * The `Runtime` over Deno's own sockets (`Deno.listen`, `Deno.connect`, TCP and
 * unix). Nothing touches the `Deno` global until `listen`/`connect` is called.
 *
 * Reading: one `conn.read` in flight per connection, chained by promise
 * callbacks. An idle connection's pending read holds only a small buffer
 * (256 bytes, doubled up to 2 KiB each time a read fills it; the bytes are
 * copied out, small reads into a shared pool); a read that fills it switches
 * to 64 KiB reads, handed over without a copy, until a short read. The bytes
 * of a read that filled the small buffer wait for the read after it (started
 * at once) and go on with it as one chunk, as Node's one 64 KiB read gives
 * them; alone a loop turn later if nothing more came.
 * Writing: a write goes straight to `conn.write` when nothing is in flight;
 * while one is, later writes are queued and sent as one concatenated write when
 * it settles.
 *
 * @module
 */

import { clearTimeout, setImmediate, setTimeout } from "node:timers";
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
import { nodeNetRuntime } from "./node_net.ts";
import { concat, writeJoined } from "./join.ts";
import { ReadPool } from "./read_pool.ts";
import { codeOf, errnoException } from "./errors.ts";
import {
  dnsException,
  ERR_STREAM_DESTROYED,
  ERR_STREAM_WRITE_AFTER_END,
  uvException,
} from "../core/errors.ts";

interface DenoAddr {
  transport: string;
  hostname?: string;
  port?: number;
  path?: string | null;
}

interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  close(): void;
  closeWrite(): Promise<void>;
  ref(): void;
  unref(): void;
  readonly localAddr: DenoAddr;
  readonly remoteAddr: DenoAddr;
  setNoDelay?(noDelay?: boolean): void;
  setKeepAlive?(keepAlive?: boolean): void;
}

interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  readonly addr: DenoAddr;
  ref(): void;
  unref(): void;
}

interface DenoLike {
  listen(options: Record<string, unknown>): DenoListener;
  connect(options: Record<string, unknown>): Promise<DenoConn>;
  listenDatagram?: unknown;
}

function deno(): DenoLike {
  const d = (globalThis as unknown as { Deno?: DenoLike }).Deno;
  if (!d) throw new Error("The Deno transport needs the Deno runtime");
  return d;
}

/** Bytes per read while data streams in. */
const READ_SIZE = 65536;
/**
 * Bytes per read otherwise: what an idle connection's pending read holds. It
 * starts small (most request heads from tools fit) and doubles, up to
 * `SMALL_READ_MAX`, each time a message fills it (browsers' heads then need
 * one read again).
 */
const SMALL_READ_SIZE = 256;
const SMALL_READ_MAX = 2048;
/** Large reads shorter than this are copied out (and the next read is small again). */
const COPY_BELOW = 16384;
/** Where reads that are copied out go (small ones share a pool). */
const readPool = new ReadPool((size) => new Uint8Array(size));
/** A 64 KiB read buffer no read holds, for the next connection that needs one. */
let spare: Uint8Array | null = null;
/** `write()` returns false once this many bytes are queued. */
const HIGH_WATER_MARK = 65536;

/** How long a destroyed connection may still send what was already written (see `destroy`). */
const DESTROY_FLUSH_MS = 1000;

const NOOP_HANDLER: TransportHandler = {
  onData(): void {},
  onDrain(): void {},
  onEnd(): void {},
  onClose(): void {},
};

/** Surface an exception thrown by a handler as an uncaught exception, as Node would. */
function rethrow(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}

function callWriteCallback(cb: WriteCallback, error: Error | null): void {
  try {
    cb(error);
  } catch (e) {
    rethrow(e);
  }
}

function familyOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  return address.includes(":") ? "IPv6" : "IPv4";
}

/** Map a Deno I/O error to a Node-style one (`read ECONNRESET`, `write EPIPE`). */
function ioError(error: unknown, syscall: string): Error {
  const code = codeOf(error);
  if (code === undefined) return error instanceof Error ? error : new Error(String(error));
  return errnoException(code, syscall);
}

/** A `Transport` over one `Deno.Conn`. */
export class DenoTransport implements Transport {
  #conn: DenoConn | null;
  #handler: TransportHandler = NOOP_HANDLER;
  #connecting = false;
  #abort: AbortController | null = null;

  // read side
  #readBuf: Uint8Array | null = null;
  #smallSize = SMALL_READ_SIZE;
  /** The buffer of the `conn.read` in flight (null when none). */
  #reading: Uint8Array | null = null;
  /** Read 64 KiB at a time (the last read filled its buffer). */
  #large = false;
  #paused = false;
  /** What arrived while paused: a chunk, or `null` for the end of input. */
  #held: Uint8Array | null | undefined = undefined;
  /**
   * A read that filled the small buffer: the rest of what the peer sent is
   * most likely waiting, so the next read starts at once and the two reach
   * the handler as one chunk (as libuv's one 64 KiB read gives them on
   * Node). Delivered alone on the next loop turn if nothing more came.
   */
  #filled: Uint8Array | null = null;
  #resumeScheduled = false;
  #readEnded = false;
  #bytesRead = 0;

  // write side
  // Queued while a write is in flight (null when empty: idle connections hold no arrays).
  #queue: Uint8Array[] | null = null;
  #queueBytes = 0;
  #callbacks: (WriteCallback | undefined)[] | null = null;
  #pending = 0; // queued + in flight
  #writing = false;
  /** The buffer of the `conn.write` in flight, how much of it is written, and its callbacks. */
  #inflight: Uint8Array | null = null;
  #inflightDone = 0;
  #inflightCb: WriteCallback | undefined = undefined;
  #inflightCbs: (WriteCallback | undefined)[] | null = null;
  /** The promise of the `conn.write` in flight (a destroy lets it finish before closing). */
  #inflightWrite: Promise<number> | null = null;
  #needDrain = false;
  #ending = false;
  #writeShut = false;
  #endCallbacks: (() => void)[] | null = null;
  #bytesWritten = 0;

  #destroyed = false;
  #closed = false;
  #refed = true;
  #noDelay: boolean | undefined;
  #keepAlive: boolean | undefined;

  /** Wrap an open connection (server side), or `null` for one still connecting. */
  constructor(conn: DenoConn | null) {
    this.#conn = conn;
    if (conn) queueMicrotask(() => this.#read());
  }

  /** Install the handler. */
  setHandler(handler: TransportHandler): void {
    this.#handler = handler;
  }

  // ---- reading ----

  // A read in flight pins its buffer, so an idle connection waits with a small
  // one; a read that fills it means more is coming: the next reads use 64 KiB
  // buffers (handed over whole when well filled) until a short read. Reads are
  // promise callbacks, not an async loop: no suspended frame per connection.

  /** Start the next read unless one is in flight, or paused, ended or destroyed. */
  #read(): void {
    if (this.#reading !== null || this.#paused || this.#destroyed || this.#readEnded) return;
    const conn = this.#conn;
    if (conn === null) return;
    let buf: Uint8Array;
    if (this.#large) {
      buf = spare ?? new Uint8Array(READ_SIZE);
      spare = null;
    } else buf = this.#readBuf ??= new Uint8Array(this.#smallSize);
    this.#reading = buf;
    conn.read(buf).then(this.#onRead, this.#onRead);
  }

  // One closure settles reads both ways (a rejection is never a number or null):
  // fewer functions held by every idle connection.
  readonly #onRead = (n: number | null | unknown): void => {
    const buf = this.#reading as Uint8Array;
    this.#reading = null;
    if (typeof n !== "number" && n !== null) {
      if (this.#destroyed) return;
      this.#flushFilled();
      if (!this.#destroyed) this.#fail(ioError(n, "read"));
      return;
    }
    if (this.#destroyed) return;
    if (n === null) {
      if (this.#filled !== null) {
        // The bytes before the end first; while paused they wait, and the
        // read after resume() meets the end again.
        this.#flushFilled();
        if (this.#destroyed || this.#paused) return;
      }
      // Report the end on a later loop turn, after the ticks the last data
      // queued (libuv sees EOF in a later turn than the data before it; a
      // Deno op can settle in the same one, and the HTTP layer would then see
      // the end before finishing the message that data completed). The read
      // slot stays taken meanwhile so no other read starts.
      this.#reading = buf;
      setImmediate(DenoTransport.#onEof, this);
      return;
    }
    if (n === 0) {
      this.#read();
      return;
    }
    this.#bytesRead += n;
    let chunk: Uint8Array;
    if (!this.#large) {
      chunk = readPool.copy(buf, n);
      if (n === buf.byteLength) {
        this.#large = true;
        if (n < SMALL_READ_MAX) {
          // Filled: this connection's messages are bigger; wait with a bigger buffer.
          this.#smallSize = n * 2;
          this.#readBuf = null;
        }
        if (!this.#paused) {
          this.#filled = chunk;
          this.#read();
          setImmediate(DenoTransport.#onFilledWait, this);
          return;
        }
      }
    } else if (n < COPY_BELOW) {
      chunk = readPool.copy(buf, n);
      this.#large = false;
      spare = buf;
    } else {
      chunk = buf.subarray(0, n);
    }
    const filled = this.#filled;
    if (filled !== null) {
      this.#filled = null;
      // A large read is handed over without a copy: then the two go as they are.
      if (chunk.byteLength < COPY_BELOW) chunk = concat([filled, chunk], filled.byteLength + n);
      else this.#push(filled);
      if (this.#destroyed) return;
    }
    this.#push(chunk);
    if (!this.#paused) this.#read();
  };

  /** Hand `chunk` to the handler, or keep it (after what is kept) while paused. */
  #push(chunk: Uint8Array): void {
    if (this.#paused) {
      const held = this.#held;
      this.#held = held ? concat([held, chunk], held.byteLength + chunk.byteLength) : chunk;
    } else this.#deliver(chunk);
  }

  /** The held filled read, handed on now. */
  #flushFilled(): void {
    const filled = this.#filled;
    if (filled === null) return;
    this.#filled = null;
    this.#push(filled);
  }

  /** A loop turn after a filled read: what it held goes on alone if nothing joined it. */
  static #onFilledWait(t: DenoTransport): void {
    if (!t.#destroyed) t.#flushFilled();
  }

  static #onEof(t: DenoTransport): void {
    t.#reading = null;
    if (t.#destroyed) return;
    if (t.#paused) t.#held = null;
    else t.#deliverEnd();
  }

  #deliver(chunk: Uint8Array): void {
    try {
      this.#handler.onData(chunk);
    } catch (e) {
      rethrow(e);
    }
  }

  #deliverEnd(): void {
    this.#readEnded = true;
    try {
      this.#handler.onEnd();
    } catch (e) {
      rethrow(e);
    }
    this.#maybeClose();
  }

  /** After `resume()`, on a later microtask (never inside the caller's own call). */
  #onResume: (() => void) | null = null;
  #resumeNow(): void {
    this.#resumeScheduled = false;
    if (this.#paused || this.#destroyed) return;
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      if (held === null) {
        this.#deliverEnd();
        return;
      }
      this.#deliver(held);
      if (this.#paused) return;
    }
    this.#read();
  }

  /** Stop calling `onData` (and reading: the peer sees TCP backpressure). */
  pause(): void {
    this.#paused = true;
  }

  /** Let reading go on. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#resumeScheduled && !this.#destroyed) {
      this.#resumeScheduled = true;
      queueMicrotask(this.#onResume ??= () => this.#resumeNow());
    }
  }

  // ---- writing ----

  /** Queue `chunk`; false once 64 KiB or more are waiting. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    if (this.#destroyed || this.#ending) {
      const err = this.#destroyed ? ERR_STREAM_DESTROYED("write") : ERR_STREAM_WRITE_AFTER_END();
      if (callback) queueMicrotask(() => callback(err));
      return false;
    }
    const len = chunk.byteLength;
    this.#pending += len;
    if (!this.#writing && this.#conn) {
      // Nothing in flight: straight to `conn.write`, no queue, array or closure.
      this.#writing = true;
      this.#inflightCb = callback;
      this.#startWrite(this.#conn, chunk);
    } else {
      (this.#queue ??= []).push(chunk);
      this.#queueBytes += len;
      (this.#callbacks ??= []).push(callback);
    }
    if (this.#pending >= HIGH_WATER_MARK) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  /**
   * Several chunks in the fewest writes. A head and a body (two chunks) go as
   * two writes: the head starts at once and the body follows without being
   * copied, which measured faster than joining them (a 64 KiB copy costs more
   * than the second op). More chunks (size line, data, CRLF) are joined into
   * one buffer up to 256 KiB: queued behind a first write they would be
   * copied anyway.
   */
  writev(chunks: readonly Uint8Array[], callback?: WriteCallback): boolean {
    if (chunks.length === 2) {
      this.write(chunks[0]);
      return this.write(chunks[1], callback);
    }
    return writeJoined(this, chunks, callback);
  }

  #startWrite(conn: DenoConn, data: Uint8Array): void {
    this.#inflight = data;
    this.#inflightDone = 0;
    const w = this.#inflightWrite = conn.write(data);
    w.then(this.#onWritten, this.#onWritten);
  }

  /** Send what was queued while a write was in flight, as one buffer. */
  #writeQueued(conn: DenoConn): void {
    const chunks = this.#queue as Uint8Array[];
    this.#inflightCbs = this.#callbacks;
    this.#queue = null;
    this.#callbacks = null;
    const total = this.#queueBytes;
    this.#queueBytes = 0;
    this.#startWrite(conn, chunks.length === 1 ? chunks[0] : concat(chunks, total));
  }

  // Settles writes both ways (a rejection is never a number).
  readonly #onWritten = (n: number | unknown): void => {
    if (typeof n !== "number") {
      const error = this.#destroyed ? ERR_STREAM_DESTROYED("write") : ioError(n, "write");
      this.#writeDone((this.#inflight as Uint8Array).byteLength, error);
      return;
    }
    const data = this.#inflight as Uint8Array;
    const conn = this.#conn as DenoConn;
    const done = this.#inflightDone + n;
    const total = data.byteLength;
    if (done < total) {
      if (this.#destroyed) {
        this.#writeDone(total, ERR_STREAM_DESTROYED("write"));
        return;
      }
      this.#inflightDone = done;
      const w = this.#inflightWrite = conn.write(data.subarray(done));
      w.then(this.#onWritten, this.#onWritten);
      return;
    }
    this.#bytesWritten += total;
    this.#writeDone(total, null);
  };

  #writeDone(total: number, error: Error | null): void {
    this.#pending -= total;
    this.#inflight = null;
    this.#inflightWrite = null;
    const cb = this.#inflightCb;
    const cbs = this.#inflightCbs;
    this.#inflightCb = undefined;
    this.#inflightCbs = null;
    if (cb) callWriteCallback(cb, error);
    if (cbs !== null) {
      for (let i = 0; i < cbs.length; i++) {
        const c = cbs[i];
        if (c) callWriteCallback(c, error);
      }
    }
    if (error) {
      this.#writing = false;
      this.#fail(error);
      return;
    }
    if (this.#destroyed) {
      this.#writing = false;
      return;
    }
    if (this.#needDrain && this.#pending < HIGH_WATER_MARK) {
      this.#needDrain = false;
      try {
        this.#handler.onDrain();
      } catch (e) {
        rethrow(e);
      }
      if (this.#destroyed) {
        this.#writing = false;
        return;
      }
    }
    const conn = this.#conn as DenoConn;
    if (this.#queue !== null) {
      this.#writeQueued(conn);
      return;
    }
    this.#writing = false;
    if (this.#ending && !this.#writeShut) this.#shutdown(conn);
  }

  /** Flush, then half-close (`conn.closeWrite()`). */
  end(callback?: () => void): void {
    if (this.#destroyed) {
      if (callback) queueMicrotask(callback);
      return;
    }
    if (callback) (this.#endCallbacks ??= []).push(callback);
    if (this.#ending) {
      if (this.#writeShut) this.#runEndCallbacks();
      return;
    }
    this.#ending = true;
    if (this.#conn && !this.#writing) this.#shutdown(this.#conn);
  }

  async #shutdown(conn: DenoConn): Promise<void> {
    this.#writeShut = true;
    try {
      await conn.closeWrite();
    } catch {
      // Already shut or reset by the peer: the read side reports what matters.
    }
    if (this.#destroyed) return;
    this.#runEndCallbacks();
    this.#maybeClose();
  }

  #runEndCallbacks(): void {
    const cbs = this.#endCallbacks;
    if (cbs === null) return;
    this.#endCallbacks = null;
    for (const cb of cbs) queueMicrotask(cb);
  }

  #maybeClose(): void {
    if (this.#readEnded && this.#writeShut && !this.#writing && !this.#destroyed) {
      this.#destroyed = true;
      try {
        this.#conn?.close();
      } catch {
        // already closed
      }
      this.#emitClose(null);
    }
  }

  // ---- closing ----

  /** Close now, dropping what is queued. */
  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#abort?.abort();
    const conn = this.#conn;
    const inflight = this.#inflightWrite;
    if (conn && inflight !== null) {
      // As a Node socket's writes already handed to the kernel, the write in
      // flight, and what is queued behind it below the high-water mark, still
      // go out (res.end() then destroy() in one tick sends the response).
      const queue = this.#pending < HIGH_WATER_MARK ? this.#queue : null;
      const queued = this.#queueBytes;
      const left = (this.#inflight as Uint8Array).byteLength - this.#inflightDone;
      // Their callbacks learn how that write went (not dropped below).
      const cbs = queue !== null ? this.#callbacks : null;
      if (queue !== null) this.#callbacks = null;
      let closed = false;
      const close = (): void => {
        if (closed) return;
        closed = true;
        clearTimeout(bound);
        try {
          conn.close();
        } catch {
          // already closed
        }
      };
      // A peer that reads nothing must not hold a destroyed connection open:
      // past DESTROY_FLUSH_MS it closes whatever is still on its way.
      const bound = setTimeout(close, DESTROY_FLUSH_MS);
      (bound as { unref?: () => void }).unref?.();
      let settled = false;
      const settle = (error: Error | null): void => {
        if (settled) return;
        settled = true;
        if (cbs !== null) { for (const cb of cbs) if (cb) callWriteCallback(cb, error); }
        close();
      };
      const failed = (): void => settle(ERR_STREAM_DESTROYED("write"));
      inflight.then((n) => {
        if (queue === null || n !== left) return failed();
        const rest = queue.length === 1 ? queue[0] : concat(queue, queued);
        conn.write(rest).then((m) => m === queued ? settle(null) : failed(), failed);
      }, failed);
    } else {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    }
    this.#dropWrites(ERR_STREAM_DESTROYED("write"));
    this.resume();
    // As with a real socket, 'close' comes on a later turn of the event loop,
    // after the stream events already scheduled (a request's 'end', ...).
    setImmediate(() => this.#emitClose(error ?? null));
  }

  #fail(error: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    try {
      this.#conn?.close();
    } catch {
      // already closed
    }
    this.#dropWrites(error);
    this.resume();
    // As a failed socket on Node: closed now (later writes are dropped), its
    // 'close' (with the error) on a later turn of the event loop.
    setImmediate(() => this.#emitClose(error));
  }

  #dropWrites(error: Error): void {
    const callbacks = this.#callbacks ?? [];
    this.#queue = null;
    this.#callbacks = null;
    this.#pending -= this.#queueBytes;
    this.#queueBytes = 0;
    for (const cb of callbacks) if (cb) queueMicrotask(() => cb(error));
    this.#runEndCallbacks();
  }

  #emitClose(error: Error | null): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler.onClose(error);
  }

  // ---- connecting (client side) ----

  /** @internal Start connecting. */
  static connect(options: ConnectOptions, handler: TransportHandler): DenoTransport {
    const t = new DenoTransport(null);
    t.#handler = handler;
    t.#connecting = true;
    t.#doConnect(options);
    return t;
  }

  async #doConnect(options: ConnectOptions): Promise<void> {
    let conn: DenoConn;
    let address: string | undefined;
    const port = options.port ?? 80;
    try {
      if (options.path !== undefined) {
        address = options.path;
        conn = await deno().connect({ transport: "unix", path: options.path });
      } else {
        const host = options.host ?? "localhost";
        address = host;
        if (options.lookup) {
          address = await lookup(options.lookup, host, options.family, options.hints);
        }
        this.#abort = new AbortController();
        conn = await deno().connect({
          hostname: address,
          port,
          transport: "tcp",
          signal: this.#abort.signal,
        });
        this.#abort = null;
      }
    } catch (e) {
      this.#connecting = false;
      if (this.#destroyed) return;
      this.#fail(connectError(e, address ?? "", options.path === undefined ? port : undefined));
      return;
    }
    this.#connecting = false;
    if (this.#destroyed) {
      conn.close();
      return;
    }
    this.#conn = conn;
    if (!this.#refed) conn.unref();
    if (options.noDelay !== undefined && this.#noDelay === undefined) {
      this.#noDelay = options.noDelay;
    }
    if (options.keepAlive !== undefined && this.#keepAlive === undefined) {
      this.#keepAlive = options.keepAlive;
    }
    if (this.#noDelay !== undefined) conn.setNoDelay?.(this.#noDelay);
    if (this.#keepAlive !== undefined) conn.setKeepAlive?.(this.#keepAlive);
    try {
      this.#handler.onConnect?.();
    } catch (e) {
      rethrow(e);
    }
    if (this.#destroyed) return;
    if (this.#queue !== null) {
      this.#writing = true;
      this.#writeQueued(conn);
    } else if (this.#ending) this.#shutdown(conn);
    this.#read();
  }

  // ---- options and state ----

  /** `conn.setNoDelay` (applied once connected). */
  setNoDelay(noDelay: boolean): void {
    this.#noDelay = noDelay;
    if (this.#conn && !this.#destroyed) this.#conn.setNoDelay?.(noDelay);
  }

  /** `conn.setKeepAlive` (the initial delay is not settable on Deno). */
  setKeepAlive(enable: boolean, _initialDelayMs: number): void {
    this.#keepAlive = enable;
    if (this.#conn && !this.#destroyed) this.#conn.setKeepAlive?.(enable);
  }

  /** `conn.ref()`. */
  ref(): void {
    this.#refed = true;
    if (this.#conn && !this.#destroyed) this.#conn.ref();
  }

  /** `conn.unref()`. */
  unref(): void {
    this.#refed = false;
    if (this.#conn && !this.#destroyed) this.#conn.unref();
  }

  /** True until connected (client side). */
  get connecting(): boolean {
    return this.#connecting;
  }

  /** True once destroyed or closed. */
  get destroyed(): boolean {
    return this.#destroyed;
  }

  /** Bytes queued or in flight. */
  get writableLength(): number {
    return this.#pending;
  }

  /** A write returned false and `onDrain` has not followed yet. */
  get writableNeedDrain(): boolean {
    return this.#needDrain;
  }

  /** Total bytes read. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Total bytes written to the OS. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  #addr(remote: boolean): DenoAddr | undefined {
    const conn = this.#conn;
    if (!conn) return undefined;
    try {
      return remote ? conn.remoteAddr : conn.localAddr;
    } catch {
      return undefined;
    }
  }

  /** The peer's IP address (undefined for unix sockets). */
  get remoteAddress(): string | undefined {
    return this.#addr(true)?.hostname;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#addr(true)?.port;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined {
    return familyOf(this.#addr(true)?.hostname);
  }

  /** The local IP address. */
  get localAddress(): string | undefined {
    return this.#addr(false)?.hostname;
  }

  /** The local port. */
  get localPort(): number | undefined {
    return this.#addr(false)?.port;
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

function connectError(error: unknown, address: string, port: number | undefined): Error {
  if (error instanceof Error && (error as { syscall?: unknown }).syscall) return error;
  const code = codeOf(error);
  if (code === undefined) {
    const message = error instanceof Error ? error.message : String(error);
    if (/lookup|resolve|name or service|not known|dns/i.test(message)) {
      return dnsException("ENOTFOUND", "getaddrinfo", address);
    }
    return error instanceof Error ? error : new Error(message);
  }
  const shown = port !== undefined && address === "localhost" ? "127.0.0.1" : address;
  return errnoException(code, "connect", shown, port);
}

class DenoServer implements TransportServer {
  readonly #listener: DenoListener;
  readonly #callbacks: ListenCallbacks;
  #closed = false;

  constructor(listener: DenoListener, callbacks: ListenCallbacks) {
    this.#listener = listener;
    this.#callbacks = callbacks;
    queueMicrotask(() => {
      if (!this.#closed) callbacks.onListening();
      this.#acceptLoop();
    });
  }

  async #acceptLoop(): Promise<void> {
    while (!this.#closed) {
      let conn: DenoConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#closed) break;
        const code = codeOf(e);
        if (code === "ECONNABORTED" || code === "ECONNRESET") continue;
        // Out of descriptors and the like: back off briefly rather than spin.
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      if (this.#closed) {
        conn.close();
        break;
      }
      try {
        this.#callbacks.onConnection(new DenoTransport(conn));
      } catch (e) {
        rethrow(e);
      }
    }
    this.#callbacks.onClose?.();
  }

  address(): AddressInfo | string | null {
    if (this.#closed) return null;
    const addr = this.#listener.addr;
    if (addr.transport === "unix") return addr.path ?? null;
    const address = addr.hostname ?? "";
    return { address, family: familyOf(address) ?? "IPv4", port: addr.port ?? 0 };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch {
      // already closed
    }
  }

  ref(): void {
    if (!this.#closed) this.#listener.ref();
  }

  unref(): void {
    if (!this.#closed) this.#listener.unref();
  }
}

/**
 * The Deno runtime. `reusePort` is honoured when Deno runs with `--unstable-net`
 * (Deno refuses it otherwise, so it is ignored then); `exclusive` and
 * `ipv6Only` have no Deno equivalent and are ignored; the keep-alive initial
 * delay of `connect` is not supported. A `connect` asking for a `localAddress`
 * or `localPort` (which `Deno.connect` cannot bind) goes through Deno's own
 * `node:net` instead.
 *
 * @example
 * ```ts
 * import { denoRuntime } from "./deno.ts";
 * const server = denoRuntime.listen({ port: 0, host: "127.0.0.1" }, {
 *   onConnection(t) { t.setHandler({ onData: (d) => t.write(d), onDrain() {}, onEnd: () => t.end(), onClose() {} }); },
 *   onListening() {},
 *   onError(e) { throw e; },
 * });
 * ```
 */
export const denoRuntime: Runtime = {
  name: "deno",

  listen(options: ListenOptions, callbacks: ListenCallbacks): TransportServer {
    const d = deno();
    let listener: DenoListener;
    if (options.path !== undefined) {
      try {
        listener = d.listen({ transport: "unix", path: options.path });
      } catch (e) {
        const err = uvException({
          code: codeOf(e) ?? "EINVAL",
          syscall: "listen",
          address: options.path,
          port: -1,
        });
        queueMicrotask(() => callbacks.onError(err));
        return new FailedServer();
      }
      return new DenoServer(listener, callbacks);
    }
    const port = options.port ?? 0;
    const tcp: Record<string, unknown> = { transport: "tcp", port };
    if (options.backlog !== undefined) tcp.tcpBacklog = options.backlog;
    // SO_REUSEPORT is an unstable Deno API: passing it without --unstable-net
    // terminates the process, so only ask when the unstable net APIs are present.
    if (options.reusePort && typeof d.listenDatagram === "function") tcp.reusePort = true;
    let host = options.host;
    try {
      if (host === undefined) {
        // Like Node: the IPv6 wildcard (dual stack) when available, else IPv4's.
        try {
          host = "::";
          listener = d.listen({ ...tcp, hostname: host });
        } catch (e) {
          const code = codeOf(e);
          if (code === "EADDRINUSE" || code === "EACCES") throw e;
          host = "0.0.0.0";
          listener = d.listen({ ...tcp, hostname: host });
        }
      } else {
        listener = d.listen({ ...tcp, hostname: host });
      }
    } catch (e) {
      const err = uvException({
        code: codeOf(e) ?? "EINVAL",
        syscall: "listen",
        address: host,
        port: port,
      });
      queueMicrotask(() => callbacks.onError(err));
      return new FailedServer();
    }
    return new DenoServer(listener, callbacks);
  },

  connect(options: ConnectOptions, handler: TransportHandler): Transport {
    if (options.localAddress !== undefined || options.localPort !== undefined) {
      return nodeNetRuntime.connect(options, handler);
    }
    return DenoTransport.connect(options, handler);
  },
};
