/**
 * System-error helpers of the adapters whose runtime does not produce Node's
 * errors itself (Deno, Bun, in-memory), on top of the factories of
 * `src/core/errors.ts` (`uvException`, `exceptionWithHostPort`,
 * `dnsException`): Node's shapes such as `read ECONNRESET`,
 * `connect ECONNREFUSED 127.0.0.1:80`, `listen EADDRINUSE: address already in
 * use 127.0.0.1:80`.
 *
 * @module
 */

import { exceptionWithHostPort, type SystemError, uvErrno, uvException } from "../core/errors.ts";

/**
 * An error as Node's `errnoException`/`exceptionWithHostPort` build it:
 * message `${syscall} ${code}` plus ` address:port` (or ` address`) when given;
 * `errno` is libuv's number for `code` on this platform.
 *
 * @example
 * ```ts
 * errnoException("ECONNRESET", "read").message; // "read ECONNRESET"
 * errnoException("ECONNREFUSED", "connect", "127.0.0.1", 80).message;
 * // "connect ECONNREFUSED 127.0.0.1:80"
 * ```
 */
export function errnoException(
  code: string,
  syscall: string,
  address?: string,
  port?: number,
): SystemError {
  if (address !== undefined) return exceptionWithHostPort({ code, syscall, address, port });
  const err = new Error(`${syscall} ${code}`) as SystemError;
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  return err;
}

/** Deno's error class names (`Deno.errors.*`), mapped to errno codes. */
const NAME_TO_CODE: Record<string, string> = {
  BrokenPipe: "EPIPE",
  ConnectionReset: "ECONNRESET",
  ConnectionRefused: "ECONNREFUSED",
  ConnectionAborted: "ECONNABORTED",
  NotConnected: "ENOTCONN",
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  PermissionDenied: "EACCES",
  NotFound: "ENOENT",
  TimedOut: "ETIMEDOUT",
  InvalidData: "EINVAL",
};

/**
 * The errno code a runtime error stands for: its own `code` when it is an
 * `E...` code, else one derived from its class name (Deno's `Deno.errors.*`).
 * Undefined when unknown.
 *
 * @example
 * ```ts
 * codeOf(new Deno.errors.BrokenPipe()); // "EPIPE"
 * ```
 */
export function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const e = error as { code?: unknown; name?: unknown };
  if (typeof e.code === "string" && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (typeof e.name === "string") return NAME_TO_CODE[e.name];
  return undefined;
}

/**
 * Bring a runtime's system error to Node's shape in place (Bun's `node:net`
 * reports `EPIPE: broken pipe, read` and positive `errno`s): message
 * `${syscall} ${code}...` and a negative `errno`. Errors already in Node's
 * shape, and errors without `code`/`syscall`, are returned untouched.
 *
 * @example
 * ```ts
 * socket.on("error", (e) => report(normalizeSystemError(e)));
 * ```
 */
export function normalizeSystemError(error: Error): Error {
  const e = error as Partial<SystemError>;
  if (typeof e.code !== "string" || typeof e.syscall !== "string") return error;
  if (typeof e.errno === "number" && e.errno > 0) e.errno = -e.errno;
  if (!error.message.startsWith(`${e.syscall} ${e.code}`)) {
    const init = { code: e.code, syscall: e.syscall, address: e.address, port: e.port };
    const fresh = e.syscall === "listen" ? uvException(init) : errnoException(
      e.code,
      e.syscall,
      e.address,
      e.port,
    );
    error.message = fresh.message;
  }
  return error;
}
