/**
 * End-to-end robustness fuzz over real loopback sockets. A seeded generator
 * mutates valid request streams (and, for the client, response streams) and
 * sends them over `node:net` in random pieces, then half-closes, destroys or
 * holds the connection. Each case must end without an uncaught error, within
 * a bound, with well-formed responses only, with no more requests served than
 * the parser accepts from the same bytes (no smuggling), and with 'clientError'
 * carrying an `HPE_`/`ERR_`/system code. On the client, every request must
 * end in exactly one outcome, and a keep-alive Agent must not pool a socket
 * whose response did not end.
 *
 * Environment: `E2E_FUZZ_CASES` (per side, default 120) and `E2E_FUZZ_SEED`
 * scale and reseed the run, `E2E_FUZZ_PARALLEL` (default 4) sets the cases in
 * flight at once, `E2E_FUZZ_VERBOSE` prints outcome counts (2: every case that
 * did not end in a response), and `E2E_FUZZ_NODE` runs it against the
 * runtime's `node:http` instead, to compare. Where Node's own parser is more
 * lenient (HTTP/0.9-style request lines, non-chunked request Transfer-Encoding
 * under insecureHTTPParser), `node:http` fails the server side's smuggling
 * bound: anyhttp serves fewer requests there, never more.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import process from "node:process";
import * as anyhttp from "../mod.ts";
import type { ClientRequest, IncomingMessage, Server, ServerResponse } from "../mod.ts";
import {
  HEADERS_BODY,
  HEADERS_SKIP_BODY,
  HEADERS_UPGRADE,
  HTTPParser,
  type MessageHead,
} from "../src/core/parser.ts";
import { listen, sleep, stop } from "./server_util.ts";
import { BYTE_INSERTS, splitAt } from "./fuzz_util.ts";

/** With `E2E_FUZZ_NODE` set, the same cases run against the runtime's `node:http` (the reference). */
const http: typeof anyhttp = process.env.E2E_FUZZ_NODE
  ? (await import("node:http")) as unknown as typeof anyhttp
  : anyhttp;
const { Agent, createServer, request } = http;
const CASES = Number(process.env.E2E_FUZZ_CASES) || 120;
/** Cases in flight at once. */
const PARALLEL = Number(process.env.E2E_FUZZ_PARALLEL) || 4;
const SEED = Number(process.env.E2E_FUZZ_SEED) || 20261205;
/** A case that does not settle within this is a hang. */
const BOUND_MS = 2000;
const stats: Record<string, number> = {};

/** A small deterministic generator (LCG), so a failure can be replayed. */
function generator(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
}

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)];
}

function bytesOf(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "latin1"));
}

// ------------------------------------------------------------ mutations

const BIG = "x".repeat(16300);
const BIG_BODY = "y".repeat(100000);

const REQUESTS: readonly string[] = [
  "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
  "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
  "5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n",
  "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n" +
  "POST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nokGET /4 HTTP/1.1\r\nHost: a\r\n\r\n",
  "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody",
  "GET /u HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nraw bytes",
  "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\ntunnel",
  "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /k2 HTTP/1.0\r\n\r\n",
  "GET /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\n\r\n",
  `GET /big HTTP/1.1\r\nHost: a\r\nX-Big: ${BIG}\r\n\r\n`,
  "GET /p HTTP/1.1\r\nHost: a\r\n\r\n".repeat(40),
  `POST /l HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n${"b".repeat(70000)}` +
  "GET /n HTTP/1.1\r\nHost: a\r\n\r\n",
  `POST /lc HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${
    `4e20\r\n${"c".repeat(20000)}\r\n`.repeat(3)
  }0\r\n\r\nGET /n HTTP/1.1\r\nHost: a\r\n\r\n`,
];

const INSERTS: readonly string[] = [
  ...BYTE_INSERTS,
  "\r\n ",
  "\r\n\t",
  "Content-Length: 5\r\n",
  "Content-Length: 3\r\n",
  "Content-Length: -1\r\n",
  "Content-Length: 1, 2\r\n",
  "Transfer-Encoding: chunked\r\n",
  "Transfer-Encoding: gzip\r\n",
  "Transfer-Encoding: chunked, identity\r\n",
  "Connection: close\r\n",
  "Expect: 100-continue\r\n",
  "Upgrade: h2c\r\nConnection: upgrade\r\n",
  "\r\n0\r\n\r\n",
  "zz\r\n",
  "ffffffffffffffffff\r\n",
  "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
  `X-Pad: ${"p".repeat(8000)}\r\n`,
];

/** Applies 1 to 3 random edits to `raw` (latin1 text). */
function mutate(raw: string, rnd: () => number): string {
  let x = raw;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < edits; k++) {
    const op = rnd();
    // Edits aim at the head more often than at a long body.
    const headEnd = x.indexOf("\r\n\r\n");
    const span = headEnd > 0 && rnd() < 0.6 ? headEnd + 4 : x.length + 1;
    const at = Math.floor(rnd() * span);
    if (op < 0.35) {
      x = x.slice(0, at) + pick(rnd, INSERTS) + x.slice(at);
    } else if (op < 0.5) {
      x = x.slice(0, at) + x.slice(at + 1 + Math.floor(rnd() * 3));
    } else if (op < 0.65) {
      x = x.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + x.slice(at + 1);
    } else if (op < 0.75) {
      // CRLF to bare LF somewhere.
      const i = x.indexOf("\r\n", at);
      if (i !== -1) x = x.slice(0, i) + x.slice(i + 1);
    } else if (op < 0.85) {
      // Duplicate a whole line.
      const start = x.lastIndexOf("\r\n", at) + 2;
      const end = x.indexOf("\r\n", start);
      if (start >= 2 && end !== -1) {
        x = x.slice(0, end + 2) + x.slice(start, end + 2) + x.slice(end + 2);
      }
    } else if (op < 0.92) {
      // Truncate.
      x = x.slice(0, at);
    } else {
      const from = Math.floor(rnd() * x.length);
      x = x.slice(0, at) + x.slice(from, from + 1 + Math.floor(rnd() * 20)) + x.slice(at);
    }
  }
  return x;
}

/** Pauses after each piece: mostly none, some short, a few long enough for an answer in between. */
function pauses(chunks: Uint8Array[], rnd: () => number): number[] {
  return chunks.map(() => {
    const r = rnd();
    return r < 0.7 ? 0 : r < 0.95 ? Math.floor(rnd() * 10) : 30;
  });
}

/** Cuts `bytes` into 1 to 4 pieces at random points (now and then, up to 40). */
function pieces(bytes: Uint8Array, rnd: () => number): Uint8Array[] {
  const cuts = new Set<number>();
  const n = Math.floor(rnd() * (rnd() < 0.1 ? 40 : 4));
  for (let i = 0; i < n && bytes.length > 1; i++) {
    cuts.add(1 + Math.floor(rnd() * (bytes.length - 1)));
  }
  return splitAt(bytes, [...cuts].sort((a, b) => a - b));
}

// ------------------------------------------------------------ reference parses

/** What the parser makes of a request stream the server reads. */
interface Reference {
  /** Heads the server may act on (an upper bound). */
  heads: number;
  /** Methods of those heads, in order. */
  methods: string[];
  /** Bodies (latin1) of the complete messages, in order. */
  bodies: string[];
}

/** Parses `bytes` as the server's connection would (stopping where it stops). */
function referenceRequests(
  bytes: Uint8Array,
  upgradeListener: boolean,
  profile: Profile,
): Reference {
  const ref: Reference = { heads: 0, methods: [], bodies: [] };
  let last = false;
  let body = "";
  const parser = new HTTPParser("request", {
    onHeaders(h: MessageHead): number {
      ref.heads++;
      ref.methods.push(h.method);
      if (h.upgrade && (h.method === "CONNECT" || upgradeListener)) return HEADERS_UPGRADE;
      if (!h.shouldKeepAlive) last = true;
      return HEADERS_BODY;
    },
    onBody(chunk: Uint8Array): void {
      body += Buffer.from(chunk).toString("latin1");
    },
    onComplete(): void {
      ref.bodies.push(body);
      body = "";
      if (last) parser.pause();
    },
  }, { maxHeaderSize: profile.options.maxHeaderSize, lenient: profile.options.insecureHTTPParser });
  parser.execute(bytes);
  // Every case ends with the client closing: past a body that runs to the end
  // of input (lenient), that completes the message.
  if (!parser.error && !parser.upgraded && !last) parser.finish();
  return ref;
}

/** Why the responses in `bytes` are malformed, or "" (`closed`: the peer closed after them). */
function responseProblem(bytes: Uint8Array, methods: string[], closed: boolean): string {
  const queue = methods.slice();
  const parser = new HTTPParser("response", {
    onHeaders(h: MessageHead): number {
      if (h.statusCode >= 100 && h.statusCode < 200 && h.statusCode !== 101) return HEADERS_BODY;
      const method = queue.shift();
      if (h.upgrade || (method === "CONNECT" && h.statusCode < 300)) return HEADERS_UPGRADE;
      return method === "HEAD" ? HEADERS_SKIP_BODY : HEADERS_BODY;
    },
    onBody(): void {},
    onComplete(): void {},
  });
  parser.execute(bytes);
  if (parser.error) return `response parse error ${parser.error.code}`;
  if (closed && !parser.upgraded) {
    const err = parser.finish();
    if (err) return `response truncated ${err.code}`;
  }
  return "";
}

// ------------------------------------------------------------ server side

type Mode =
  | "now"
  | "readBody"
  | "noRead"
  | "slow"
  | "destroy"
  | "upgrade"
  | "connect"
  | "checkContinue"
  | "clientError"
  | "bigAnswer"
  | "echo";

const MODES: readonly Mode[] = [
  "now",
  "readBody",
  "noRead",
  "slow",
  "destroy",
  "upgrade",
  "connect",
  "checkContinue",
  "clientError",
  "bigAnswer",
  "echo",
];

interface Served {
  /** Client ports that were reset. */
  reset: Set<number>;
  /** Client ports of connections that had a 'clientError'. */
  failed: Set<number>;
  /** Bodies the handlers read to the end, by the client's port (index = request number). */
  bodies: Map<number, (string | null)[]>;
  /** Requests (of any event) the server acted on, by the client's port. */
  seen: Map<number, number>;
  /** Problems noticed on the server side, by the client's port. */
  problems: { port: number; text: string }[];
}

function answer(res: ServerResponse): void {
  res.setHeader("Content-Length", "2");
  res.end("ok");
}

/** Server options a case runs with. */
interface Profile {
  name: string;
  options: anyhttp.ServerOptions;
  /** Set on the server after creation. */
  props: { maxRequestsPerSocket?: number; httpAllowHalfOpen?: boolean };
  /** The server closes a held connection by itself (timeouts). */
  closesHeld: boolean;
}

const PROFILES: readonly Profile[] = [
  { name: "default", options: {}, props: {}, closesHeld: false },
  {
    name: "tight",
    options: {
      requestTimeout: 300,
      headersTimeout: 200,
      keepAliveTimeout: 50,
      connectionsCheckingInterval: 50,
      maxHeaderSize: 2048,
    },
    props: { maxRequestsPerSocket: 2 },
    closesHeld: true,
  },
  {
    name: "lenient",
    options: { insecureHTTPParser: true, requireHostHeader: false },
    props: { httpAllowHalfOpen: true },
    closesHeld: false,
  },
];

function makeServer(mode: Mode, profile: Profile, served: Served): Server {
  // Each connection's peer port as read when it was accepted: a socket's
  // `remotePort` read later (destroyed, handed off) is not always its own.
  const peerPort = new WeakMap<object, number>();
  const portOf = (socket: object | null | undefined): number =>
    (socket && peerPort.get(socket)) ?? (socket as { remotePort?: number } | null)?.remotePort ??
      -1;
  const count = (socket: net.Socket | { remotePort?: number }): void => {
    const port = portOf(socket);
    served.seen.set(port, (served.seen.get(port) ?? 0) + 1);
    const list = served.bodies.get(port) ?? [];
    served.bodies.set(port, list);
    list.push(null);
  };
  /** Reads `req` (just counted) to the end, noting its body, then calls `then`. */
  const read = (req: IncomingMessage, then: () => void): void => {
    const list = served.bodies.get(portOf(req.socket))!;
    const index = list.length - 1;
    let body = "";
    req.on("data", (d: Uint8Array) => body += Buffer.from(d).toString("latin1"));
    req.on("end", () => {
      list[index] = body;
      then();
    });
  };
  const server = createServer(profile.options, (req: IncomingMessage, res: ServerResponse) => {
    count(req.socket);
    req.on("error", () => {});
    res.on("error", () => {});
    switch (mode) {
      case "readBody":
      case "checkContinue":
      case "upgrade":
      case "connect":
      case "clientError":
        read(req, () => answer(res));
        break;
      case "noRead":
        answer(res);
        break;
      case "slow":
        req.resume();
        setTimeout(() => answer(res), 20);
        break;
      case "destroy":
        req.socket.destroy();
        break;
      case "echo":
        // The body streams back as it comes (chunked), with backpressure both ways.
        req.pipe(res);
        break;
      case "bigAnswer":
        // A large answer in two writes, the second after the body was read.
        res.write(BIG_BODY);
        read(req, () => res.end(BIG_BODY));
        break;
      default:
        answer(res);
    }
  });
  Object.assign(server, profile.props);
  const emit = server.emit;
  server.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "connection") {
      const s = args[0] as { remotePort?: number };
      if (s && typeof s.remotePort === "number") peerPort.set(s, s.remotePort);
    }
    if (event === "clientError") {
      const port = portOf(args[1] as net.Socket);
      served.failed.add(port);
      const code = (args[0] as { code?: unknown }).code;
      if (typeof code !== "string" || !/^(HPE_|ERR_|E[A-Z]+$)/.test(code)) {
        served.problems.push({
          port,
          text: `clientError code ${String(code)}: ${String(args[0])}`,
        });
      }
    }
    return emit.call(this, event, ...args);
  } as typeof server.emit;
  if (mode === "upgrade") {
    server.on("upgrade", (req: IncomingMessage, socket: net.Socket) => {
      count(req.socket);
      socket.on("error", () => {});
      socket.end("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n");
    });
  }
  if (mode === "connect") {
    server.on("connect", (req: IncomingMessage, socket: net.Socket) => {
      count(req.socket);
      socket.on("error", () => {});
      socket.end("HTTP/1.1 200 Connection Established\r\n\r\n");
    });
  }
  if (mode === "checkContinue") {
    server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
      count(req.socket);
      req.on("error", () => {});
      res.on("error", () => {});
      if (req.url === "/e") {
        res.writeContinue();
        read(req, () => answer(res));
      } else {
        res.writeHead(417, { "Content-Length": "0" });
        res.end();
      }
    });
  }
  if (mode === "clientError") {
    server.on("clientError", (_err: Error, socket: net.Socket) => {
      if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
  }
  return server;
}

/**
 * How the client ends a case: half-close; destroy; hold the connection open;
 * reset it (RST where the runtime can); or never read and destroy a little later.
 */
type Ending = "halfClose" | "destroy" | "hold" | "reset" | "stall";

interface ClientResult {
  received: Uint8Array;
  /** The server closed (or reset) the connection. */
  closed: boolean;
  localPort: number;
}

/** Writes `chunks` (with small delays), then ends as `ending` says; resolves when settled. */
function sendCase(
  port: number,
  chunks: Uint8Array[],
  delays: number[],
  ending: Ending,
  closesHeld: boolean,
): Promise<ClientResult> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    const got: Uint8Array[] = [];
    let done = false;
    let localPort = 0;
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      clearTimeout(limit);
      sock.destroy();
      resolve({ received: new Uint8Array(Buffer.concat(got)), closed, localPort });
    };
    // A held connection is done once the server stays quiet a while.
    const arm = (): void => {
      if (ending !== "hold" || closesHeld) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), 100);
    };
    const limit = setTimeout(() => finish(false), BOUND_MS);
    sock.on("error", () => finish(true));
    sock.on("close", () => finish(true));
    sock.on("data", (d: Uint8Array) => {
      got.push(d);
      arm();
    });
    sock.on("connect", async () => {
      localPort = sock.localPort ?? 0;
      if (ending === "stall") sock.pause();
      for (let i = 0; i < chunks.length; i++) {
        if (done || sock.destroyed) return;
        sock.write(chunks[i]);
        if (delays[i] > 0) await sleep(delays[i]);
      }
      if (done) return;
      if (ending === "halfClose") sock.end();
      else if (ending === "destroy") finish(false);
      else if (ending === "reset") {
        const s = sock as net.Socket & { resetAndDestroy?: () => void };
        if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
        finish(false);
      } else if (ending === "stall") setTimeout(() => finish(false), 100);
      else arm();
    });
  });
}

async function fuzzServer(cases: number, seed: number): Promise<string[]> {
  const served: Served = {
    seen: new Map(),
    bodies: new Map(),
    failed: new Set(),
    reset: new Set(),
    problems: [],
  };
  const servers = new Map<string, { server: Server; port: number }>();
  for (const mode of MODES) {
    for (const profile of PROFILES) {
      const server = makeServer(mode, profile, served);
      servers.set(`${mode} ${profile.name}`, { server, port: await listen(server) });
    }
  }
  const failures: string[] = [];
  const rnd = generator(seed);
  try {
    // Every case draws its randomness before its first await, so running
    // PARALLEL of them at once stays deterministic in what is sent.
    const runCase = async (n: number): Promise<void> => {
      const base = pick(rnd, REQUESTS);
      const raw = rnd() < 0.1 ? base : mutate(base, rnd);
      const mode = pick(rnd, MODES);
      const profile = pick(rnd, PROFILES);
      const ending = pick(
        rnd,
        [
          "halfClose",
          "halfClose",
          "destroy",
          "hold",
          "reset",
          "stall",
        ] as const,
      );
      const bytes = bytesOf(raw);
      const chunks = pieces(bytes, rnd);
      const delays = pauses(chunks, rnd);
      const { port } = servers.get(`${mode} ${profile.name}`)!;
      const result = await sendCase(port, chunks, delays, ending, profile.closesHeld);
      // Let a late handler (slow mode) run before counting.
      const abrupt = ending === "destroy" || ending === "reset" || ending === "stall";
      await sleep(abrupt ? 5 : 25);
      const where = `server case ${n} (seed ${seed}, mode ${mode}, ${profile.name}, ${ending}, ` +
        `pieces ${chunks.map((c) => c.length)}): ${JSON.stringify(raw.slice(0, 200))}`;
      const ref = referenceRequests(bytes, mode === "upgrade", profile);
      const heads = ref.heads;
      // A reset leaves no TIME_WAIT: its port may come back at once for
      // another case, while the server still acts on the reset connection's
      // bytes. What the server saw on such a port cannot be attributed.
      const tainted = served.reset.has(result.localPort);
      if (ending === "reset") served.reset.add(result.localPort);
      const seen = tainted ? 0 : served.seen.get(result.localPort) ?? 0;
      served.seen.delete(result.localPort);
      stats[`seen${Math.min(seen, 3)}`] = (stats[`seen${Math.min(seen, 3)}`] ?? 0) + 1;
      if (result.received.length) stats.answered = (stats.answered ?? 0) + 1;
      const bodies = tainted ? [] : served.bodies.get(result.localPort) ?? [];
      served.bodies.delete(result.localPort);
      for (const [i, b] of bodies.entries()) {
        if (b !== null && b !== ref.bodies[i]) {
          failures.push(
            `${where}: request ${i} body ${JSON.stringify(b)}, parser ${
              JSON.stringify(ref.bodies[i])
            }`,
          );
        }
      }
      if (seen > heads) failures.push(`${where}: server saw ${seen} requests, parser ${heads}`);
      if ((ending === "halfClose" || profile.closesHeld && ending === "hold") && !result.closed) {
        failures.push(`${where}: not closed in bound`);
      }
      if (!abrupt) {
        const problem = responseProblem(result.received, ref.methods, result.closed);
        // Past maxRequestsPerSocket, Node answers requests already read (503)
        // after the response that said Connection: close; so does anyhttp.
        const overLimit = problem.endsWith("HPE_CLOSED_CONNECTION") &&
          profile.props.maxRequestsPerSocket !== undefined;
        // A connection that fails while a response is on its way is destroyed
        // (Node's socketOnError): that response may be cut short.
        const failed = served.failed.has(result.localPort);
        const cut = problem.startsWith("response truncated") && failed;
        if (problem && !overLimit && !cut) {
          failures.push(
            `${where}: ${problem}: ${
              JSON.stringify(Buffer.from(result.received).toString("latin1"))
            }`,
          );
        }
      }
      for (const p of served.problems) {
        if (p.port === result.localPort) failures.push(`${where}: ${p.text}`);
      }
      served.failed.delete(result.localPort);
    };
    for (let n = 0; n < cases && failures.length < 20; n += PARALLEL) {
      const batch: Promise<void>[] = [];
      for (let k = n; k < Math.min(cases, n + PARALLEL); k++) batch.push(runCase(k));
      await Promise.all(batch);
    }
    // Every connection of every case is gone by now (the client side closed them all).
    for (const [mode, { server }] of servers) {
      const open = (): Promise<number> =>
        new Promise((r) => server.getConnections((_e: unknown, k: number) => r(k)));
      const end = Date.now() + BOUND_MS;
      while (await open() > 0 && Date.now() < end) await sleep(20);
      const left = await open();
      if (left > 0) failures.push(`server ${mode}: ${left} connections still open`);
    }
  } finally {
    for (const { server } of servers.values()) await stop(server);
  }
  if (process.env.E2E_FUZZ_VERBOSE) console.log("server stats", stats);
  return failures;
}

// ------------------------------------------------------------ client side

const RESPONSES: readonly string[] = [
  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
  "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close",
  "HTTP/1.1 204 No Content\r\n\r\n",
  "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
  "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nproto",
  "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc",
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA BYTES",
  `HTTP/1.1 200 OK\r\nX-Big: ${BIG}\r\nContent-Length: 1\r\n\r\n1`,
  `HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n${"b".repeat(70000)}`,
  `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${
    `4e20\r\n${"c".repeat(20000)}\r\n`.repeat(3)
  }0\r\n\r\n`,
  "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1".repeat(3),
  "HTTP/1.1 200 Connection Established\r\n\r\ntunnel bytes",
];

/** The final responses a client parses from `bytes` (then the end of input). */
interface ReferenceResponses {
  /** Bodies (latin1) of the complete ones, in order. */
  bodies: string[];
  /** Whether each head allows another message on the connection, in order. */
  keepAlive: boolean[];
}

function referenceResponses(bytes: Uint8Array): ReferenceResponses {
  const bodies: string[] = [];
  const keepAlive: boolean[] = [];
  let body = "";
  let informational = false;
  const parser = new HTTPParser("response", {
    onHeaders(h: MessageHead): number {
      informational = h.statusCode < 200 && h.statusCode !== 101;
      if (!informational) keepAlive.push(h.shouldKeepAlive && !h.upgrade);
      return h.upgrade ? HEADERS_UPGRADE : HEADERS_BODY;
    },
    onBody(chunk: Uint8Array): void {
      body += Buffer.from(chunk).toString("latin1");
    },
    onComplete(): void {
      if (!informational) bodies.push(body);
      body = "";
    },
  });
  parser.execute(bytes);
  if (!parser.error && !parser.upgraded) parser.finish();
  return { bodies, keepAlive };
}

interface ClientOutcome {
  /** The body read (latin1). */
  body: string;
  /** The request went on a socket from the pool. */
  reused: boolean;
  response: boolean;
  ended: boolean;
  resEnded: number;
  resAborted: boolean;
  resErrored: boolean;
  resClosed: boolean;
  reqErrors: number;
  reqClosed: boolean;
  errs: string[];
  problems: string[];
}

/** One request of a client case; resolves once it reached an outcome (or the bound). */
/** What the user does besides reading: nothing, destroy the request on 'response', or time it out. */
type Action = "none" | "destroyOnResponse" | "destroyResponse" | "timeout";

function clientRequest(
  port: number,
  agent: anyhttp.Agent | false,
  method: string,
  action: Action,
): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const out: ClientOutcome = {
      body: "",
      reused: false,
      response: false,
      ended: false,
      resEnded: 0,
      resAborted: false,
      resErrored: false,
      resClosed: false,
      reqErrors: 0,
      reqClosed: false,
      errs: [],
      problems: [],
    };
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      // A little while for anything emitted late (a second outcome is a bug).
      setTimeout(() => resolve(out), 20);
    };
    const limit = setTimeout(() => {
      out.problems.push("no outcome in bound");
      finish();
    }, BOUND_MS + 1000);
    let req: ClientRequest;
    try {
      const verb = method === "UPLOAD" ? "POST" : method;
      const path = method === "CONNECT" ? "example.com:443" : "/";
      req = request({ host: "127.0.0.1", port, method: verb, path, agent });
    } catch (e) {
      out.problems.push(`request() threw ${String(e)}`);
      finish();
      return;
    }
    req.on("error", (e: Error) => {
      out.errs.push((e as { code?: string }).code ?? e.message);
      out.reqErrors++;
      if (out.reqErrors > 1) out.problems.push("two request errors");
      // (Node too reports an upload cut short after a complete response.)
      if (out.resEnded && req.writableFinished) {
        out.problems.push("request error after response end");
      }
    });
    req.on("close", () => {
      out.reqClosed = true;
      if (!out.response) finish();
    });
    req.on("response", (res: IncomingMessage) => {
      if (out.response) out.problems.push("two responses");
      if (out.reqErrors) out.problems.push("response after request error");
      out.response = true;
      out.reused = req.reusedSocket;
      if (action === "destroyOnResponse") req.destroy();
      if (action === "destroyResponse") res.once("data", () => res.destroy());
      res.on("data", (d: Uint8Array) => out.body += Buffer.from(d).toString("latin1"));
      res.on("end", () => {
        out.resEnded++;
        finish();
      });
      res.on("aborted", () => out.resAborted = true);
      res.on("error", () => out.resErrored = true);
      res.on("close", () => {
        out.resClosed = true;
        finish();
      });
    });
    if (action === "timeout") req.setTimeout(60, () => req.destroy());
    // An upload larger than the socket buffers: the answer may come (and the
    // connection close) while it is still being written.
    if (method === "UPLOAD") req.end(BIG_BODY.repeat(3));
    else if (method === "POST") req.end("data");
    else req.end();
  });
}

/** What a raw server of the client fuzz answers on each connection. */
interface Answer {
  chunks: Uint8Array[];
  delays: number[];
  close: "end" | "destroy" | "hold";
}

/** A raw `node:net` server answering the bytes of the case it was last given. */
interface AnswerServer {
  port: number;
  answer: Answer;
  sockets: Set<net.Socket>;
  server: net.Server;
}

async function answerServer(): Promise<AnswerServer> {
  const srv: AnswerServer = {
    port: 0,
    answer: { chunks: [], delays: [], close: "end" },
    sockets: new Set(),
    server: net.createServer((socket) => {
      srv.sockets.add(socket);
      socket.on("close", () => srv.sockets.delete(socket));
      socket.on("error", () => {});
      const c = srv.answer;
      let started = false;
      // Answer once the first request bytes arrived; every request on this
      // connection gets the same bytes from the case (pipelined responses included).
      socket.on("data", async () => {
        if (started) return;
        started = true;
        for (let i = 0; i < c.chunks.length; i++) {
          if (socket.destroyed) return;
          socket.write(c.chunks[i]);
          if (c.delays[i] > 0) await sleep(c.delays[i]);
        }
        if (c.close === "end") socket.end();
        else if (c.close === "destroy") socket.destroy();
        else setTimeout(() => socket.destroy(), 100);
      });
    }),
  };
  await new Promise<void>((r) => srv.server.listen(0, "127.0.0.1", () => r()));
  srv.port = (srv.server.address() as net.AddressInfo).port;
  return srv;
}

async function fuzzClient(cases: number, seed: number): Promise<string[]> {
  const failures: string[] = [];
  const rnd = generator(seed);
  const servers: AnswerServer[] = [];
  for (let k = 0; k < PARALLEL; k++) servers.push(await answerServer());
  try {
    // As on the server side: randomness is drawn before the first await.
    const runCase = async (n: number, srv: AnswerServer): Promise<void> => {
      const base = pick(rnd, RESPONSES);
      const raw = rnd() < 0.1 ? base : mutate(base, rnd);
      const bytes = bytesOf(raw);
      const chunks = pieces(bytes, rnd);
      const current: Answer = {
        chunks,
        delays: pauses(chunks, rnd),
        close: pick(rnd, ["end", "destroy", "hold"] as const),
      };
      srv.answer = current;
      const port = srv.port;
      const useAgent = rnd() < 0.5;
      const agent = useAgent ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
      const count = useAgent ? 1 + Math.floor(rnd() * 3) : 1;
      const method = pick(rnd, ["GET", "GET", "GET", "POST", "HEAD", "UPLOAD", "CONNECT"] as const);
      const action = pick(
        rnd,
        [
          "none",
          "none",
          "none",
          "destroyOnResponse",
          "destroyResponse",
          "timeout",
        ] as const,
      );
      const where =
        `client case ${n} (seed ${seed}, agent ${useAgent}, ${count} ${method} ${action}, ` +
        `${current.close}, pieces ${chunks.map((c) => c.length)}): ${
          JSON.stringify(raw.slice(0, 200))
        }`;
      const outcomes = await Promise.all(
        Array.from({ length: count }, () => clientRequest(port, agent, method, action)),
      );
      for (const o of outcomes) {
        const k = o.response
          ? (o.resEnded ? "end" : o.resAborted ? "aborted" : "resClose")
          : o.reqErrors
          ? "reqError"
          : "other";
        stats[`c_${k}`] = (stats[`c_${k}`] ?? 0) + 1;
        if (process.env.E2E_FUZZ_VERBOSE === "2" && k !== "end") console.log(k, o.errs, where);
      }
      const ref = referenceResponses(bytes);
      const refBodies = ref.bodies;
      for (const [i, o] of outcomes.entries()) {
        // The first request reads the first response; a later one the next
        // response only when it went on the same (pooled) connection.
        const refIndex = i === 0 ? 0 : o.reused ? i : -1;
        // (A request destroyed on 'response' may end its response without the
        // body, as Node's does.)
        if (
          o.resEnded && refIndex !== -1 && method !== "HEAD" && method !== "CONNECT" &&
          action === "none" &&
          o.body !== refBodies[refIndex]
        ) {
          failures.push(
            `${where}: request ${i} body ${JSON.stringify(o.body.slice(0, 100))}, parser ${
              JSON.stringify(refBodies[refIndex]?.slice(0, 100))
            }`,
          );
        }
        for (const p of o.problems) failures.push(`${where}: request ${i}: ${p}`);
        if (!o.response && o.reqErrors === 0 && !o.reqClosed) {
          failures.push(`${where}: request ${i}: no response and no error`);
        }
        if (o.response && !o.resEnded && !o.resAborted && !o.resErrored && !o.resClosed) {
          failures.push(`${where}: request ${i}: response neither ended nor closed`);
        }
      }
      if (agent) {
        const pooled = Object.values(agent.freeSockets).reduce((k, l) => k + (l?.length ?? 0), 0);
        const last = outcomes[outcomes.length - 1];
        if (pooled > 0 && (!last.response || last.resEnded === 0)) {
          failures.push(`${where}: agent pooled a socket whose response did not end`);
        }
        if (pooled > 0 && count === 1 && method === "GET" && ref.keepAlive[0] !== true) {
          failures.push(`${where}: agent pooled a socket its response did not keep alive`);
        }
        agent.destroy();
      }
      for (const s of srv.sockets) s.destroy();
    };
    for (let n = 0; n < cases && failures.length < 20; n += PARALLEL) {
      const batch: Promise<void>[] = [];
      for (let k = n; k < Math.min(cases, n + PARALLEL); k++) {
        batch.push(runCase(k, servers[k - n]));
      }
      await Promise.all(batch);
    }
  } finally {
    for (const srv of servers) {
      for (const s of srv.sockets) s.destroy();
      await new Promise<void>((r) => srv.server.close(() => r()));
    }
  }
  if (process.env.E2E_FUZZ_VERBOSE) console.log("client stats", stats);
  return failures;
}

// ------------------------------------------------------------ the tests

describe("end-to-end fuzz over loopback sockets", () => {
  test(`server: ${CASES} mutated request streams`, async () => {
    const failures = await fuzzServer(CASES, SEED);
    assert.deepEqual(failures, []);
  });

  test(`client: ${CASES} mutated response streams`, async () => {
    const failures = await fuzzClient(CASES, SEED + 1);
    assert.deepEqual(failures, []);
  });
});
