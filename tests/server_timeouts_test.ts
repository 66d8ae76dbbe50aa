import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as net from "node:net";
import { createServer } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { latin1, listen, raw, sleep, stop } from "./server_util.ts";

describe("server: timeouts", () => {
  test("headersTimeout: a slow head gets 408 and a close", async () => {
    const server = createServer({
      headersTimeout: 200,
      requestTimeout: 400,
      connectionsCheckingInterval: 50,
    }, () => assert.fail("no request"));
    const port = await listen(server);
    const t0 = Date.now();
    const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n", { timeout: 3000 });
    const elapsed = Date.now() - t0;
    assert.equal(r.text, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    assert.equal(r.closed, true);
    assert.ok(elapsed >= 190 && elapsed < 1500, `elapsed ${elapsed}`);
    await stop(server);
  });

  test("headersTimeout also closes a connection that never sends a byte", async () => {
    const server = createServer({ headersTimeout: 150, connectionsCheckingInterval: 50 });
    const port = await listen(server);
    const r = await raw(port, [], { timeout: 3000 });
    assert.equal(r.text, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    assert.equal(r.closed, true);
    await stop(server);
  });

  test("requestTimeout: a slow body gets 408 (clientError listener sees ERR_HTTP_REQUEST_TIMEOUT)", async () => {
    let code = "";
    const server = createServer({
      headersTimeout: 100,
      requestTimeout: 300,
      connectionsCheckingInterval: 50,
    });
    server.on("request", (req: IncomingMessage) => req.resume());
    server.on("clientError", (err: Error & { code?: string }, socket: net.Socket) => {
      code = String(err.code);
      socket.end("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    });
    const port = await listen(server);
    const t0 = Date.now();
    const r = await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab", {
      timeout: 3000,
    });
    const elapsed = Date.now() - t0;
    assert.equal(code, "ERR_HTTP_REQUEST_TIMEOUT");
    assert.ok(r.text.startsWith("HTTP/1.1 408"));
    assert.ok(elapsed >= 290 && elapsed < 1500, `elapsed ${elapsed}`);
    await stop(server);
  });

  test("a request that completes in time is not timed out while its response is pending", async () => {
    const server = createServer({
      headersTimeout: 100,
      requestTimeout: 150,
      connectionsCheckingInterval: 30,
    }, (_req: IncomingMessage, res: ServerResponse) => {
      setTimeout(() => res.end("late but fine"), 300);
    });
    const port = await listen(server);
    const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", {
      until: (t) => t.endsWith("late but fine"),
    });
    assert.ok(r.text.startsWith("HTTP/1.1 200 OK"));
    await stop(server);
  });

  test("keepAliveTimeout closes an idle connection (timeout + 1s, as Node)", async () => {
    const server = createServer({ keepAliveTimeout: 100 }, (_req, res) => res.end("x"));
    const port = await listen(server);
    const t0 = Date.now();
    const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", { timeout: 4000 });
    const elapsed = Date.now() - t0;
    assert.match(r.text, /Keep-Alive: timeout=0\r\n/);
    assert.equal(r.closed, true);
    assert.ok(elapsed >= 1000 && elapsed < 2500, `elapsed ${elapsed}`);
    await stop(server);
  });

  test("server.setTimeout: 'timeout' event with the socket; no listener → destroyed", async () => {
    const server = createServer((_req, res) => res.end("x"));
    let timedOut = false;
    server.setTimeout(150, (socket: unknown) => {
      timedOut = true;
      (socket as net.Socket).destroy();
    });
    assert.equal(server.timeout, 150);
    const port = await listen(server);
    const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n", { timeout: 3000 });
    assert.equal(timedOut, true);
    assert.equal(r.closed, true);
    await stop(server);
  });

  test("res.setTimeout fires 'timeout' on the response", async () => {
    let fired = false;
    const server = createServer((_req, res) => {
      res.setTimeout(100, () => {
        fired = true;
        res.end("timed");
      });
    });
    const port = await listen(server);
    const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", {
      until: (t) => t.endsWith("timed"),
    });
    assert.equal(fired, true);
    assert.ok(r.text.endsWith("timed"));
    await stop(server);
  });
});

describe("server: backpressure", () => {
  test("a client that does not read: write() returns false, 'drain' comes once it reads", async () => {
    let falseSeen = false;
    let drained = false;
    let buffered = 0;
    let total = 0;
    let response: ServerResponse | null = null;
    const chunk = Buffer.alloc(64 * 1024, 97);
    let resolveWritten: () => void = () => {};
    const written = new Promise<void>((r) => resolveWritten = r);
    const server = createServer((_req, res) => {
      response = res;
      const pump = (): void => {
        while (total < 16 * 1024 * 1024) {
          total += chunk.length;
          if (!res.write(chunk)) {
            falseSeen = true;
            buffered = res.writableLength;
            res.once("drain", () => {
              drained = true;
              pump();
            });
            return;
          }
        }
        res.end();
        resolveWritten();
      };
      pump();
    });
    const port = await listen(server);
    const sock = net.connect(port, "127.0.0.1");
    sock.pause();
    sock.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await sleep(300);
    assert.equal(falseSeen, true);
    // Writing stalled (kernel buffers are full, 'drain' does not come) and the
    // server did not buffer the whole body.
    const stalledAt = total;
    await sleep(100);
    assert.equal(total, stalledAt);
    assert.ok(total < 16 * 1024 * 1024, `total ${total}`);
    assert.ok(buffered < 4 * 1024 * 1024, `buffered ${buffered}`);
    assert.ok((response as unknown as ServerResponse).writableLength < 4 * 1024 * 1024);
    assert.equal((response as unknown as ServerResponse).writableNeedDrain, true);
    let received = 0;
    sock.on("data", (d: Uint8Array) => received += d.byteLength);
    sock.resume();
    await written;
    assert.equal(drained, true);
    while (received < 16 * 1024 * 1024) await sleep(10);
    sock.destroy();
    await stop(server);
  });

  test("pipelined requests stop being parsed while responses back up", async () => {
    let handled = 0;
    const big = Buffer.alloc(256 * 1024, 98);
    const server = createServer((_req, res) => {
      handled++;
      res.end(big);
    });
    const port = await listen(server);
    const sock = net.connect(port, "127.0.0.1");
    sock.pause();
    let all = "";
    for (let i = 0; i < 200; i++) all += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    sock.write(all);
    await sleep(300);
    assert.ok(handled > 0 && handled < 200, `handled ${handled}`);
    let text = "";
    sock.on("data", (d: Uint8Array) => text += latin1(d.subarray(0, 20)));
    sock.resume();
    for (let i = 0; i < 300 && handled < 200; i++) await sleep(10);
    assert.equal(handled, 200);
    sock.destroy();
    await stop(server);
  });

  test("a request body is paused when the handler does not read it", async () => {
    let req: IncomingMessage | null = null;
    const server = createServer((r) => {
      req = r;
    });
    const port = await listen(server);
    const sock = net.connect(port, "127.0.0.1");
    sock.on("error", () => {});
    sock.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n");
    const piece = Buffer.alloc(64 * 1024, 99);
    let wrote = 0;
    let blocked = false;
    for (let i = 0; i < 150 && !blocked; i++) {
      wrote += piece.length;
      if (!sock.write(piece)) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            blocked = true;
            r();
          }, 200);
          sock.once("drain", () => {
            clearTimeout(t);
            r();
          });
        });
      }
    }
    assert.equal(blocked, true, `the client could write ${wrote} bytes`);
    const r = req as unknown as IncomingMessage;
    assert.ok(r.readableLength < 8 * 1024 * 1024, `buffered ${r.readableLength}`);
    sock.destroy();
    await stop(server);
  });
});
