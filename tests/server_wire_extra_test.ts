/**
 * More raw request cases (`wire_cases_extra_requests.json`, same format as
 * the shared sample), found by a differential run against Node 20's server:
 * expectations are Node 20's outcome, or the strict RFC 9112 reading where
 * Node 20 is lenient (`basis: "rfc"`). Each case is sent whole over loopback
 * TCP and byte by byte through a Duplex. A few behaviours that a case file
 * cannot express (response order, a pending response after an upgrade) have
 * their own tests below.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Duplex } from "node:stream";
import { createServer, type Server } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { latin1, listen, readJson, sleep, stop } from "./server_util.ts";

interface Want {
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

interface Case {
  id: string;
  raw: string;
  expect: "accept" | "reject";
  requests?: Want[];
  rejectStatus?: number;
  alsoAllow?: string[];
  noSplit?: boolean;
  prefixOk?: boolean;
}

interface Got {
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

interface Result {
  got: Got[];
  response: string;
  closed: boolean;
}

const FILE = "wire_cases_extra_requests.json";

/** The case file sits beside this test; the compiled copy finds it by walking up. */
function findCases(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const p of [join(dir, FILE), join(dir, "tests", FILE)]) if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

const casePath = findCases();
const cases: Case[] = casePath ? (readJson(casePath) as { cases: Case[] }).cases : [];

function snapshot(req: IncomingMessage, event: string, body: string, head?: string): Got {
  const g: Got = {
    event,
    method: req.method,
    url: req.url,
    httpVersion: req.httpVersion,
    headers: JSON.parse(JSON.stringify(req.headers)),
    rawHeaders: req.rawHeaders.slice(),
    body,
    trailers: JSON.parse(JSON.stringify(req.trailers)),
  };
  if (head !== undefined) g.head = head;
  return g;
}

/** A server that records each request once its body ended (and answers 200), and each upgrade/connect. */
function recordingServer(
  key: (socket: unknown) => unknown,
): { server: Server; got: Map<unknown, Got[]> } {
  const got = new Map<unknown, Got[]>();
  const add = (socket: unknown, g: Got): void => {
    const k = key(socket);
    const list = got.get(k);
    if (list) list.push(g);
    else got.set(k, [g]);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("error", () => {});
    req.on("end", () => {
      add(req.socket, snapshot(req, "request", Buffer.concat(parts).toString("latin1")));
      res.end("ok");
    });
  });
  for (const event of ["upgrade", "connect"]) {
    server.on(event, (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      add(socket, snapshot(req, event, "", head.toString("latin1")));
      socket.destroy();
    });
  }
  return { server, got };
}

function verify(c: Case, r: Result, mode: string): void {
  const where = `${c.id} [${mode}] answer=${JSON.stringify(r.response.slice(0, 100))}`;
  const finals = r.response.replace(/HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n/g, "");
  const rejected = (): boolean => {
    if (r.got.length !== 0) return false;
    const m = finals.match(/^HTTP\/1\.1 (\d{3}) /);
    if (m) {
      return c.rejectStatus === undefined ? Number(m[1]) >= 400 : Number(m[1]) === c.rejectStatus;
    }
    return finals === "" && r.closed && c.rejectStatus === undefined;
  };
  if (c.expect === "reject") {
    assert.ok(rejected(), `expected a rejection: ${where} got=${JSON.stringify(r.got)}`);
    return;
  }
  if (c.alsoAllow?.includes("reject") && rejected()) return;
  const want = c.requests ?? [];
  if (c.prefixOk) {
    assert.ok(r.got.length >= 1 && r.got.length <= want.length, `request count: ${where}`);
  } else {
    assert.equal(r.got.length, want.length, `request count: ${where}`);
  }
  r.got.forEach((g, i) => {
    const w = want[i];
    assert.equal(g.event, w.event, `event: ${where}`);
    for (const k of ["method", "url", "httpVersion", "body", "head"] as const) {
      if (w[k] !== undefined) assert.equal(g[k], w[k], `${k}: ${where}`);
    }
    if (w.headers) assert.deepEqual(g.headers, w.headers, `headers: ${where}`);
    if (w.rawHeaders) assert.deepEqual(g.rawHeaders, w.rawHeaders, `rawHeaders: ${where}`);
    if (w.rawHeadersLength !== undefined) {
      assert.equal(g.rawHeaders.length, w.rawHeadersLength, `rawHeaders length: ${where}`);
    }
    if (w.trailers) assert.deepEqual(g.trailers, w.trailers, `trailers: ${where}`);
  });
}

/** Writes `raw` on a fresh TCP connection; resolves once the server closed or was quiet for `quietMs`. */
function overTcp(port: number, raw: string, quietMs: number): Promise<
  { response: string; closed: boolean; localPort: number }
> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let response = "";
    let localPort = 0;
    let finished = false;
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const finish = (closed: boolean): void => {
      if (finished) return;
      finished = true;
      clearTimeout(quiet);
      clearTimeout(cap);
      sock.destroy();
      resolve({ response, closed, localPort });
    };
    const rearm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), quietMs);
    };
    const cap = setTimeout(() => finish(false), 5000);
    sock.on("error", () => {});
    sock.on("close", () => finish(true));
    sock.on("data", (d: Uint8Array) => {
      response += latin1(d);
      rearm();
    });
    sock.on("connect", () => {
      localPort = sock.localPort ?? 0;
      sock.write(Buffer.from(raw, "latin1"));
      rearm();
    });
  });
}

/** Feeds `raw` one byte at a time to the server through a Duplex emitted as 'connection'. */
async function byteByByte(server: Server, got: Map<unknown, Got[]>, raw: string): Promise<Result> {
  let out = "";
  let closed = false;
  const peer = new Duplex({
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
  server.emit("connection", peer);
  const bytes = Buffer.from(raw, "latin1");
  for (let i = 0; i < bytes.length && !closed; i++) {
    peer.push(bytes.subarray(i, i + 1));
    await Promise.resolve();
  }
  let seenLength = -1;
  for (let i = 0; i < 60; i++) {
    await sleep(5);
    if (closed || (out.length === seenLength && i > 2)) break;
    seenLength = out.length;
  }
  const result = { got: got.get(peer) ?? [], response: out, closed };
  peer.destroy();
  return result;
}

describe("server: extra wire cases (tests/wire_cases_extra_requests.json)", () => {
  test("the case file was found and covers every category", () => {
    assert.ok(casePath, `${FILE} not found`);
    assert.ok(cases.length >= 60);
  });

  test("every case, whole, over loopback TCP", async () => {
    const { server, got } = recordingServer((s) => (s as { remotePort?: number }).remotePort);
    const port = await listen(server);
    const failures: string[] = [];
    try {
      for (let i = 0; i < cases.length; i += 16) {
        const group = cases.slice(i, i + 16);
        const outs = await Promise.all(group.map((c) => overTcp(port, c.raw, 250)));
        group.forEach((c, j) => {
          const o = outs[j];
          try {
            verify(
              c,
              { got: got.get(o.localPort) ?? [], response: o.response, closed: o.closed },
              "tcp",
            );
          } catch (e) {
            failures.push((e as Error).message);
          }
        });
      }
    } finally {
      await stop(server);
    }
    assert.deepEqual(failures, []);
  });

  test("every case, byte by byte", async () => {
    const { server, got } = recordingServer((s) => s);
    const failures: string[] = [];
    const todo = cases.filter((c) => !c.noSplit);
    for (let i = 0; i < todo.length; i += 16) {
      const group = todo.slice(i, i + 16);
      const outs = await Promise.all(group.map((c) => byteByByte(server, got, c.raw)));
      group.forEach((c, j) => {
        try {
          verify(c, outs[j], "bytewise");
        } catch (e) {
          failures.push((e as Error).message);
        }
      });
    }
    server.closeAllConnections();
    assert.deepEqual(failures, []);
  });
});

describe("server: 'clientError' codes for bad framing fields and targets (as Node 20)", () => {
  const head = "POST / HTTP/1.1\r\nHost: a\r\n";
  const chunkedHead = head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n";
  const table: [string, string][] = [
    [head + "Content-Length: 5\x00\r\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: \x015\r\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: +5\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: 0x5\r\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: 5\n\r\nhello", "HPE_CR_EXPECTED"],
    [head + "Content-Length: 5\r\nContent-Length: 6\n\r\nhello!", "HPE_UNEXPECTED_CONTENT_LENGTH"],
    [
      head + "Content-Length: 5\r\nTransfer-Encoding: \x00chunked\r\n\r\n",
      "HPE_INVALID_TRANSFER_ENCODING",
    ],
    [head + "Transfer-Encoding: chunked, gzip\n\r\n", "HPE_INVALID_TRANSFER_ENCODING"],
    [head + "Transfer-Encoding: chunked\x00\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],
    [chunkedHead + "Content-Length: 3\r\n\r\n", "HPE_INVALID_CONTENT_LENGTH"],
    [chunkedHead + "Transfer-Encoding: gzip\r\n\r\n", "HPE_INVALID_TRANSFER_ENCODING"],
    ["GET HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_URL"],
    ["GET \r/a HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_URL"],
  ];

  test("the code, bytesParsed and rawPacket of each", async () => {
    const seen = new Map<number, { code?: string; bytesParsed?: unknown; rawPacket?: unknown }>();
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.on("error", () => {});
      req.resume();
      req.on("end", () => res.end());
    });
    server.on("clientError", (e: Error & { code?: string }, socket: Duplex) => {
      seen.set((socket as { remotePort?: number }).remotePort ?? 0, e);
      socket.destroy();
    });
    const port = await listen(server);
    try {
      const outs = await Promise.all(table.map(([raw]) => overTcp(port, raw, 200)));
      const got = outs.map((o) => {
        const e = seen.get(o.localPort);
        return [e?.code, typeof e?.bytesParsed, e?.rawPacket instanceof Uint8Array];
      });
      assert.deepEqual(got, table.map(([, code]) => [code, "number", true]));
    } finally {
      await stop(server);
    }
  });
});

describe("server: interim and pending responses on the wire", () => {
  test("100 Continue goes out before the 400 for a bad request pipelined behind", async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const port = await listen(server);
    try {
      const r = await overTcp(
        port,
        "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi" +
          "GET /bad HTTP/1.1\r\nBad Name: x\r\n\r\n",
        250,
      );
      assert.ok(r.response.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), JSON.stringify(r.response));
      assert.match(r.response, /HTTP\/1\.1 400 Bad Request/);
    } finally {
      await stop(server);
    }
  });

  test("writeProcessing is on the wire before a later parse error's 400", async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      res.writeProcessing();
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const port = await listen(server);
    try {
      const r = await overTcp(
        port,
        "GET /p HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nBad Name: x\r\n\r\n",
        250,
      );
      assert.ok(
        r.response.startsWith("HTTP/1.1 102 Processing\r\n\r\n"),
        JSON.stringify(r.response),
      );
    } finally {
      await stop(server);
    }
  });

  test("nothing follows the canned 400: a response still pending is not written after it", async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => res.end("late"));
    });
    const port = await listen(server);
    try {
      const r = await overTcp(
        port,
        "POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nhello",
        250,
      );
      assert.equal(r.response, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      assert.equal(r.closed, true);
    } finally {
      await stop(server);
    }
  });

  test("a response still pending when an 'upgrade' listener ends the socket is dropped, not a crash", async () => {
    const errors: unknown[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => res.end("late"));
    });
    server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
      socket.on("error", (e: unknown) => errors.push(e));
      socket.end("HTTP/1.1 101 Switching Protocols\r\n\r\n");
    });
    const port = await listen(server);
    try {
      const r = await overTcp(
        port,
        "GET /first HTTP/1.1\r\nHost: a\r\n\r\n" +
          "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n",
        250,
      );
      assert.equal(r.response, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
      assert.deepEqual(errors, []);
    } finally {
      await stop(server);
    }
  });
});
