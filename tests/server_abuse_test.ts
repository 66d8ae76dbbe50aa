/**
 * anyhttp's server under bad or hostile input over raw `node:net` sockets on
 * loopback: slow heads, pipelined floods from a client that does not read,
 * oversized heads, too many headers, and a huge upload the handler ignores.
 * Every case must end in Node's answer, in bounded time and memory.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { createServer } from "../mod.ts";
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from "../mod.ts";
import { countResponses, listen, raw, sleep, stop } from "./server_util.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function withServer(
  options: ServerOptions,
  handler: Handler,
  fn: (port: number, server: Server) => Promise<void>,
): Promise<void> {
  const server = createServer(options, handler);
  const port = await listen(server);
  try {
    await fn(port, server);
  } finally {
    await stop(server);
  }
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1");
    sock.once("connect", () => {
      sock.off("error", reject);
      resolve(sock);
    });
    sock.once("error", reject);
  });
}

/** Waits until `read()` stops changing for `quietMs` (or `maxMs` passed); returns the last value. */
async function settle(read: () => number, quietMs: number, maxMs: number): Promise<number> {
  const end = Date.now() + maxMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(20);
    const v = read();
    if (v !== last) {
      last = v;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      break;
    }
  }
  return last;
}

const TIMEOUT_408 = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n";
const TOO_LARGE_431 = "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n";

describe("server abuse", () => {
  test("slow-loris head (1 byte / 50 ms) gets 408 after headersTimeout and is closed", async () => {
    let handled = 0;
    await withServer(
      { headersTimeout: 500, requestTimeout: 1000, connectionsCheckingInterval: 100 },
      (_req, res) => {
        handled++;
        res.end();
      },
      async (port) => {
        const sock = await connect(port);
        const head = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n";
        let text = "";
        let sent = 0;
        const started = Date.now();
        sock.on("data", (d: Buffer) => text += d.toString("latin1"));
        sock.on("error", () => {});
        const closed = new Promise<number>((resolve) => {
          sock.on("close", () => resolve(Date.now() - started));
        });
        const timer = setInterval(() => {
          if (sock.destroyed || sock.writableEnded || sent >= head.length) return;
          sock.write(head[sent++]);
        }, 50);
        const guard = setTimeout(() => sock.destroy(), 4000);
        try {
          const elapsed = await closed;
          assert.equal(text, TIMEOUT_408);
          assert.ok(elapsed >= 450 && elapsed < 1500, `closed after ${elapsed} ms`);
          assert.ok(sent < head.length, `the head never completed (${sent} bytes sent)`);
          assert.equal(handled, 0);
        } finally {
          clearInterval(timer);
          clearTimeout(guard);
          sock.destroy();
        }
      },
    );
  });

  // A response that leaves more than the socket's high-water mark queued
  // pauses parsing until the transport drains; it must drain for any mark
  // (16 KiB answers on Deno/Bun sit under their transports' own 64 KiB).
  for (const highWaterMark of [undefined, 4096, 1 << 20]) {
    test(`pipelined requests answered with 16 KiB bodies all get answers (highWaterMark ${highWaterMark})`, async () => {
      const N = 40;
      const body = Buffer.alloc(16 * 1024, 0x41);
      let finished = 0;
      await withServer({ highWaterMark }, (_req, res) => {
        res.end(body, () => finished++);
      }, async (port) => {
        let requests = "";
        for (let i = 0; i < N; i++) requests += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
        const r = await raw(port, requests, {
          timeout: 5000,
          until: (t) => countResponses(t) === N && t.length >= N * body.length,
        });
        assert.equal(r.timedOut, false, `${countResponses(r.text)} of ${N} answers came`);
        assert.equal(countResponses(r.text), N);
      });
      assert.equal(finished, N);
    });
  }

  test("200 pipelined requests, client not reading 64 KiB responses: server stops reading", async () => {
    const N = 200;
    const SIZE = 64 * 1024;
    const body = Buffer.alloc(SIZE, 0x61);
    let handled = 0;
    let serverSocket: { writableLength: number } | null = null;
    await withServer({}, (req, res) => {
      handled++;
      serverSocket = req.socket as unknown as { writableLength: number };
      res.setHeader("X-Seq", String(req.url).slice(1));
      res.setHeader("Content-Type", "application/octet-stream");
      res.end(body);
    }, async (port) => {
      const sock = await connect(port);
      sock.on("error", () => {});
      try {
        sock.pause();
        let requests = "";
        for (let i = 0; i < N; i++) requests += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
        sock.write(requests);

        // The client reads nothing: the server may only run ahead by what the
        // kernel's socket buffers take (Linux loopback: ~4 MiB, ~60 responses;
        // Node 20 gets as far when requests arrive one per read) plus its own
        // high-water mark; then it stops reading and parsing.
        const stalled = await settle(() => handled, 400, 5000);
        assert.ok(stalled >= 1, "the first request was served");
        assert.ok(stalled < N / 2, `handler ran ${stalled} times while the client did not read`);
        const held = (serverSocket as { writableLength: number } | null)?.writableLength ?? -1;
        assert.ok(held >= 0 && held <= 1024 * 1024, `server socket holds ${held} unsent bytes`);

        // Now read everything: every response arrives, in order, framed right.
        const seqs: number[] = [];
        let pending: Buffer = Buffer.alloc(0);
        let bodyLeft = 0;
        let bad = "";
        const done = new Promise<void>((resolve) => {
          const feed = (chunk: Buffer): void => {
            const buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
            let off = 0;
            while (off < buf.length) {
              if (bodyLeft > 0) {
                const n = Math.min(bodyLeft, buf.length - off);
                bodyLeft -= n;
                off += n;
                continue;
              }
              const end = buf.indexOf("\r\n\r\n", off, "latin1");
              if (end < 0) break;
              const headText = buf.toString("latin1", off, end);
              const seq = /\r\nX-Seq: (\d+)\r\n/i.exec(headText);
              const len = /\r\nContent-Length: (\d+)(\r\n|$)/i.exec(headText);
              if (!headText.startsWith("HTTP/1.1 200 OK\r\n") || !seq || !len) {
                bad = headText;
                resolve();
                return;
              }
              seqs.push(Number(seq[1]));
              bodyLeft = Number(len[1]);
              off = end + 4;
            }
            pending = Buffer.from(buf.subarray(off));
            if (seqs.length === N && bodyLeft === 0) resolve();
          };
          sock.on("data", feed);
          sock.on("close", () => resolve());
        });
        sock.resume();
        const guard = setTimeout(() => sock.destroy(), 8000);
        await done;
        clearTimeout(guard);
        assert.equal(bad, "", "every response head is well formed");
        assert.equal(seqs.length, N);
        assert.deepEqual(seqs, Array.from({ length: N }, (_, i) => i));
        assert.equal(handled, N);
      } finally {
        sock.destroy();
      }
    });
  });

  test("oversized head (20 KiB header) gets 431 and is closed; handler not called", async () => {
    let handled = 0;
    await withServer({}, (_req, res) => {
      handled++;
      res.end();
    }, async (port) => {
      const r = await raw(
        port,
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20 * 1024) + "\r\n\r\n",
        { timeout: 3000 },
      );
      assert.equal(r.text, TOO_LARGE_431);
      assert.equal(r.closed, true);
      assert.equal(handled, 0);
    });
  });

  test("a head that never ends is cut at maxHeaderSize, not buffered", async () => {
    let handled = 0;
    await withServer({ maxHeaderSize: 4096 }, (_req, res) => {
      handled++;
      res.end();
    }, async (port) => {
      const sock = await connect(port);
      let text = "";
      let written = 0;
      sock.on("data", (d: Buffer) => text += d.toString("latin1"));
      sock.on("error", () => {});
      const closed = new Promise<void>((resolve) => sock.on("close", () => resolve()));
      sock.write("GET / HTTP/1.1\r\nHost: x\r\n");
      const line = Buffer.from("X-Filler: " + "f".repeat(1000) + "\r\n", "latin1");
      const timer = setInterval(() => {
        if (sock.destroyed || sock.writableEnded || written > 1024 * 1024) return;
        sock.write(line);
        written += line.byteLength;
      }, 5);
      const guard = setTimeout(() => sock.destroy(), 4000);
      try {
        await closed;
        assert.equal(text, TOO_LARGE_431);
        assert.ok(written < 64 * 1024, `closed after ${written} bytes of head`);
        assert.equal(handled, 0);
      } finally {
        clearInterval(timer);
        clearTimeout(guard);
        sock.destroy();
      }
    });
  });

  function manyHeaders(count: number): string {
    let head = "GET /many HTTP/1.1\r\nHost: x\r\n";
    for (let i = 0; i < count; i++) head += `a:${i % 10}\r\n`;
    return head + "\r\n";
  }

  test("more headers than the default limit (2000 entries): Node's 1000 pairs in headers, request served", async () => {
    let seen: { raw: number; host: string | undefined; a: number } | null = null;
    await withServer({}, (req, res) => {
      const a = req.headers["a"];
      seen = {
        raw: req.rawHeaders.length,
        host: req.headers.host as string | undefined,
        a: typeof a === "string" ? a.split(", ").length : -1,
      };
      res.end("served");
    }, async (port) => {
      const r = await raw(port, manyHeaders(2100), { until: (t) => t.endsWith("served") });
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(r.text.endsWith("\r\n\r\nserved"));
      // As Node 20: rawHeaders keeps 33 batches of 31 lines; headers the first 2000 entries.
      assert.deepEqual(seen, { raw: 2046, host: "x", a: 999 });
    });
  });

  test("server.maxHeadersCount = 10 keeps 10 headers; the rest are parsed and dropped", async () => {
    let seen: { a: string | string[] | undefined; first: string[] } | null = null;
    await withServer({}, (req, res) => {
      seen = { a: req.headers["a"], first: req.rawHeaders.slice(0, 20) };
      res.end("served");
    }, async (port, server) => {
      server.maxHeadersCount = 10;
      const r = await raw(port, manyHeaders(50), { until: (t) => t.endsWith("served") });
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      const expectedFirst = ["Host", "x"];
      for (let i = 0; i < 9; i++) expectedFirst.push("a", String(i));
      assert.deepEqual(seen, { a: "0, 1, 2, 3, 4, 5, 6, 7, 8", first: expectedFirst });
    });
  });

  test("1 GiB Content-Length the handler ignores: answered, body drained not buffered", async () => {
    const KEEP_ALIVE = 500;
    let serverReq: IncomingMessage | null = null;
    let maxBuffered = 0;
    await withServer({ keepAliveTimeout: KEEP_ALIVE }, (req, res) => {
      serverReq = req;
      res.end("ignored your upload");
    }, async (port) => {
      const sock = await connect(port);
      let text = "";
      sock.on("data", (d: Buffer) => text += d.toString("latin1"));
      sock.on("error", () => {});
      let closedAt = 0;
      const closed = new Promise<void>((resolve) => {
        sock.on("close", () => {
          closedAt = Date.now();
          resolve();
        });
      });
      const guard = setTimeout(() => sock.destroy(), 10000);
      try {
        sock.write(`POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
        const chunk = Buffer.alloc(64 * 1024, 0x78);
        const TOTAL = 4 * 1024 * 1024;
        let sent = 0;
        while (sent < TOTAL && !sock.destroyed) {
          if (!sock.write(chunk)) {
            await new Promise<void>((resolve) => {
              const go = (): void => {
                sock.off("drain", go);
                sock.off("close", go);
                resolve();
              };
              sock.on("drain", go);
              sock.on("close", go);
            });
          }
          sent += chunk.byteLength;
          const req = serverReq as IncomingMessage | null;
          if (req) maxBuffered = Math.max(maxBuffered, req.readableLength);
        }
        const stoppedAt = Date.now();
        assert.equal(sent, TOTAL, "the server kept draining the body");
        // The server read (and discarded) what was sent.
        await settle(() => (serverReq?.socket?.bytesRead ?? 0), 200, 3000);
        const req = serverReq as IncomingMessage | null;
        assert.ok(req, "the handler ran");
        assert.ok((req.socket?.bytesRead ?? 0) >= TOTAL, "the body was read off the wire");
        assert.ok(req.readableLength <= 64 * 1024, `req holds ${req.readableLength} bytes`);
        assert.ok(maxBuffered <= 64 * 1024, `req held up to ${maxBuffered} bytes`);
        assert.equal(req.complete, false);
        // As Node: the response is framed for keep-alive, and the idle connection
        // is closed by the keep-alive timeout once the client stops sending.
        assert.match(text, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(text, /\r\nConnection: keep-alive\r\n/);
        assert.ok(text.endsWith("\r\n\r\nignored your upload"));
        await closed;
        const idle = closedAt - stoppedAt;
        assert.ok(idle >= KEEP_ALIVE && idle < 4000, `closed ${idle} ms after the upload stopped`);
      } finally {
        clearTimeout(guard);
        sock.destroy();
      }
    });
  });

  test("a smuggling attempt in one write: one clientError naming the whole packet, no request", async () => {
    // Content-Length with a Transfer-Encoding, then a second request in the
    // body: more than an idle connection's first read on Deno (256 bytes).
    const smuggled = "POST / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 10\r\n" +
      "Transfer-Encoding: eee, chunked\r\n\r\nHELLOWORLD" +
      "POST / HTTP/1.1\r\nHost: a.test\r\nConnection: keep-alive\r\n" +
      "Content-Type: text/plain; charset=utf-8\r\nContent-Length: 28\r\n\r\n" +
      "I AM A SMUGGLED REQUEST!!!\r\n";
    const errors: { code?: string; rawPacket?: Buffer; bytesParsed?: number }[] = [];
    await withServer(
      {},
      () => assert.fail("no request may reach the handler"),
      async (port, server) => {
        server.on("clientError", (err: Error, socket: net.Socket) => {
          errors.push(err as { code?: string; rawPacket?: Buffer; bytesParsed?: number });
          setTimeout(() => socket.destroy(), 100);
        });
        const sock = await connect(port);
        sock.end(smuggled);
        await new Promise<void>((resolve) => sock.on("close", () => resolve()));
        await sleep(20);
      },
    );
    assert.equal(errors.length, 1, "one clientError");
    assert.equal(errors[0].code, "HPE_INVALID_TRANSFER_ENCODING");
    assert.equal(errors[0].rawPacket?.toString("latin1"), smuggled);
  });
});
