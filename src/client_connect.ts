/**
 * The client's default `createConnection`: `net.createConnection()` on top of
 * the runtime's transport (`getRuntime().connect()`), wrapped as our `Socket`.
 *
 * @module
 */

import { getRuntime } from "./transport/runtime.ts";
import type { ConnectOptions, TransportHandler } from "./transport/transport.ts";
import { Socket } from "./socket.ts";
import { abortError, ERR_INVALID_ARG_TYPE } from "./core/errors.ts";

/** Connection options accepted by `createConnection` (Node's `net.connect` subset). */
export interface ClientConnectOptions extends ConnectOptions {
  /** Unix socket path (a null `path` means TCP). */
  path?: string;
  /** Idle timeout set on the new socket (ms). */
  timeout?: number;
  /** Alias of `path` in request options. */
  socketPath?: string;
  /** Aborting it destroys the socket with an `AbortError` (as `net.connect`'s `signal`). */
  signal?: AbortSignal;
}

function noop(): void {}

/**
 * Opens a connection like `net.createConnection(options)`: returns a `Socket`
 * at once (`connecting` true), which emits 'connect' when established or
 * 'error' + 'close' when it fails.
 *
 * @example
 * ```ts
 * const socket = createConnection({ host: "127.0.0.1", port: 8080 });
 * socket.on("connect", () => socket.end());
 * ```
 */
export function createConnection(options: ClientConnectOptions): Socket {
  const o: ConnectOptions = {};
  if (options.path) {
    o.path = options.path;
  } else {
    o.host = options.host || "localhost";
    o.port = Number(options.port) || 0;
    if (options.family !== undefined) o.family = options.family;
    if (options.localAddress !== undefined) o.localAddress = options.localAddress;
    if (options.localPort !== undefined) o.localPort = options.localPort;
    if (options.hints !== undefined) o.hints = options.hints;
    if (options.lookup !== undefined) o.lookup = options.lookup;
  }
  if (options.noDelay !== undefined) o.noDelay = options.noDelay;
  if (options.keepAlive !== undefined) o.keepAlive = options.keepAlive;
  if (options.keepAliveInitialDelay !== undefined) {
    o.keepAliveInitialDelay = options.keepAliveInitialDelay;
  }
  // The Socket installs its own handler; events are only delivered asynchronously.
  const placeholder: TransportHandler = {
    onData: noop,
    onDrain: noop,
    onEnd: noop,
    onClose: noop,
  };
  const signal = options.signal;
  if (
    signal !== undefined &&
    (typeof signal !== "object" || signal === null || !("aborted" in signal))
  ) {
    throw ERR_INVALID_ARG_TYPE("options.signal", "AbortSignal", signal);
  }
  const transport = getRuntime().connect(o, placeholder);
  const socket = new Socket(transport);
  if (options.timeout) socket.setTimeout(options.timeout);
  if (signal) {
    const onAbort = (): void => {
      socket.destroy(abortError(signal.reason));
    };
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener("abort", onAbort, { once: true });
      socket.once("close", () => signal.removeEventListener("abort", onAbort));
    }
  }
  return socket;
}
