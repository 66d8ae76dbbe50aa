/**
 * anyhttp: Node.js's `http` module for Node, Deno and Bun, over any byte stream.
 *
 * Named exports follow `node:http`; the default export is an object shaped like
 * the `node:http` module (with a settable `globalAgent`).
 *
 * @example
 * ```ts
 * import http from "./mod.ts";
 *
 * const server = http.createServer((req, res) => {
 *   res.writeHead(200, { "Content-Type": "text/plain" });
 *   res.end("hello\n");
 * });
 * server.listen(0, () => server.close());
 * ```
 *
 * @module
 */

import {
  Agent as AgentClass,
  getGlobalAgent,
  globalAgent,
  initLegacyAgent,
  setGlobalAgent,
} from "./src/agent.ts";
import { ClientRequest } from "./src/client_request.ts";
import { MAX_HEADER_SIZE, METHODS, STATUS_CODES } from "./src/core/constants.ts";
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE } from "./src/core/errors.ts";
import { validateHeaderName, validateHeaderValue } from "./src/core/headers.ts";
import { IncomingMessage } from "./src/incoming_message.ts";
import { Client, createClient, getAgent } from "./src/legacy.ts";
import { OutgoingMessage } from "./src/outgoing_message.ts";
import { get, request } from "./src/request.ts";
import {
  connectionListener,
  createServer,
  initLegacyServer,
  Server as ServerClass,
} from "./src/server.ts";
import { ServerResponse } from "./src/server_response.ts";

export {
  Client,
  ClientRequest,
  connectionListener as _connectionListener,
  createClient,
  createServer,
  get,
  getAgent,
  globalAgent,
  IncomingMessage,
  METHODS,
  OutgoingMessage,
  request,
  ServerResponse,
  STATUS_CODES,
  validateHeaderName,
  validateHeaderValue,
};
export type { AgentOptions } from "./src/agent.ts";
export type { RequestOptions } from "./src/client_options.ts";
export type { IncomingHttpHeaders } from "./src/incoming_message.ts";
export type { RequestListener, ServerOptions } from "./src/server.ts";

// Node's `Server` and `Agent` may be called without `new` (`http.Server(fn)`,
// `http.Agent(opts)`); a Proxy with an `apply` trap gives the classes that
// behaviour while `instanceof`, statics, `prototype` and `extends` still reach
// the class itself. Called on an instance of the class (`Agent.call(this)` in a
// pre-class subclass set up with `util.inherits`), `initLegacy` sets that
// instance up instead, as Node's function constructors do.
function callableWithoutNew<C extends new (...args: never[]) => unknown>(
  cls: C,
  initLegacy?: (self: InstanceType<C>, ...args: never[]) => void,
): C {
  return new Proxy(cls, {
    apply(target: C, thisArg: unknown, args: unknown[]): unknown {
      if (initLegacy && thisArg instanceof target) {
        initLegacy(thisArg as InstanceType<C>, ...(args as never[]));
        return undefined;
      }
      return Reflect.construct(target, args);
    },
  });
}

/**
 * An HTTP Agent (Node's `http.Agent`): pools and reuses client connections.
 * Like Node's, it may also be called without `new`.
 */
export const Agent: typeof AgentClass = callableWithoutNew(AgentClass, initLegacyAgent);
/** An `http.Agent` instance. */
export type Agent = AgentClass;

/**
 * An HTTP server (Node's `http.Server`). Like Node's, it may also be called
 * without `new`: `http.Server((req, res) => res.end())`.
 */
export const Server: typeof ServerClass = callableWithoutNew(ServerClass, initLegacyServer);
/** An `http.Server` instance. */
export type Server = ServerClass;

/** The maximum size of an HTTP head in bytes (16 KiB), as `http.maxHeaderSize`. */
export const maxHeaderSize: number = MAX_HEADER_SIZE;

let maxIdleParsers = 1000;

/**
 * Sets how many idle parsers may be kept for reuse (Node's
 * `http.setMaxIdleHTTPParsers`). anyhttp's parsers are cheap plain objects
 * owned by their connection, so this only validates and records the number.
 */
export function setMaxIdleHTTPParsers(max: number): void {
  if (typeof max !== "number") throw ERR_INVALID_ARG_TYPE("max", "number", max);
  if (!Number.isInteger(max) || max < 1 || max > Number.MAX_SAFE_INTEGER) {
    throw ERR_OUT_OF_RANGE("max", `>= 1 && <= ${Number.MAX_SAFE_INTEGER}`, max);
  }
  maxIdleParsers = max;
}

/** The `node:http`-shaped module object. */
export interface HttpModule {
  Agent: typeof Agent;
  _connectionListener: typeof connectionListener;
  Client: typeof Client;
  ClientRequest: typeof ClientRequest;
  IncomingMessage: typeof IncomingMessage;
  OutgoingMessage: typeof OutgoingMessage;
  Server: typeof Server;
  ServerResponse: typeof ServerResponse;
  METHODS: string[];
  STATUS_CODES: Record<number, string>;
  createClient: typeof createClient;
  createServer: typeof createServer;
  get: typeof get;
  getAgent: typeof getAgent;
  globalAgent: Agent;
  maxHeaderSize: number;
  request: typeof request;
  setMaxIdleHTTPParsers: typeof setMaxIdleHTTPParsers;
  validateHeaderName: typeof validateHeaderName;
  validateHeaderValue: typeof validateHeaderValue;
}

const http: HttpModule = {
  Agent,
  _connectionListener: connectionListener,
  Client,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  METHODS,
  STATUS_CODES,
  createClient,
  createServer,
  get,
  getAgent,
  get globalAgent(): Agent {
    return getGlobalAgent();
  },
  set globalAgent(agent: Agent) {
    setGlobalAgent(agent);
  },
  maxHeaderSize,
  request,
  setMaxIdleHTTPParsers,
  validateHeaderName,
  validateHeaderValue,
};

/** Reads the recorded `setMaxIdleHTTPParsers` value (for tests and introspection). */
export function getMaxIdleHTTPParsers(): number {
  return maxIdleParsers;
}

export default http;
