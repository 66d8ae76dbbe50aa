/**
 * Idle timeouts fire on time: `msecs` after the last activity (as Node's
 * refreshed timers do), never early and not up to 2x late. Covers the Socket's
 * own timer (reads, writes, re-arming, a new period after 'timeout'), the
 * server's `keepAliveTimeout` (+ Node's 1 s buffer), `timeout`,
 * `res.setTimeout`/`req.setTimeout`, `headersTimeout`/`requestTimeout`, and the
 * client's `timeout` option, `req.setTimeout` and the Agent's free-socket
 * `timeout`.
 *
 * Every time is measured with `performance.now()` from a point at or before
 * the activity the timer must count from, so the lower bounds are strict; the
 * upper bounds are loose (the machine is noisy) but below what a timer that
 * only checks for activity when it expires gives (up to 2x).
 */

import { listen } from "./server_util.ts";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import type { Buffer } from "node:buffer";
import { createMemoryPair, type MemoryTransport } from "../src/transport/memory.ts";
import { attachConsumer, Socket } from "../src/socket.ts";
import { createServer, type Server } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { Agent } from "../src/agent.ts";
import { request } from "../src/request.ts";
import type { ClientRequest } from "../src/client_request.ts";

/** Upper bound factor: late by more than this is the old "check at expiry" behaviour. */
const LATE = 1.6;
/** No single wait in this file takes longer. */
const LIMIT_MS = 5000;

const now = (): number => performance.now();

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Asserts `elapsed` is at least `ms` and less than `ms * LATE`. */
function assertOnTime(elapsed: number, ms: number, what: string): void {
  assert.ok(elapsed >= ms, `${what}: early, after ${elapsed.toFixed(1)} ms (expected ${ms})`);
  assert.ok(elapsed < ms * LATE, `${what}: late, after ${elapsed.toFixed(1)} ms (expected ${ms})`);
}

/** Resolves with `now()` when `event` is emitted (rejects after LIMIT_MS). */
function timeOf(
  emitter: {
    once(ev: string, fn: () => void): unknown;
    removeListener(ev: string, fn: () => void): unknown;
  },
  event: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const on = (): void => {
      clearTimeout(timer);
      resolve(now());
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, on);
      reject(new Error(`no '${event}' within ${LIMIT_MS} ms`));
    }, LIMIT_MS);
    emitter.once(event, on);
  });
}

/** A Socket over one end of a memory pair, flowing; the other end is a raw transport. */
function memorySocket(): { socket: Socket; peer: MemoryTransport } {
  const [mine, peer] = createMemoryPair();
  peer.setHandler({ onData() {}, onDrain() {}, onEnd() {}, onClose() {} });
  const socket = new Socket(mine);
  socket.resume();
  return { socket, peer };
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** A raw client: connects, collects bytes, records when it closed. */
function rawClient(port: number): {
  sock: net.Socket;
  text: () => string;
  closedAt: Promise<number>;
} {
  const sock = net.connect(port, "127.0.0.1");
  let text = "";
  sock.on("data", (d: Buffer) => {
    text += d.toString("latin1");
  });
  sock.on("error", () => {});
  const closedAt = timeOf(sock, "close");
  return { sock, text: () => text, closedAt };
}

/** Polls until `check()` holds (bounded). */
async function until(check: () => boolean, what: string): Promise<void> {
  const start = now();
  while (!check()) {
    if (now() - start > LIMIT_MS) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

describe("Socket idle timer precision", () => {
  test("'timeout' comes msecs after a read early in the period, not at the next check", async () => {
    const { socket, peer } = memorySocket();
    socket.setTimeout(300);
    await delay(100);
    const last = now();
    peer.write(bytes("x"));
    const fired = await timeOf(socket, "timeout");
    assertOnTime(fired - last, 300, "after a read");
    socket.destroy();
  });

  test("a write through the socket restarts the period; so does one through attachConsumer's user (_touch)", async () => {
    const { socket } = memorySocket();
    socket.setTimeout(300);
    await delay(100);
    let last = now();
    socket.write("y");
    let fired = await timeOf(socket, "timeout");
    assertOnTime(fired - last, 300, "after a socket write");

    // The HTTP layer writes the transport directly and reports it with _touch().
    const t = attachConsumer(socket, { onData() {}, onDrain() {}, onEnd() {}, onClose() {} });
    socket.setTimeout(300);
    await delay(100);
    last = now();
    t.write(bytes("z"));
    socket._touch();
    fired = await timeOf(socket, "timeout");
    assertOnTime(fired - last, 300, "after a touched transport write");
    socket.destroy();
  });

  test("after 'timeout', the next period is timed from the next activity", async () => {
    const { socket, peer } = memorySocket();
    socket.setTimeout(300);
    const first = now();
    const fired1 = await timeOf(socket, "timeout");
    assertOnTime(fired1 - first, 300, "first period");
    await delay(100);
    const last = now();
    peer.write(bytes("wake"));
    const fired2 = await timeOf(socket, "timeout");
    assertOnTime(fired2 - last, 300, "the period after 'timeout'");
    socket.destroy();
  });

  test("setTimeout again restarts the period; a shorter one takes effect at once; 0 stops it", async () => {
    const { socket, peer } = memorySocket();
    let count = 0;
    socket.on("timeout", () => count++);

    socket.setTimeout(1000);
    await delay(50);
    let set = now();
    socket.setTimeout(300);
    let fired = await timeOf(socket, "timeout");
    assertOnTime(fired - set, 300, "shorter timeout set later");

    socket.setTimeout(300);
    await delay(100);
    set = now();
    socket.setTimeout(300);
    fired = await timeOf(socket, "timeout");
    assertOnTime(fired - set, 300, "same timeout set again");

    // 0 then a new value: the new period runs from the second call.
    socket.setTimeout(300);
    await delay(100);
    socket.setTimeout(0);
    await delay(100);
    set = now();
    socket.setTimeout(300);
    fired = await timeOf(socket, "timeout");
    assertOnTime(fired - set, 300, "after setTimeout(0)");

    // 0 alone: nothing fires, activity or not.
    const before = count;
    socket.setTimeout(200);
    socket.setTimeout(0);
    await delay(100);
    peer.write(bytes("x"));
    await delay(350);
    assert.equal(count, before, "'timeout' after setTimeout(0)");
    socket.destroy();
  });
});

describe("server timeout precision", () => {
  test("keepAliveTimeout closes keepAliveTimeout + 1000 ms after the last response, also on a reused connection", async () => {
    let endedAt = 0;
    const server = createServer({ keepAliveTimeout: 200 }, (_req, res) => {
      endedAt = now();
      res.end("ok");
    });
    const port = await listen(server);
    const c = rawClient(port);
    c.sock.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => c.text().endsWith("ok"), "first response");
    await delay(300);
    c.sock.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => c.text().split("HTTP/1.1 200").length === 3, "second response");
    const closed = await c.closedAt;
    assertOnTime(closed - endedAt, 1200, "keep-alive close");
    await stop(server);
  });

  test("server.setTimeout: 'timeout' comes msecs after the last body byte", async () => {
    const server = createServer((req: IncomingMessage) => req.resume());
    server.setTimeout(400);
    let last = 0;
    const fired = new Promise<number>((resolve) => {
      server.on("timeout", (socket: net.Socket) => {
        resolve(now());
        socket.destroy();
      });
    });
    const port = await listen(server);
    const c = rawClient(port);
    c.sock.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab");
    await delay(100);
    last = now();
    c.sock.write("c");
    assertOnTime((await fired) - last, 400, "server timeout");
    await c.closedAt;
    await stop(server);
  });

  test("res.setTimeout counts the response's own writes", async () => {
    let last = 0;
    let resolve!: (t: number) => void;
    const fired = new Promise<number>((r) => resolve = r);
    const server = createServer(async (_req: IncomingMessage, res: ServerResponse) => {
      res.setTimeout(400, () => {
        resolve(now());
        res.destroy();
      });
      res.writeHead(200);
      res.write("a");
      await delay(100);
      last = now();
      res.write("b");
    });
    const port = await listen(server);
    const c = rawClient(port);
    c.sock.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertOnTime((await fired) - last, 400, "res timeout");
    await c.closedAt;
    await stop(server);
  });

  test("req.setTimeout counts body bytes", async () => {
    let resolve!: (t: number) => void;
    const fired = new Promise<number>((r) => resolve = r);
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.setTimeout(400, () => {
        resolve(now());
        res.destroy();
      });
    });
    const port = await listen(server);
    const c = rawClient(port);
    c.sock.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\na");
    await delay(150);
    const last = now();
    c.sock.write("b");
    assertOnTime((await fired) - last, 400, "req timeout");
    await c.closedAt;
    await stop(server);
  });

  test("headersTimeout: 408 within the checking interval after it passes", async () => {
    const server = createServer({
      headersTimeout: 300,
      requestTimeout: 1000,
      connectionsCheckingInterval: 50,
    }, () => assert.fail("no request expected"));
    const port = await listen(server);
    const start = now();
    const c = rawClient(port);
    c.sock.write("GET / HTTP/1.1\r\nHost: x\r\n");
    const closed = await c.closedAt;
    assert.equal(c.text(), "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n");
    assertOnTime(closed - start, 300, "headersTimeout");
    await stop(server);
  });

  test("requestTimeout: a trickling body does not extend it", async () => {
    const server = createServer({
      headersTimeout: 300,
      requestTimeout: 500,
      connectionsCheckingInterval: 50,
    }, (req: IncomingMessage) => req.resume());
    const port = await listen(server);
    const start = now();
    const c = rawClient(port);
    c.sock.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\na");
    for (let i = 0; i < 3; i++) {
      await delay(100);
      if (!c.sock.destroyed) c.sock.write("b");
    }
    const closed = await c.closedAt;
    assert.ok(c.text().startsWith("HTTP/1.1 408 Request Timeout"), c.text());
    assertOnTime(closed - start, 500, "requestTimeout");
    await stop(server);
  });
});

describe("client timeout precision", () => {
  test("the timeout option: 'timeout' msecs after the last response bytes", async () => {
    let last = 0;
    const server = createServer(async (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200);
      res.write("a");
      await delay(100);
      last = now();
      res.write("b");
    });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: false });
    const req = request({ host: "127.0.0.1", port, agent, timeout: 400 }, (res) => {
      res.resume();
      res.on("error", () => {});
    });
    req.on("error", () => {});
    const timedOut = timeOf(req, "timeout");
    req.end();
    const fired = await timedOut;
    req.destroy();
    assertOnTime(fired - last, 400, "client timeout option");
    agent.destroy();
    await stop(server);
  });

  test("req.setTimeout: fires msecs after the request went out when nothing comes back", async () => {
    const server = createServer(() => {});
    const port = await listen(server);
    const agent = new Agent({ keepAlive: false });
    const start = now();
    let req!: ClientRequest;
    const fired = await new Promise<number>((resolve) => {
      req = request({ host: "127.0.0.1", port, agent });
      req.setTimeout(400, () => resolve(now()));
      req.on("error", () => {});
      req.end();
    });
    req.destroy();
    assertOnTime(fired - start, 400, "req.setTimeout");
    agent.destroy();
    await stop(server);
  });

  test("Agent timeout: a free socket closes msecs after its last response, also when reused", async () => {
    let endedAt = 0;
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      endedAt = now();
      res.end("ok");
    });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, timeout: 400 });
    const get = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, agent }, (res) => {
          const socket = res.socket as Socket;
          res.resume();
          res.on("end", () => resolve(socket));
        });
        req.on("error", reject);
        req.end();
      });
    const first = await get();
    await delay(100);
    const second = await get();
    assert.equal(second, first, "the free socket was reused");
    const closed = await timeOf(second, "close");
    assertOnTime(closed - endedAt, 400, "free socket timeout");
    agent.destroy();
    await stop(server);
  });
});
