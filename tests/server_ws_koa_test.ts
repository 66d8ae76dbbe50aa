/**
 * Frameworks no one here wrote, on anyhttp's server over real loopback sockets:
 * `ws`'s `WebSocketServer` attached through the 'upgrade' event (with the `ws`
 * client and the runtime's global `WebSocket`), and a Koa app served by
 * `createServer(app.callback())`.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import type * as nodeHttp from "node:http";
import type { Duplex } from "node:stream";
import { Readable } from "node:stream";
import { WebSocket as WsClient, WebSocketServer } from "ws";
import type { RawData, WebSocket as WsSocket } from "ws";
import Koa from "koa";
import { createServer } from "../mod.ts";
import type { IncomingMessage, RequestListener, Server } from "../mod.ts";
import { listen, stop } from "./server_util.ts";

/** The runtime's own WebSocket class (Deno, Bun, Node 22+), or undefined (Node 20). */
const NativeWebSocket = (globalThis as unknown as { WebSocket?: typeof WebSocket }).WebSocket;
const noNativeWebSocket: string | false = typeof NativeWebSocket === "function"
  ? false
  : "this runtime has no global WebSocket (Node < 22)";

/** An echo WebSocket server on anyhttp's 'upgrade' event. */
interface WsSetup {
  server: Server;
  wss: WebSocketServer;
  port: number;
  /** Requests that reached the 'request' handler (must stay 0). */
  plainRequests: number;
  /** URLs of upgrade requests. */
  upgrades: string[];
  /** Server-side close codes, in order. */
  serverCloses: number[];
}

async function withWsServer(fn: (s: WsSetup) => Promise<void>): Promise<void> {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((_req, res) => {
    setup.plainRequests++;
    res.end("not a websocket");
  });
  const setup: WsSetup = {
    server,
    wss,
    port: 0,
    plainRequests: 0,
    upgrades: [],
    serverCloses: [],
  };
  wss.on("connection", (ws: WsSocket) => {
    ws.on("message", (data: RawData, isBinary: boolean) => {
      ws.send(data as Buffer, { binary: isBinary });
    });
    ws.on("close", (code: number) => setup.serverCloses.push(code));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    setup.upgrades.push(String(req.url));
    wss.handleUpgrade(req as unknown as nodeHttp.IncomingMessage, socket, head, (ws) => {
      wss.emit("connection", ws, req);
    });
  });
  setup.port = await listen(server);
  try {
    await fn(setup);
  } finally {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await stop(server);
  }
}

/** Resolves when `cond()` holds (polling), rejects after `ms`. */
async function waitFor(cond: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("server + ws: WebSocketServer on the 'upgrade' event", () => {
  test("ws client: text and 100 KiB binary echo, clean close", async () => {
    await withWsServer(async (s) => {
      const client = new WsClient(`ws://127.0.0.1:${s.port}/echo?x=1`);
      const received: { data: Buffer; isBinary: boolean }[] = [];
      client.on("message", (data: RawData, isBinary: boolean) => {
        received.push({ data: Buffer.from(data as Buffer), isBinary });
      });
      const closed = new Promise<number>((resolve) =>
        client.on("close", (c: number) => resolve(c))
      );
      try {
        await new Promise<void>((resolve, reject) => {
          client.once("open", () => resolve());
          client.once("error", reject);
        });
        client.send("hello anyhttp");
        await waitFor(() => received.length === 1, 3000, "text echo");
        assert.equal(received[0].isBinary, false);
        assert.equal(received[0].data.toString(), "hello anyhttp");

        const blob = randomBytes(100 * 1024);
        client.send(blob);
        await waitFor(() => received.length === 2, 5000, "binary echo");
        assert.equal(received[1].isBinary, true);
        assert.equal(received[1].data.byteLength, blob.byteLength);
        assert.ok(received[1].data.equals(blob), "binary echo equals what was sent");

        client.close(1000, "bye");
        assert.equal(await closed, 1000);
        await waitFor(() => s.serverCloses.length === 1, 3000, "server-side close");
        assert.deepEqual(s.serverCloses, [1000]);
        assert.deepEqual(s.upgrades, ["/echo?x=1"]);
        assert.equal(s.plainRequests, 0);
      } finally {
        client.terminate();
      }
    });
  });

  test("the runtime's global WebSocket: text and 100 KiB binary echo", {
    skip: noNativeWebSocket,
  }, async () => {
    await withWsServer(async (s) => {
      const Ctor = NativeWebSocket as typeof WebSocket;
      const client = new Ctor(`ws://127.0.0.1:${s.port}/native`);
      client.binaryType = "arraybuffer";
      const received: (string | Uint8Array)[] = [];
      client.onmessage = (ev: MessageEvent) => {
        received.push(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data));
      };
      const closed = new Promise<{ code: number; wasClean: boolean }>((resolve) => {
        client.onclose = (ev: CloseEvent) => resolve({ code: ev.code, wasClean: ev.wasClean });
      });
      try {
        await new Promise<void>((resolve, reject) => {
          client.onopen = () => resolve();
          client.onerror = () => reject(new Error("WebSocket error before open"));
        });
        client.send("hello from the runtime");
        await waitFor(() => received.length === 1, 3000, "text echo");
        assert.equal(received[0], "hello from the runtime");

        const blob = new Uint8Array(randomBytes(100 * 1024));
        client.send(blob);
        await waitFor(() => received.length === 2, 5000, "binary echo");
        const back = received[1] as Uint8Array;
        assert.ok(back instanceof Uint8Array, "binary frames arrive as binary");
        assert.equal(back.byteLength, blob.byteLength);
        assert.ok(Buffer.from(back).equals(Buffer.from(blob)), "binary echo equals what was sent");

        client.close(1000, "done");
        const c = await closed;
        assert.equal(c.code, 1000);
        assert.equal(c.wasClean, true);
        await waitFor(() => s.serverCloses.length === 1, 3000, "server-side close");
        assert.deepEqual(s.upgrades, ["/native"]);
        assert.equal(s.plainRequests, 0);
      } finally {
        if (client.readyState === Ctor.CONNECTING || client.readyState === Ctor.OPEN) {
          client.close();
          await closed;
        }
      }
    });
  });

  test("a plain request on the same server still reaches 'request'", async () => {
    await withWsServer(async (s) => {
      const r = await fetch(`http://127.0.0.1:${s.port}/plain`);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), "not a websocket");
      assert.equal(s.plainRequests, 1);
      assert.deepEqual(s.upgrades, []);
    });
  });
});

async function* slowLines(): AsyncGenerator<string> {
  for (let i = 0; i < 5; i++) {
    yield `line ${i}\n`;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function readAll(req: nodeHttp.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function koaApp(): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    const started = Date.now();
    await next();
    ctx.set("X-Response-Time", `${Date.now() - started}ms`);
  });
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const e = err as { status?: number; message: string };
      ctx.status = e.status ?? 500;
      ctx.body = { error: e.message };
    }
  });
  app.use(async (ctx) => {
    switch (ctx.path) {
      case "/json":
        ctx.body = { hello: "koa", method: ctx.method, query: ctx.query };
        break;
      case "/things": {
        if (ctx.method !== "POST") ctx.throw(405, "POST only");
        const input = JSON.parse(await readAll(ctx.req));
        ctx.status = 201;
        ctx.set("Location", "/things/1");
        ctx.body = { created: input, type: ctx.get("content-type") };
        break;
      }
      case "/stream":
        ctx.type = "text/plain";
        ctx.body = Readable.from(slowLines());
        break;
      case "/teapot":
        ctx.throw(418, "short and stout");
        break;
      case "/old":
        ctx.redirect("/json?from=old");
        break;
      default:
        ctx.status = 404;
        ctx.body = "no route";
    }
  });
  return app;
}

async function withKoa(fn: (base: string) => Promise<void>): Promise<void> {
  const server = createServer(koaApp().callback() as unknown as RequestListener);
  const port = await listen(server);
  try {
    await fn(`http://127.0.0.1:${port}`);
  } finally {
    await stop(server);
  }
}

describe("server + koa: createServer(app.callback())", () => {
  test("JSON body, middleware headers, query", async () => {
    await withKoa(async (base) => {
      const r = await fetch(`${base}/json?a=1&b=two`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
      assert.match(r.headers.get("x-response-time") ?? "", /^\d+ms$/);
      const body = await r.json();
      assert.deepEqual(body, { hello: "koa", method: "GET", query: { a: "1", b: "two" } });
      assert.equal(r.headers.get("content-length"), String(JSON.stringify(body).length));
    });
  });

  test("POST JSON → 201 with Location", async () => {
    await withKoa(async (base) => {
      const r = await fetch(`${base}/things`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "widget", n: 3 }),
      });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get("location"), "/things/1");
      assert.deepEqual(await r.json(), {
        created: { name: "widget", n: 3 },
        type: "application/json",
      });
    });
  });

  test("errors and status codes: 418, 405, 404, redirect", async () => {
    await withKoa(async (base) => {
      const tea = await fetch(`${base}/teapot`);
      assert.equal(tea.status, 418);
      assert.deepEqual(await tea.json(), { error: "short and stout" });
      const get = await fetch(`${base}/things`);
      assert.equal(get.status, 405);
      assert.deepEqual(await get.json(), { error: "POST only" });
      const missing = await fetch(`${base}/nowhere`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), "no route");
      const moved = await fetch(`${base}/old`);
      assert.equal(moved.redirected, true);
      assert.equal(moved.status, 200);
      assert.deepEqual((await moved.json()).query, { from: "old" });
    });
  });

  test("streaming body from a Readable", async () => {
    await withKoa(async (base) => {
      const r = await fetch(`${base}/stream`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(r.headers.get("transfer-encoding"), "chunked");
      const reader = (r.body as ReadableStream<Uint8Array>).getReader();
      const dec = new TextDecoder();
      let text = "";
      let reads = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        reads++;
        text += dec.decode(value, { stream: true });
      }
      assert.equal(text, "line 0\nline 1\nline 2\nline 3\nline 4\n");
      assert.ok(reads >= 2, `the body arrived in pieces (${reads} reads)`);
    });
  });
});
