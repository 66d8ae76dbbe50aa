/**
 * Node-style system errors (`code`, `errno`, `syscall`, `address`, `port`) for the
 * adapters whose runtime does not produce them itself (Deno, Bun, in-memory).
 *
 * The messages follow Node's shapes: `read ECONNRESET`, `connect ECONNREFUSED
 * 127.0.0.1:80`, `listen EADDRINUSE: address already in use 127.0.0.1:80`,
 * `getaddrinfo ENOTFOUND example.invalid`. `errno` values are Linux's (negated,
 * as libuv reports them).
 *
 * @module
 */

/** A Node-style system error. */
export interface SystemError extends Error {
  errno: number;
  code: string;
  syscall: string;
  address?: string;
  port?: number;
  hostname?: string;
}

const ERRNO: Record<string, number> = {
  EPERM: -1,
  ENOENT: -2,
  EACCES: -13,
  EINVAL: -22,
  EPIPE: -32,
  ENETUNREACH: -101,
  ECONNABORTED: -103,
  ECONNRESET: -104,
  ENOTCONN: -107,
  ETIMEDOUT: -110,
  ECONNREFUSED: -111,
  EHOSTUNREACH: -113,
  EADDRINUSE: -98,
  EADDRNOTAVAIL: -99,
  EAI_AGAIN: -3001,
  ENOTFOUND: -3008,
};

const DESCRIPTION: Record<string, string> = {
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EINVAL: "invalid argument",
  EPIPE: "broken pipe",
  ECONNRESET: "connection reset by peer",
  ECONNREFUSED: "connection refused",
  EADDRINUSE: "address already in use",
  EADDRNOTAVAIL: "address not available",
  ETIMEDOUT: "connection timed out",
};

function details(address: string | undefined, port: number | undefined): string {
  if (port !== undefined && port > 0) return ` ${address}:${port}`;
  return address ? ` ${address}` : "";
}

/**
 * An error as Node's `errnoException`/`exceptionWithHostPort` build it:
 * message `${syscall} ${code}` plus ` address:port` (or ` address`) when given.
 *
 * @example
 * ```ts
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
  const err = new Error(`${syscall} ${code}${details(address, port)}`) as SystemError;
  err.errno = ERRNO[code] ?? -1;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}

/**
 * An error as Node's `uvExceptionWithHostPort` builds it (used for `listen`):
 * message `${syscall} ${code}: ${description}` plus ` address:port` (or ` address`).
 *
 * @example
 * ```ts
 * uvExceptionWithHostPort("EADDRINUSE", "listen", "127.0.0.1", 8080).message;
 * // "listen EADDRINUSE: address already in use 127.0.0.1:8080"
 * ```
 */
export function uvExceptionWithHostPort(
  code: string,
  syscall: string,
  address?: string,
  port?: number,
): SystemError {
  const desc = DESCRIPTION[code] ?? "unknown error";
  const err = new Error(`${syscall} ${code}: ${desc}${details(address, port)}`) as SystemError;
  err.code = code;
  err.errno = ERRNO[code] ?? -1;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}

/**
 * A DNS lookup failure as Node reports it: `getaddrinfo ENOTFOUND host`.
 *
 * @example
 * ```ts
 * dnsException("ENOTFOUND", "example.invalid").message; // "getaddrinfo ENOTFOUND example.invalid"
 * ```
 */
export function dnsException(code: string, hostname: string): SystemError {
  const err = new Error(`getaddrinfo ${code} ${hostname}`) as SystemError;
  err.errno = ERRNO[code] ?? -3008;
  err.code = code;
  err.syscall = "getaddrinfo";
  err.hostname = hostname;
  return err;
}

/** Deno's error class names and Rust io::ErrorKind names, mapped to errno codes. */
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
 */
export function normalizeSystemError(error: Error): Error {
  const e = error as Partial<SystemError>;
  if (typeof e.code !== "string" || typeof e.syscall !== "string") return error;
  if (typeof e.errno === "number" && e.errno > 0) e.errno = -e.errno;
  if (!error.message.startsWith(`${e.syscall} ${e.code}`)) {
    const fresh = e.syscall === "listen"
      ? uvExceptionWithHostPort(e.code, e.syscall, e.address, e.port)
      : errnoException(e.code, e.syscall, e.address, e.port);
    error.message = fresh.message;
  }
  return error;
}
