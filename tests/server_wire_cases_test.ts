/**
 * Runs every case of `shared/wire-cases/requests.json`, and of our own
 * `tests/wire_cases_extra_requests.json` (same format; found by a differential
 * run against Node 20's server: Node 20's outcome, or the strict RFC 9112
 * reading where Node 20 is lenient), through the real server: whole over
 * loopback TCP, and (through a user Duplex emitted as 'connection') byte by
 * byte and split at every point for `splitAll` cases.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { join } from "node:path";
import { createServer, type Server } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import {
  findShared,
  findTestData,
  listen,
  readJson,
  sendQuiet,
  sleep,
  stop,
} from "./server_util.ts";

interface ExpectedRequest {
  event: string;
  method?: string;
  url?: string;
  httpVersion?: string;
  headers?: Record<string, unknown>;
  rawHeaders?: string[];
  rawHeadersLength?: number;
  body?: string;
  trailers?: Record<string, unknown>;
  head?: string;
}

interface WireCase {
  id: string;
  category?: string;
  raw: string;
  expect: "accept" | "reject";
  requests?: ExpectedRequest[];
  rejectStatus?: number;
  allowHang?: boolean;
  alsoAllow?: string[];
  expect100?: boolean;
  splitAll?: boolean;
  noSplit?: boolean;
  prefixOk?: boolean;
  forbidInterim?: boolean;
}

interface Seen {
  event: string;
  method: string | null;
  url: string;
  httpVersion: string | null;
  headers: Record<string, unknown>;
  rawHeaders: string[];
  body: string;
  trailers: Record<string, unknown>;
  head?: string;
}

/** What one connection produced. */
interface Outcome {
  seen: Seen[];
  response: string;
  closed: boolean;
}

const shared = findShared();
const sampleCases: WireCase[] = shared
  ? (readJson(join(shared, "wire-cases", "requests.json")) as { cases: WireCase[] }).cases
  : [];
const EXTRA = "wire_cases_extra_requests.json";
const extraPath = findTestData(EXTRA);
const extraCases: WireCase[] = extraPath
  ? (readJson(extraPath) as { cases: WireCase[] }).cases
  : [];

function record(req: IncomingMessage, event: string, body: string, head?: string): Seen {
  const s: Seen = {
    event,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    headers: JSON.parse(JSON.stringify(req.headers)),
    rawHeaders: req.rawHeaders.slice(),
    body,
    trailers: JSON.parse(JSON.stringify(req.trailers)),
  };
  if (head !== undefined) s.head = head;
  return s;
}

/**
 * A recorder server: requests are recorded once complete (keyed by the
 * connection), answered with an empty 200; upgrade/connect are recorded with
 * their head and the socket closed.
 */
function recorder(keyOf: (socket: unknown) => unknown): {
  server: Server;
  seen: Map<unknown, Seen[]>;
} {
  const seen = new Map<unknown, Seen[]>();
  const pushAt = (k: unknown, s: Seen): void => {
    let list = seen.get(k);
    if (!list) seen.set(k, list = []);
    list.push(s);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    // The socket as it is now: by 'end' a parse error after the body may have closed it.
    const socket = req.socket;
    const key = keyOf(socket);
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      pushAt(
        keyOf(socket) ?? key,
        record(req, "request", Buffer.concat(chunks).toString("latin1")),
      );
      res.end();
    });
  });
  const onUpgrade = (event: string) => (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    pushAt(keyOf(socket), record(req, event, "", head.toString("latin1")));
    socket.destroy();
  };
  server.on("upgrade", onUpgrade("upgrade"));
  server.on("connect", onUpgrade("connect"));
  return { server, seen };
}

function isResponseStart(text: string): RegExpMatchArray | null {
  return text.match(/^HTTP\/1\.1 (\d{3}) /);
}

/** Asserts one outcome against the case; returns nothing, throws with the case id. */
function check(c: WireCase, out: Outcome, mode: string): void {
  const label = `${c.id} [${mode}] response=${JSON.stringify(out.response.slice(0, 120))}`;
  const rejectLike = (): boolean => {
    if (out.seen.length !== 0) return false;
    // Final responses only (skip interim 1xx).
    const finals = out.response.replace(/HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/g, "");
    const m = isResponseStart(finals);
    if (m) {
      const status = Number(m[1]);
      if (c.rejectStatus !== undefined) return status === c.rejectStatus;
      return status >= 400;
    }
    if (finals === "" && (out.closed || c.allowHang)) return c.rejectStatus === undefined;
    return false;
  };
  if (c.expect === "reject") {
    assert.ok(rejectLike(), `expected reject: ${label} seen=${JSON.stringify(out.seen)}`);
    return;
  }
  if (c.alsoAllow?.includes("reject") && rejectLike()) return;
  const expected = c.requests ?? [];
  if (c.prefixOk) {
    assert.ok(
      out.seen.length >= Math.min(1, expected.length) && out.seen.length <= expected.length,
      `prefix count: ${label} seen=${out.seen.length}`,
    );
  } else {
    assert.equal(out.seen.length, expected.length, `request count: ${label}`);
  }
  for (let i = 0; i < out.seen.length; i++) {
    const e = expected[i];
    const s = out.seen[i];
    assert.equal(s.event, e.event, `event: ${label}`);
    for (const k of ["method", "url", "httpVersion", "body", "head"] as const) {
      if (e[k] !== undefined) assert.equal(s[k], e[k], `${k}: ${label}`);
    }
    if (e.headers) assert.deepEqual(s.headers, e.headers, `headers: ${label}`);
    if (e.rawHeaders) assert.deepEqual(s.rawHeaders, e.rawHeaders, `rawHeaders: ${label}`);
    if (e.rawHeadersLength !== undefined) {
      assert.equal(s.rawHeaders.length, e.rawHeadersLength, `rawHeadersLength: ${label}`);
    }
    if (e.trailers) assert.deepEqual(s.trailers, e.trailers, `trailers: ${label}`);
  }
  if (c.forbidInterim) {
    assert.ok(!/HTTP\/1\.1 1\d\d /.test(out.response), `interim response sent: ${label}`);
  }
}

/** A Duplex peer fed by the test and recording what the server writes. */
function duplexPeer(): { duplex: Duplex; output: () => string; closed: () => boolean } {
  let out = "";
  let closed = false;
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString("latin1");
      cb();
    },
    final(cb) {
      closed = true;
      cb();
    },
    destroy(err, cb) {
      closed = true;
      cb(err);
    },
  });
  return { duplex, output: () => out, closed: () => closed };
}

async function runDuplex(
  server: Server,
  seen: Map<unknown, Seen[]>,
  _c: WireCase,
  pieces: Uint8Array[],
): Promise<Outcome> {
  const peer = duplexPeer();
  server.emit("connection", peer.duplex);
  for (const p of pieces) {
    if (peer.closed()) break;
    peer.duplex.push(Buffer.from(p));
    await Promise.resolve();
  }
  let last = -1;
  for (let i = 0; i < 60; i++) {
    await sleep(5);
    const now = peer.output().length;
    if (peer.closed() || (now === last && i > 2)) break;
    last = now;
  }
  const out = { seen: seen.get(peer.duplex) ?? [], response: peer.output(), closed: peer.closed() };
  peer.duplex.destroy();
  return out;
}

function wireCaseTests(cases: WireCase[]): void {
  test("every case, whole, over loopback TCP", async () => {
    const { server, seen } = recorder((socket) => (socket as { remotePort?: number }).remotePort);
    const port = await listen(server);
    const failures: string[] = [];
    try {
      const batch = 20;
      for (let i = 0; i < cases.length; i += batch) {
        const group = cases.slice(i, i + batch);
        const results = await Promise.all(
          group.map((c) => sendQuiet(port, c.raw, 250, c.expect100)),
        );
        for (let j = 0; j < group.length; j++) {
          const c = group[j];
          const r = results[j];
          try {
            check(
              c,
              { seen: seen.get(r.localPort) ?? [], response: r.response, closed: r.closed },
              "tcp",
            );
          } catch (e) {
            failures.push((e as Error).message);
          }
        }
      }
    } finally {
      await stop(server);
    }
    assert.deepEqual(failures, []);
  });

  test("every case byte by byte, and split at every point when splitAll", async () => {
    const { server, seen } = recorder((socket) => socket);
    const jobs: { c: WireCase; pieces: Uint8Array[]; mode: string }[] = [];
    for (const c of cases) {
      if (c.noSplit || c.expect100) continue;
      const bytes = Buffer.from(c.raw, "latin1");
      const single: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
      jobs.push({ c, pieces: single, mode: "bytewise" });
      if (c.splitAll) {
        for (let at = 1; at < bytes.length; at++) {
          jobs.push({
            c,
            pieces: [bytes.subarray(0, at), bytes.subarray(at)],
            mode: `split@${at}`,
          });
        }
      }
    }
    const failures: string[] = [];
    const batch = 64;
    for (let i = 0; i < jobs.length; i += batch) {
      const group = jobs.slice(i, i + batch);
      const outs = await Promise.all(group.map((j) => runDuplex(server, seen, j.c, j.pieces)));
      for (let k = 0; k < group.length; k++) {
        try {
          check(group[k].c, outs[k], group[k].mode);
        } catch (e) {
          failures.push((e as Error).message);
        }
      }
    }
    server.closeAllConnections();
    assert.deepEqual(failures, []);
  });
}

describe("server: wire cases (shared/wire-cases/requests.json)", () => {
  test("the case file was found", () => {
    assert.ok(shared, "shared/ not found by walking up");
    assert.ok(sampleCases.length > 50);
  });
  wireCaseTests(sampleCases);
});

describe(`server: our extra wire cases (tests/${EXTRA})`, () => {
  test("the case file was found and covers every category", () => {
    assert.ok(extraPath, `${EXTRA} not found`);
    assert.ok(extraCases.length >= 60);
    const categories = new Set(extraCases.map((c) => c.category));
    assert.ok(categories.size >= 12, [...categories].join(","));
  });
  wireCaseTests(extraCases);
});
