/**
 * The pre-1.0 client API kept as thin deprecated shims: `createClient(port, host)`
 * (a `Client` whose `request(method, path, headers)` returns a `ClientRequest`)
 * and `getAgent(host, port)`.
 *
 * @module
 */

import { EventEmitter } from "node:events";
import process from "node:process";
import { Agent, getGlobalAgent } from "./agent.ts";
import type { ClientRequest } from "./client_request.ts";
import { request } from "./request.ts";

const warned = new Set<string>();
function deprecate(name: string, message: string): void {
  if (warned.has(name)) return;
  warned.add(name);
  process.emitWarning(message, "DeprecationWarning");
}

/** Outgoing headers as the old API took them. */
export type LegacyHeaders = Record<string, string | number | string[]>;

/**
 * The old `http.Client`: a host and port to send requests to. Errors of its
 * requests are re-emitted on the client as 'error'.
 *
 * @deprecated Use `http.request()`.
 */
export class Client extends EventEmitter {
  /** Port requests go to. */
  port: number;
  /** Host requests go to. */
  host: string;
  /** The agent of this client's requests (one per client, keep-alive). */
  agent: Agent;

  /** Creates a client for `host:port` (defaults: 80, "localhost"). */
  constructor(port?: number, host?: string) {
    super();
    this.port = port ?? 80;
    this.host = host ?? "localhost";
    this.agent = new Agent({ keepAlive: true, maxSockets: 1 });
  }

  /**
   * Starts a request: `request(method, path, headers)` or `request(path, headers)` for GET.
   * Call `end()` on the result to send it.
   */
  request(method: string, path?: string | LegacyHeaders, headers?: LegacyHeaders): ClientRequest {
    let m = method;
    let p = path;
    let h = headers;
    if (typeof p !== "string") {
      h = p;
      p = m;
      m = "GET";
    }
    const req = request({
      host: this.host,
      port: this.port,
      method: m,
      path: p,
      headers: h as Record<string, string | string[]> | undefined,
      agent: this.agent,
    });
    req.on("error", (err: Error) => {
      if (this.listenerCount("error") > 0) this.emit("error", err);
    });
    return req;
  }
}

/**
 * Creates an old-style `Client` for `host:port`.
 *
 * @deprecated Use `http.request()`.
 * @example
 * ```ts
 * const client = createClient(8080, "127.0.0.1");
 * const req = client.request("GET", "/", { host: "127.0.0.1" });
 * req.on("response", (res) => res.resume());
 * req.end();
 * ```
 */
export function createClient(port?: number, host?: string): Client {
  deprecate("createClient", "http.createClient is deprecated. Use http.request instead.");
  return new Client(port, host);
}

/**
 * Returns the agent that `request()` uses for `host:port` (the global agent,
 * which keeps one pool per host and port).
 *
 * @deprecated Use `http.globalAgent` or your own `Agent`.
 */
export function getAgent(host?: string, port?: number): Agent {
  void host;
  void port;
  deprecate("getAgent", "http.getAgent is deprecated. Use http.globalAgent instead.");
  return getGlobalAgent();
}
