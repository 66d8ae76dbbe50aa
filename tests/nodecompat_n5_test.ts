/**
 * Behaviours found by running Node's own http tests (upgrade / request-timeout /
 * transfer-encoding / write / timeout / url.parse areas) through anyhttp: a
 * request whose Transfer-Encoding does not end in `chunked` gets Node's error
 * code and 400 (but, unlike llhttp, never reaches the 'request' listener: its
 * body framing is unknown), and `ClientRequest#setTimeout` with a delay past
 * 2^31-1 ms warns with Node's `TimeoutOverflowWarning`; an upgraded socket that
 * nobody reads still emits 'end' when the peer half-closes (as net.Socket does).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import * as net from "node:net";
import type { Duplex } from "node:stream";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, raw, stop } from "./server_util.ts";

describe("nodecompat n5: Transfer-Encoding without a final chunked", () => {
  test("no request event, no body: a 400 closes the connection", async () => {
    const seen: string[] = [];
    const server = createServer((req: IncomingMessage, _res: ServerResponse) => {
      seen.push(`${req.method} ${req.url} te=${req.headers["transfer-encoding"]}`);
      req.on("data", () => seen.push("data"));
      req.on("end", () => seen.push("end"));
    });
    const port = await listen(server);
    try {
      const head = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzipchunked\r\n\r\n";
      const got = await raw(port, head + "3\r\nabc\r\n0\r\n\r\n", {
        until: (t) => t.endsWith("\r\n\r\n"),
      });
      assert.equal(got.text, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      assert.deepEqual(seen, []);
    } finally {
      await stop(server);
    }
  });

  test("a clientError listener sees Node's code and reason, and no request event", async () => {
    const order: string[] = [];
    const server = createServer(() => order.push("request"));
    server.on("clientError", (err: Error & { code?: string }, socket) => {
      order.push(`${err.code}: ${err.message}`);
      socket.destroy();
    });
    const port = await listen(server);
    try {
      await raw(port, "PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nhi", {
        timeout: 2000,
        until: () => order.length === 1,
      });
      assert.deepEqual(order, [
        "HPE_INVALID_TRANSFER_ENCODING: Parse Error: Request has invalid `Transfer-Encoding`",
      ]);
    } finally {
      await stop(server);
    }
  });

  test("chunked followed by another coding is still refused before any request event", async () => {
    let requests = 0;
    const server = createServer(() => requests++);
    const port = await listen(server);
    try {
      const got = await raw(
        port,
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        { until: (t) => t.endsWith("\r\n\r\n") },
      );
      assert.equal(got.text, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      assert.equal(requests, 0);
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n5: ClientRequest#setTimeout overflow", () => {
  test("a delay past 2^31-1 ms emits TimeoutOverflowWarning and the request still works", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => res.end("ok"));
    const port = await listen(server);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on("warning", onWarning);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ port, host: "127.0.0.1", agent: false }, (res) => {
          let text = "";
          res.setEncoding("latin1");
          res.on("data", (c: string) => text += c);
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.setTimeout(2 ** 40);
        req.end();
      });
      assert.equal(body, "ok");
      // process.emitWarning delivers the event on a later tick.
      await new Promise((r) => setTimeout(r, 10));
      const mine = warnings.filter((w) => w.name === "TimeoutOverflowWarning");
      assert.equal(mine.length, 1);
      assert.equal(
        mine[0].message,
        "1099511627776 does not fit into a 32-bit signed integer.\n" +
          "Timer duration was truncated to 2147483647.",
      );
    } finally {
      process.off("warning", onWarning);
      await stop(server);
    }
  });

  test("a delay that fits gives no warning", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => res.end());
    const port = await listen(server);
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on("warning", onWarning);
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request({ port, host: "127.0.0.1", agent: false }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.setTimeout(2 ** 31 - 1);
        req.end();
      });
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(warnings.filter((w) => w.name === "TimeoutOverflowWarning").length, 0);
    } finally {
      process.off("warning", onWarning);
      await stop(server);
    }
  });
});

describe("nodecompat n5: upgraded socket end without a reader", () => {
  test("'end' reaches an upgrade socket that only listens for 'end'", async () => {
    const server = createServer();
    const events: string[] = [];
    server.on("upgrade", (_req: IncomingMessage, socket: Duplex, head: Uint8Array) => {
      events.push(`upgrade head=${head.length}`);
      socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: t\r\n\r\n");
      socket.on("end", () => {
        events.push("server end");
        socket.end();
      });
    });
    const port = await listen(server);
    try {
      await new Promise<void>((resolve, reject) => {
        const c = net.connect(port, "127.0.0.1", () => {
          c.write("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: t\r\n\r\n");
        });
        let text = "";
        c.on("data", (d: Uint8Array) => {
          text += String.fromCharCode(...d);
          if (text.includes("\r\n\r\n")) c.end();
        });
        c.on("error", reject);
        c.on("close", () => resolve());
        const t = setTimeout(() => {
          c.destroy();
          reject(new Error("connection never closed"));
        }, 3000);
        c.on("close", () => clearTimeout(t));
      });
      assert.deepEqual(events, ["upgrade head=0", "server end"]);
    } finally {
      await stop(server);
    }
  });
});
