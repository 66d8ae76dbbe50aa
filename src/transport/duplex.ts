/**
 * `DuplexTransport`: any `stream.Duplex` (a user's socket-like stream, a
 * `net.Socket`, a `PassThrough` pair...) seen as a `Transport`.
 *
 * @module
 */

import type { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { Transport, TransportHandler, WriteCallback } from "./transport.ts";

const NOOP_HANDLER: TransportHandler = {
  onData(): void {},
  onDrain(): void {},
  onEnd(): void {},
  onClose(): void {},
};

/** The socket-like extras a Duplex may have (a `net.Socket` has them all). */
interface SocketLike {
  connecting?: boolean;
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
  localAddress?: string;
  localPort?: number;
  setNoDelay?(noDelay?: boolean): unknown;
  setKeepAlive?(enable?: boolean, initialDelay?: number): unknown;
  ref?(): unknown;
  unref?(): unknown;
}

/**
 * A `Transport` over a `stream.Duplex`: 'data', 'drain', 'end', 'close' and
 * 'error' become handler calls; `write`/`end`/`destroy`/`pause`/`resume` go to
 * the duplex. `detach()` removes every listener it added, so the duplex is a
 * plain stream again (for upgrade/CONNECT hand-off).
 *
 * @example
 * ```ts
 * import { PassThrough } from "node:stream";
 * const t = new DuplexTransport(new PassThrough());
 * t.setHandler({ onData: (c) => console.log(c), onDrain() {}, onEnd() {}, onClose() {} });
 * t.write(new TextEncoder().encode("hi")); // echoed back by the PassThrough
 * ```
 */
export class DuplexTransport implements Transport {
  /** The wrapped stream. */
  readonly duplex: Duplex;
  #handler: TransportHandler = NOOP_HANDLER;
  #error: Error | null = null;
  #attached = false;
  #closed = false;
  #bytesRead = 0;
  #bytesWritten = 0;

  readonly #onData = (chunk: Uint8Array | string): void => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.#bytesRead += bytes.byteLength;
    this.#handler.onData(bytes);
  };
  readonly #onDrain = (): void => this.#handler.onDrain();
  readonly #onEnd = (): void => this.#handler.onEnd();
  readonly #onError = (err: Error): void => {
    if (this.#error === null) this.#error = err;
  };
  readonly #onClose = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.#handler.onClose(this.#error);
  };
  readonly #onConnect = (): void => this.#handler.onConnect?.();

  /** Wrap `duplex` and start listening to it. */
  constructor(duplex: Duplex) {
    this.duplex = duplex;
    this.attach();
  }

  /** Install the handler. */
  setHandler(handler: TransportHandler): void {
    this.#handler = handler;
  }

  /** (Re)add the listeners; done by the constructor. */
  attach(): void {
    if (this.#attached) return;
    this.#attached = true;
    const d = this.duplex;
    d.on("drain", this.#onDrain);
    d.on("end", this.#onEnd);
    d.on("error", this.#onError);
    d.on("close", this.#onClose);
    d.on("connect", this.#onConnect);
    d.on("data", this.#onData);
    if (d.destroyed && !this.#closed) {
      // Already gone: 'close' may have been emitted before we listened.
      queueMicrotask(() => {
        if (this.#attached) this.#onClose();
      });
    }
  }

  /**
   * Remove every listener this transport added. The duplex is left neither
   * flowing nor paused, so a user's `on('data')` starts it again.
   */
  detach(): void {
    if (!this.#attached) return;
    this.#attached = false;
    const d = this.duplex;
    d.off("data", this.#onData);
    d.off("drain", this.#onDrain);
    d.off("end", this.#onEnd);
    d.off("error", this.#onError);
    d.off("close", this.#onClose);
    d.off("connect", this.#onConnect);
    const state = (d as unknown as { _readableState?: { flowing: boolean | null } })
      ._readableState;
    if (state && state.flowing === true) state.flowing = null;
    else if (!state) d.pause();
  }

  /** True while the listeners are installed. */
  get attached(): boolean {
    return this.#attached;
  }

  /** Each write is a call of the duplex's own `write` (see `Transport.showsWrites`). */
  readonly showsWrites = true;

  /** `duplex.write(chunk, callback)`. */
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    this.#bytesWritten += chunk.byteLength;
    return this.duplex.write(chunk, callback);
  }

  /** The chunks between `duplex.cork()` and `uncork()` (one `_writev` when it has one). */
  writev(chunks: readonly Uint8Array[], callback?: WriteCallback): boolean {
    const d = this.duplex;
    const last = chunks.length - 1;
    d.cork();
    for (let i = 0; i < last; i++) {
      this.#bytesWritten += chunks[i].byteLength;
      d.write(chunks[i]);
    }
    this.#bytesWritten += chunks[last].byteLength;
    const ret = d.write(chunks[last], callback);
    d.uncork();
    return ret;
  }

  /** `duplex.end(callback)`. */
  end(callback?: () => void): void {
    if (callback) this.duplex.end(() => callback());
    else this.duplex.end();
  }

  /** `duplex.destroy(error)`. */
  destroy(error?: Error): void {
    if (error && this.#error === null) this.#error = error;
    this.duplex.destroy(error);
  }

  /** `duplex.pause()`. */
  pause(): void {
    this.duplex.pause();
  }

  /** `duplex.resume()`. */
  resume(): void {
    this.duplex.resume();
  }

  /** `duplex.setNoDelay()` when it has one. */
  setNoDelay(noDelay: boolean): void {
    (this.duplex as unknown as SocketLike).setNoDelay?.(noDelay);
  }

  /** `duplex.setKeepAlive()` when it has one. */
  setKeepAlive(enable: boolean, initialDelayMs: number): void {
    (this.duplex as unknown as SocketLike).setKeepAlive?.(enable, initialDelayMs);
  }

  /** `duplex.ref()` when it has one. */
  ref(): void {
    (this.duplex as unknown as SocketLike).ref?.();
  }

  /** `duplex.unref()` when it has one. */
  unref(): void {
    (this.duplex as unknown as SocketLike).unref?.();
  }

  /** The duplex's own `connecting`, else false. */
  get connecting(): boolean {
    return (this.duplex as unknown as SocketLike).connecting === true;
  }

  /** `duplex.destroyed`. */
  get destroyed(): boolean {
    return this.duplex.destroyed;
  }

  /** `duplex.writableLength`. */
  get writableLength(): number {
    return this.duplex.writableLength;
  }

  /** `duplex.writableNeedDrain`. */
  get writableNeedDrain(): boolean {
    return this.duplex.writableNeedDrain === true;
  }

  /** Bytes received through this transport. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes written through this transport. */
  get bytesWritten(): number {
    return this.#bytesWritten;
  }

  /** The duplex's own `remoteAddress`, if any. */
  get remoteAddress(): string | undefined {
    return (this.duplex as unknown as SocketLike).remoteAddress;
  }

  /** The duplex's own `remotePort`, if any. */
  get remotePort(): number | undefined {
    return (this.duplex as unknown as SocketLike).remotePort;
  }

  /** The duplex's own `remoteFamily`, if any. */
  get remoteFamily(): string | undefined {
    return (this.duplex as unknown as SocketLike).remoteFamily;
  }

  /** The duplex's own `localAddress`, if any. */
  get localAddress(): string | undefined {
    return (this.duplex as unknown as SocketLike).localAddress;
  }

  /** The duplex's own `localPort`, if any. */
  get localPort(): number | undefined {
    return (this.duplex as unknown as SocketLike).localPort;
  }
}
