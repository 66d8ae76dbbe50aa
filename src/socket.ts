/**
 * `Socket`: the `net.Socket`-like Duplex users see as `req.socket`,
 * `res.socket`, in 'connection'/'upgrade'/'connect' handlers and as
 * `clientRequest.socket`, over any `Transport`.
 *
 * The HTTP layer reads and writes the transport directly while it owns the
 * connection (`attachConsumer`), and gives it back (`detachConsumer`) after an
 * upgrade or CONNECT. Writing through the Socket keeps working either way.
 *
 * @module
 */

import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import process from "node:process";
import type { AddressInfo, Transport, TransportHandler } from "./transport/transport.ts";
import { DuplexTransport } from "./transport/duplex.ts";
import { Deadline } from "./timer_queue.ts";
import { loopNow } from "./clock.ts";
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ERR_STREAM_DESTROYED } from "./core/errors.ts";

/** Where `attachConsumer` caches the `DuplexTransport` of a foreign Duplex. */
const kDuplexTransport: unique symbol = Symbol("anyhttp.duplexTransport");

/** Options of `new Socket()`. */
export interface SocketOptions {
  /** Keep the writable side open after the peer's FIN (default false, as `net.Socket`). */
  allowHalfOpen?: boolean;
  /** Bytes the Readable side buffers before it pauses the transport (default 16 KiB). */
  readableHighWaterMark?: number;
  /** Bytes the Writable side buffers before `write()` returns false (default 16 KiB). */
  writableHighWaterMark?: number;
}

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk)
    ? chunk
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * A `net.Socket`-like stream over a `Transport`.
 *
 * Events: 'data', 'end', 'close' (hadError), 'error', 'drain', 'timeout',
 * 'connect', 'ready', plus the stream events.
 *
 * @example
 * ```ts
 * const [a, b] = createMemoryPair();
 * const socket = new Socket(a);
 * socket.setEncoding("utf8");
 * socket.on("data", (s) => console.log(s));
 * b.write(new TextEncoder().encode("hi"));
 * ```
 */
export class Socket extends Duplex {
  readonly #transport: Transport;
  /** The idle timeout in ms as set by `setTimeout()`, undefined until set. */
  timeout: number | undefined = undefined;
  /** Set by the HTTP layer when it reported an error of this socket (as Node's). */
  _hadError = false;

  #consumer: TransportHandler | null = null;
  /** Bytes that reached the Readable side before a consumer attached, then ones arriving meanwhile. */
  #backlog: Buffer[] | null = null;
  #backlogEnd = false;
  #readEnded = false;
  #endPushed = false;
  #transportClosed = false;
  #error: Error | null = null;
  #inDestroy = false;
  #closeEmitted = false;
  #pendingWrite: ((error?: Error | null) => void) | null = null;
  /** The idle deadline (made on the first `setTimeout`); see `timer_queue.ts`. */
  #deadline: Deadline<Socket> | null = null;
  /**
   * `loopNow()` of the last read, write, drain or connect (see `_touch`);
   * only kept while a timeout is set (`setTimeout` starts a period anyway).
   */
  #lastActive = 0;
  /** Transport counters at the last arming or expiry (see `#bytesMovedUnseen`). */
  #seenMoved = 0;
  #seenSent = 0;
  #timerFired = false;
  /** Set by `pause()`: the stream's read-ahead must not resume the transport. */
  #userPaused = false;
  /** The last `setKeepAlive` setting passed to the transport (undefined: none yet). */
  #keepAliveOn: boolean | undefined = undefined;
  #keepAliveDelay = -1;
  /**
   * Set once a 'data' or 'readable' listener is added: while the HTTP layer
   * consumes the socket, bytes then also reach the Readable side (as Node's
   * parser "unconsumes" the socket for user listeners).
   */
  #tapped = false;
  /** Set while `on('data')` runs with a consumer attached: its implicit resume leaves the transport alone. */
  #inTapOn = false;

  /** Wrap `transport` and install this socket as its handler. */
  constructor(transport: Transport, options: SocketOptions = {}) {
    super({
      allowHalfOpen: options.allowHalfOpen ?? false,
      emitClose: false,
      autoDestroy: true,
      decodeStrings: true,
      // Node 20's 16 KiB, not the runtime's default (Deno and Bun use 64 KiB):
      // an IncomingMessage buffers as much as its socket's readable side, and a
      // message's write() returns false past as many bytes as on Node.
      readableHighWaterMark: options.readableHighWaterMark ?? 16384,
      writableHighWaterMark: options.writableHighWaterMark ?? 16384,
    });
    this.#transport = transport;
    transport.setHandler(new Socket.#Handler(this));
  }

  // ---- transport callbacks ----

  /** Receives the transport's events: one small object per socket, its methods shared. */
  static readonly #Handler = class SocketHandler implements TransportHandler {
    readonly s: Socket;
    constructor(s: Socket) {
      this.s = s;
    }
    onData(chunk: Uint8Array): void {
      const s = this.s;
      if (s.timeout) s.#lastActive = loopNow();
      const consumer = s.#consumer;
      if (consumer !== null) {
        if (s.#backlog !== null) s.#backlog.push(toBuffer(chunk));
        else if (s.#tapped) s.#tapData(chunk, consumer);
        else consumer.onData(chunk);
        return;
      }
      if (!s.push(toBuffer(chunk))) s.#transport.pause();
    }

    onDrain(): void {
      const s = this.s;
      if (s.timeout) s.#lastActive = loopNow();
      s.#consumer?.onDrain();
      const pending = s.#pendingWrite;
      if (pending !== null) {
        s.#pendingWrite = null;
        pending();
      } else if (s.#consumer !== null) {
        // The HTTP layer writes the transport directly: tell 'drain' listeners too.
        s.emit("drain");
      }
    }

    onEnd(): void {
      const s = this.s;
      if (s.timeout) s.#lastActive = loopNow();
      s.#readEnded = true;
      const consumer = s.#consumer;
      if (consumer !== null) {
        if (s.#backlog !== null) s.#backlogEnd = true;
        else consumer.onEnd();
        return;
      }
      s.#pushEnd();
    }

    onClose(error: Error | null): void {
      const s = this.s;
      s.#transportClosed = true;
      // Destroyed without an error, the socket stays so (as Node's, whose
      // destroy() lets go of the handle): a failure the transport meets while
      // closing, such as a reset under a write still queued, is not reported.
      if (s.destroyed && s.#error === null) error = null;
      if (error !== null && s.#error === null) s.#error = error;
      s.#clearTimer();
      s.#consumer?.onClose(error);
      if (!s.destroyed) {
        if (error === null && s.#consumer === null && s.#endPushed && !s.readableEnded) {
          // A clean close with bytes still unread: 'end' (then 'close') once they are read.
          s.once("end", () => s.destroy());
        } else {
          s.#destroyWith(error);
        }
      } else if (!s.#inDestroy) {
        process.nextTick(() => s.#emitClose());
      }
      const pending = s.#pendingWrite;
      if (pending !== null) {
        s.#pendingWrite = null;
        pending(error ?? ERR_STREAM_DESTROYED("write"));
      }
    }

    onConnect(): void {
      const s = this.s;
      if (s.timeout) s.#lastActive = loopNow();
      s.#consumer?.onConnect?.();
      s.emit("connect");
      s.emit("ready");
    }
  };

  /**
   * A consumed chunk with user 'data'/'readable' listeners: the consumer
   * parses it first, then (unless it let go of the socket meanwhile, as on an
   * upgrade, where the rest travels as `head`) the Readable side gets it too.
   */
  #tapData(chunk: Uint8Array, consumer: TransportHandler): void {
    if (super.listenerCount("data") === 0 && super.listenerCount("readable") === 0) {
      consumer.onData(chunk);
      return;
    }
    const buf = toBuffer(chunk);
    const listeners = this.listeners("data");
    consumer.onData(buf);
    if (this.#consumer === consumer && !this.destroyed) {
      this.push(buf);
      return;
    }
    // Let go (upgrade) or destroyed (bad request) by this very chunk: as in
    // Node, the listeners there before it still see it; later ones do not.
    const encoding = this.readableEncoding;
    const data = encoding === null ? buf : buf.toString(encoding);
    for (const fn of listeners) fn.call(this, data);
  }

  /** Adding a 'data' or 'readable' listener also taps consumed bytes (see `#tapped`). */
  // deno-lint-ignore no-explicit-any
  override on(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event !== "data" && event !== "readable") return super.on(event, listener);
    this.#tapped = true;
    if (this.#consumer === null) return super.on(event, listener);
    // The HTTP layer paces reading (e.g. paused while responses back up).
    this.#inTapOn = true;
    try {
      return super.on(event, listener);
    } finally {
      this.#inTapOn = false;
    }
  }

  /** Same as `on()`. */
  // deno-lint-ignore no-explicit-any
  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    return this.on(event, listener);
  }

  /**
   * Same as `on()`, at the front of the listeners. A 'data' listener starts
   * the flow as `on('data')` does (Node's HTTP layer keeps its sockets
   * flowing, so a prepended listener there sees the bytes too).
   */
  // deno-lint-ignore no-explicit-any
  override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event !== "data" && event !== "readable") return super.prependListener(event, listener);
    this.#tapped = true;
    super.prependListener(event, listener);
    if (event === "data" && this.readableFlowing !== false) {
      this.#inTapOn = this.#consumer !== null;
      try {
        this.resume();
      } finally {
        this.#inTapOn = false;
      }
    }
    return this;
  }

  #pushEnd(): void {
    if (this.#endPushed) return;
    this.#endPushed = true;
    this.push(null);
    // As net.Socket does at EOF: lets 'end' come even while nobody reads.
    this.read(0);
  }

  /**
   * Destroy because of `error`. While the HTTP layer consumes the socket and
   * nobody listens to 'error', the error goes to the consumer only (as Node's
   * http server/client listen to socket errors themselves).
   */
  #destroyWith(error: Error | null): void {
    if (error !== null && this.#consumer !== null && this.listenerCount("error") === 0) {
      this.destroy();
    } else {
      this.destroy(error ?? undefined);
    }
  }

  #emitClose(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.emit("close", this.#error !== null);
  }

  // ---- Duplex implementation ----

  /** @internal */
  override _read(_size: number): void {
    if (this.#consumer === null && !this.#transportClosed && !this.#userPaused) {
      this.#transport.resume();
    }
  }

  /**
   * `Readable.read()`. Reading explicitly (any size but 0, which is the
   * stream's own read-ahead) asks for bytes again after a `pause()`.
   */
  override read(size?: number): ReturnType<Duplex["read"]> {
    if (size !== 0) this.#userPaused = false;
    return super.read(size);
  }

  /** @internal */
  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#send(chunk, callback);
  }

  /** @internal Corked or queued writes go to the transport as one chunk. */
  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    if (chunks.length === 1) {
      this.#send(chunks[0].chunk, callback);
      return;
    }
    let total = 0;
    for (const c of chunks) total += c.chunk.byteLength;
    const data = Buffer.allocUnsafe(total);
    let offset = 0;
    for (const c of chunks) {
      data.set(c.chunk, offset);
      offset += c.chunk.byteLength;
    }
    this.#send(data, callback);
  }

  #send(data: Uint8Array, callback: (error?: Error | null) => void): void {
    if (this.#transportClosed) {
      callback(this.#error ?? ERR_STREAM_DESTROYED("write"));
      return;
    }
    if (this.timeout) this.#lastActive = loopNow();
    // Made on the first write through the Socket (idle HTTP connections never need it).
    const onWritten = this.#onWritten ??= (error?: Error | null): void => this.#written(error);
    const ok = this.#transport.write(data, onWritten);
    if (ok) callback();
    else this.#pendingWrite = callback;
  }

  #onWritten: ((error?: Error | null) => void) | null = null;

  #written(error?: Error | null): void {
    if (!error) return;
    const pending = this.#pendingWrite;
    if (pending !== null) {
      this.#pendingWrite = null;
      if (this.#consumer !== null && this.listenerCount("error") === 0) {
        if (this.#error === null) this.#error = error;
        pending();
        if (!this.destroyed) this.destroy();
      } else {
        pending(error);
      }
      return;
    }
    if (!this.destroyed && !this.#transportClosed) {
      if (this.#error === null) this.#error = error;
      this.#destroyWith(error);
    }
  }

  /** @internal */
  override _final(callback: (error?: Error | null) => void): void {
    if (this.#transportClosed) {
      callback();
      return;
    }
    this.#transport.end(() => callback());
  }

  /** @internal */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearTimer();
    if (error && this.#error === null) this.#error = error;
    if (!this.#transportClosed) {
      this.#inDestroy = true;
      try {
        this.#transport.destroy(error ?? undefined);
      } finally {
        this.#inDestroy = false;
      }
    }
    callback(error);
    if (this.#transportClosed) process.nextTick(() => this.#emitClose());
  }

  /**
   * The HTTP parser reading this socket (Node's `socket.parser`): set while a
   * server or client connection reads HTTP from it, `null` once the socket was
   * handed over (after 'upgrade'/'connect') or sits idle in an Agent's pool.
   */
  get parser(): object | null {
    const c = this.#consumer as { parser?: object | null } | null;
    return c === null ? null : c.parser ?? null;
  }
  set parser(_value: object | null) {
    // Node's HTTP layer assigns it; here it follows the connection reading the socket.
  }

  /**
   * As on Node, where the HTTP parser reads a socket through a 'data'
   * listener of its own: while `parser` is set, `listenerCount("data")`
   * counts it (one more than the user's listeners).
   */
  // deno-lint-ignore ban-types
  override listenerCount(event: string | symbol, listener?: Function): number {
    const n = super.listenerCount(event, listener);
    return event === "data" && listener === undefined && this.parser !== null ? n + 1 : n;
  }

  // ---- consumer hand-off ----

  /** @internal See `attachConsumer`. */
  _attachConsumer(consumer: TransportHandler): void {
    this.#consumer = consumer;
    // Bytes the Readable side already holds go to the consumer first, in order.
    const state = this as unknown as { readableLength: number };
    const buffered = state.readableLength > 0 || (this.#endPushed && !this.readableEnded);
    if (!buffered) return;
    const backlog: Buffer[] = [];
    let chunk: unknown;
    while ((chunk = this.read()) !== null) {
      backlog.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer));
    }
    this.#backlog = backlog;
    this.#backlogEnd = this.#readEnded;
    queueMicrotask(() => this.#flushBacklog(consumer));
  }

  #flushBacklog(consumer: TransportHandler): void {
    const backlog = this.#backlog;
    this.#backlog = null;
    if (backlog === null || this.#consumer !== consumer) {
      // Detached meanwhile: the bytes go back to the Readable side.
      if (backlog !== null) { for (const c of backlog) this.push(c); }
      if (this.#backlogEnd) this.#pushEnd();
      this.#backlogEnd = false;
      return;
    }
    for (const c of backlog) consumer.onData(c);
    if (this.#backlogEnd) {
      this.#backlogEnd = false;
      consumer.onEnd();
    }
  }

  /** @internal See `detachConsumer`. */
  _detachConsumer(): void {
    if (this.#consumer === null) return;
    this.#consumer = null;
    const backlog = this.#backlog;
    if (backlog !== null) {
      this.#backlog = null;
      for (const c of backlog) this.push(c);
    }
    if (this.#readEnded) this.#pushEnd();
    // Neither flowing nor paused: a user's on('data') starts the flow.
    const state = (this as unknown as { _readableState?: { flowing: boolean | null } })
      ._readableState;
    if (state && state.flowing === true) state.flowing = null;
  }

  /** The transport under this socket (see also `transportOf`). */
  get _transport(): Transport {
    return this.#transport;
  }

  /** The consumer currently attached (the HTTP layer), if any. */
  get consumer(): TransportHandler | null {
    return this.#consumer;
  }

  // ---- net.Socket surface ----

  /** Pause the readable side and the transport. */
  override pause(): this {
    super.pause();
    this.#userPaused = true;
    if (!this.#transportClosed) this.#transport.pause();
    return this;
  }

  /** Resume the readable side and the transport. */
  override resume(): this {
    super.resume();
    if (this.#inTapOn) return this;
    this.#userPaused = false;
    if (!this.#transportClosed) this.#transport.resume();
    return this;
  }

  /**
   * Emit 'timeout' after `msecs` ms without activity (0 disables), once per
   * idle period: a new one starts with the next activity. Activity is what
   * Node counts: bytes read (and EOF), writes (through the socket or, via
   * `_touch`, by the HTTP layer), 'drain' and 'connect'.
   *
   * One unref'd timer per socket; activity only records its time. When the
   * timer expires early it waits for exactly the rest of the period, so
   * 'timeout' fires `msecs` after the last activity (not up to 2x).
   */
  setTimeout(msecs: number, callback?: () => void): this {
    if (typeof msecs !== "number") throw ERR_INVALID_ARG_TYPE("msecs", "number", msecs);
    if (msecs < 0 || !Number.isFinite(msecs)) {
      throw ERR_OUT_OF_RANGE("msecs", "a non-negative finite number", msecs);
    }
    if (callback !== undefined && typeof callback !== "function") {
      throw ERR_INVALID_ARG_TYPE("callback", "Function", callback);
    }
    this.timeout = msecs;
    this.#timerFired = false;
    if (msecs === 0) {
      // A pending timer stays: it stops at its expiry, or serves the next
      // setTimeout (the server sets 0 then the keep-alive timeout per request).
      if (callback) this.removeListener("timeout", callback);
    } else {
      if (!this.destroyed) this.#startPeriod(msecs);
      if (callback) this.once("timeout", callback);
    }
    return this;
  }

  /**
   * @internal The HTTP layer wrote to the transport directly (or saw other
   * activity): the idle period restarts now. One clock read (none while no
   * timeout is set), no timer work.
   */
  _touch(): void {
    if (this.timeout) this.#lastActive = loopNow();
  }

  /** A new idle period of `msecs` from now (as Node's `setTimeout` restarts its timer). */
  #startPeriod(msecs: number): void {
    const now = loopNow();
    this.#lastActive = now;
    this.#bytesMovedUnseen();
    const d = this.#deadline;
    // A pending deadline due before the period ends re-arms itself for the
    // rest of it: nothing to move when the timeout is set again.
    if (d !== null && d.armed && d.at <= now + msecs) return;
    this.#armTimer(msecs, now);
  }

  #armTimer(msecs: number, now: number): void {
    // (Longer than a timer can wait: the deadline waits the longest, then the rest.)
    (this.#deadline ??= new Deadline<Socket>(Socket.#fireTimer, this as Socket)).arm(msecs, now);
  }

  /**
   * True when the transport moved bytes nobody reported since the last call:
   * bytes read or written or queued on it directly (a consumer that does not
   * call `_touch`), or queued bytes going out (Node refreshes its timer when
   * its write queue made progress). Records the counters for the next call.
   */
  #bytesMovedUnseen(): boolean {
    const t = this.#transport;
    const queued = t.writableLength;
    const sent = t.bytesWritten;
    const moved = t.bytesRead + sent + queued;
    // (`moved` only shrinks when a transport counts bytes as written when queued
    // and then its queue empties: that is no activity.)
    const unseen = moved > this.#seenMoved || (queued > 0 && sent !== this.#seenSent);
    this.#seenMoved = moved;
    this.#seenSent = sent;
    return unseen;
  }

  /** The timer callback, shared by every socket (no closure per socket). */
  static #fireTimer(socket: Socket): void {
    socket.#onTimer();
  }

  #onTimer(): void {
    const msecs = this.timeout ?? 0;
    if (this.destroyed || msecs === 0) return;
    const now = loopNow();
    const idle = now - this.#lastActive;
    if (idle < msecs) {
      // Activity since the timer was armed: wait for exactly the rest of the period
      // (rounded up: never early). The timer is always due within `msecs` of the
      // last counter snapshot, so `idle >= msecs` below means no reported activity.
      this.#timerFired = false;
      this.#bytesMovedUnseen();
      this.#armTimer(Math.ceil(msecs - idle), now);
      return;
    }
    if (this.#bytesMovedUnseen()) {
      // Unreported bytes moved at some unknown time: count them as activity now.
      this.#timerFired = false;
      this.#lastActive = now;
      this.#armTimer(msecs, now);
      return;
    }
    // Idle for the whole period. Re-armed even so: the next expiry notices the
    // activity that starts a new period (and fires `msecs` after it).
    this.#armTimer(msecs, now);
    if (!this.#timerFired) {
      this.#timerFired = true;
      this.emit("timeout");
    }
  }

  #clearTimer(): void {
    this.#deadline?.cancel();
  }

  /** TCP_NODELAY (default true). */
  setNoDelay(noDelay: boolean = true): this {
    if (!this.#transportClosed) this.#transport.setNoDelay(Boolean(noDelay));
    return this;
  }

  /**
   * SO_KEEPALIVE with an initial delay in ms. As Node's, a call that repeats
   * the current setting is not passed on (the agent calls it on every reuse).
   */
  setKeepAlive(enable: boolean = false, initialDelay: number = 0): this {
    if (!this.#transportClosed) {
      const on = Boolean(enable);
      const delay = Math.max(0, ~~initialDelay);
      if (on !== this.#keepAliveOn || (on && delay !== this.#keepAliveDelay)) {
        this.#keepAliveOn = on;
        this.#keepAliveDelay = delay;
        this.#transport.setKeepAlive(on, delay);
      }
    }
    return this;
  }

  /** Let this socket keep the process alive. */
  ref(): this {
    if (!this.#transportClosed) this.#transport.ref();
    return this;
  }

  /** Do not let this socket alone keep the process alive. */
  unref(): this {
    if (!this.#transportClosed) this.#transport.unref();
    return this;
  }

  /** End the writable side, then destroy once it finished. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }

  /** `{ address, family, port }` of the local end, `{}` when there is none (unix, closed). */
  address(): AddressInfo | Record<string, never> {
    const t = this.#transport;
    const address = t.localAddress;
    const port = t.localPort;
    if (address === undefined || port === undefined) return {};
    return { address, family: address.includes(":") ? "IPv6" : "IPv4", port };
  }

  /** The peer's IP address. */
  get remoteAddress(): string | undefined {
    return this.#transport.remoteAddress;
  }

  /** The peer's port. */
  get remotePort(): number | undefined {
    return this.#transport.remotePort;
  }

  /** `'IPv4'` or `'IPv6'`. */
  get remoteFamily(): string | undefined {
    return this.#transport.remoteFamily;
  }

  /** The local IP address. */
  get localAddress(): string | undefined {
    return this.#transport.localAddress;
  }

  /** The local port. */
  get localPort(): number | undefined {
    return this.#transport.localPort;
  }

  /** `'IPv4'` or `'IPv6'` of the local address. */
  get localFamily(): string | undefined {
    const a = this.#transport.localAddress;
    return a === undefined ? undefined : a.includes(":") ? "IPv6" : "IPv4";
  }

  /** Bytes received. */
  get bytesRead(): number {
    return this.#transport.bytesRead;
  }

  /** Bytes sent, plus the ones still queued (as Node counts them). */
  get bytesWritten(): number {
    // An HTTP message batches its writes for one tick before handing them
    // over; Node's socket would already count them as written (and queued).
    const msg = (this as { _httpMessage?: { outputSize?: number } | null })._httpMessage;
    const batched = msg && typeof msg.outputSize === "number" ? msg.outputSize : 0;
    return this.#transport.bytesWritten + this.writableLength + batched;
  }

  /** True while the client connection is being established. */
  get connecting(): boolean {
    return this.#transport.connecting;
  }

  /** True while not yet connected. */
  get pending(): boolean {
    return this.#transport.connecting;
  }

  /** `'opening'`, `'open'`, `'readOnly'`, `'writeOnly'` or `'closed'`. */
  get readyState(): string {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable && !this.writable) return "readOnly";
    if (!this.readable && this.writable) return "writeOnly";
    return "closed";
  }

  /** Deprecated alias of `writableLength`. */
  get bufferSize(): number | undefined {
    return this.#transportClosed ? undefined : this.writableLength;
  }
}

// `writableLength` counts the transport's queue too (the HTTP layer writes it
// directly). Defined here because the Duplex typings declare it as a property.
Object.defineProperty(Socket.prototype, "writableLength", {
  configurable: true,
  enumerable: false,
  get(this: Socket): number {
    const state = (this as unknown as { _writableState?: { length: number } })._writableState;
    return (state?.length ?? 0) + this._transport.writableLength;
  },
});

/**
 * A `Socket` over `transport`.
 *
 * @example
 * ```ts
 * const socket = socketFor(transport);
 * ```
 */
export function socketFor(transport: Transport): Socket {
  return new Socket(transport);
}

/**
 * The transport under a `Socket`.
 *
 * @example
 * ```ts
 * transportOf(socket).write(bytes);
 * ```
 */
export function transportOf(socket: Socket): Transport {
  return socket._transport;
}

/**
 * Give a connection's bytes to the HTTP layer. For our `Socket`: from now on
 * the transport's `onData`/`onEnd` go to `consumer` instead of the Readable
 * side (bytes the Readable side already held are delivered first, in a
 * microtask); `onDrain`/`onClose`/`onConnect` go to `consumer` and the socket
 * still emits its own events. For any other Duplex: a `DuplexTransport` with
 * `consumer` as handler (the same one on later calls). Returns the transport
 * to write to directly.
 *
 * @example
 * ```ts
 * const transport = attachConsumer(socket, parserHandler);
 * transport.write(responseBytes);
 * ```
 */
export function attachConsumer(stream: Duplex, consumer: TransportHandler): Transport {
  if (stream instanceof Socket) {
    stream._attachConsumer(consumer);
    return stream._transport;
  }
  const holder = stream as Duplex & { [kDuplexTransport]?: DuplexTransport };
  let transport = holder[kDuplexTransport];
  if (transport === undefined) {
    transport = new DuplexTransport(stream);
    Object.defineProperty(holder, kDuplexTransport, {
      value: transport,
      configurable: true,
      enumerable: false,
      writable: true,
    });
  } else {
    transport.attach();
  }
  transport.setHandler(consumer);
  return transport;
}

/**
 * The HTTP layer lets go (after an upgrade or CONNECT): our `Socket` pushes
 * bytes into its Readable side again (paused or flowing as the user decides);
 * a foreign Duplex loses every listener its `DuplexTransport` added.
 *
 * @example
 * ```ts
 * detachConsumer(socket);
 * server.emit("upgrade", req, socket, head);
 * ```
 */
export function detachConsumer(stream: Duplex): void {
  if (stream instanceof Socket) {
    stream._detachConsumer();
    return;
  }
  (stream as Duplex & { [kDuplexTransport]?: DuplexTransport })[kDuplexTransport]?.detach();
}
