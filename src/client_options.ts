/**
 * Options of `http.request()` and the URL → options conversion Node applies.
 *
 * @module
 */

import type { Duplex } from "node:stream";
import type { ConnectOptions } from "./transport/transport.ts";

/** Anything with `addRequest(req, options)`: an `Agent` or an agent-like object. */
export interface AgentLike {
  // deno-lint-ignore no-explicit-any
  addRequest(req: any, options: any): void;
  protocol?: string;
  defaultPort?: number;
  keepAlive?: boolean;
  maxSockets?: number;
  // deno-lint-ignore no-explicit-any
  options?: any;
}

/** Options of `request()` / `get()` (and `new ClientRequest()`). */
export interface RequestOptions {
  /** `undefined` → the global agent, an Agent, or `false` → a one-off agent. */
  agent?: AgentLike | boolean | null;
  /** `'user:password'`, sent as a Basic `Authorization` header. */
  auth?: string | null;
  /** Produces the connection (any Duplex), when no agent is used. */
  createConnection?: (
    options: RequestOptions,
    callback: (err: Error | null, socket?: Duplex) => void,
  ) => Duplex | void | null | undefined;
  /** Default port of the protocol (the agent's when unset). */
  defaultPort?: number;
  /** IP family to resolve to: 4 or 6. */
  family?: number;
  /** Request headers: an object or a raw `[name, value, ...]` array. */
  headers?: Record<string, string | number | readonly string[] | undefined> | readonly string[];
  /** `dns.lookup()` hints. */
  hints?: number;
  /** Server host name or IP address. Default 'localhost'. */
  host?: string | null;
  /** Alias of `host`, wins when both are set. */
  hostname?: string | null;
  /** Accept invalid HTTP in the response. */
  insecureHTTPParser?: boolean;
  /** Join duplicate response headers with ', ' instead of discarding them. */
  joinDuplicateHeaders?: boolean;
  /** Local interface to bind. */
  localAddress?: string;
  /** Local port to connect from. */
  localPort?: number;
  /** Custom lookup function. */
  lookup?: ConnectOptions["lookup"];
  /** Max bytes of the response head. Default 16384. */
  maxHeaderSize?: number;
  /** Request method. Default 'GET'. */
  method?: string;
  /** Request target, query included. Default '/'. */
  path?: string | null;
  /** Server port. Default `defaultPort` or 80. */
  port?: number | string | null;
  /** Only 'http:'. */
  protocol?: string | null;
  /**
   * Add the default headers (Connection, Content-Length, Transfer-Encoding,
   * Host) automatically. With false, the head holds only the headers given.
   * Default true. (Added after Node 20.)
   */
  setDefaultHeaders?: boolean;
  /** Add a Host header automatically. Default `setDefaultHeaders`. */
  setHost?: boolean;
  /** Aborts the request (same as `req.destroy()` with an AbortError). */
  signal?: AbortSignal;
  /** Unix domain socket path. */
  socketPath?: string;
  /** Socket idle timeout in ms, set before the socket is connected. */
  timeout?: number;
  /** Request headers sent only once (array values joined with '; '). */
  uniqueHeaders?: readonly string[];
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

/**
 * Converts a WHATWG `URL` to request options as Node's `urlToHttpOptions`
 * does: hostname without IPv6 brackets, `path` = pathname + search, numeric
 * `port` when present, URI-decoded credentials as `auth`.
 *
 * @example
 * ```ts
 * urlToHttpOptions(new URL("http://a:b%20c@[::1]:81/x?y"));
 * // { hostname: "::1", port: 81, path: "/x?y", auth: "a:b c", ... }
 * ```
 */
export function urlToHttpOptions(url: URL): RequestOptions {
  const hostname = url.hostname;
  const options: RequestOptions = {
    ...url,
    protocol: url.protocol,
    hostname: hostname && hostname[0] === "[" ? hostname.slice(1, -1) : hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ""}${url.search || ""}`,
    href: url.href,
  };
  Object.setPrototypeOf(options, null);
  if (url.port !== "") options.port = Number(url.port);
  if (url.username || url.password) {
    options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  }
  return options;
}

/** True for WHATWG URL objects (also URL-like objects from other realms), as Node's `isURL`. */
export function isURL(value: unknown): value is URL {
  if (value instanceof URL) return true;
  if (value === null || typeof value !== "object") return false;
  const v = value as Record<string, unknown>;
  return typeof v.href === "string" && typeof v.protocol === "string" && v.href !== "" &&
    v.auth === undefined && v.path === undefined;
}
