/**
 * Behaviours found by running the rest of Node's http tests through anyhttp:
 * a request aborted before its socket is attached still reports the error its
 * own socket failed with (instead of leaving that socket's 'error' unhandled);
 * the deprecated `_headers` / `_headerNames` accessors of OutgoingMessage work
 * and warn once (DEP0066); `NODE_DEBUG=http` produces Node's one-time warning
 * about sensitive data in logs; `--insecure-http-parser` given to the process
 * is the default of `insecureHTTPParser`; a request body the handler is
 * reading is not dumped when the response finishes, even when the body came in
 * the same packet as the head.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Duplex } from "node:stream";
import process from "node:process";
import { connect } from "node:net";
import { createServer, OutgoingMessage, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, runChild, stop } from "./server_util.ts";

describe("nodecompat n7: aborting a request whose socket fails by itself", () => {
  test("the socket's own error reaches the request's 'error', nothing is left unhandled", async () => {
    const boom = new Error("transport broke");
    const sock = new Duplex({
      read() {},
      write(_c, _e, cb) {
        cb();
      },
    });
    // The socket fails on its own right after it is handed out.
    process.nextTick(() => sock.destroy(boom));
    const req = request({ createConnection: () => sock });
    const events: string[] = [];
    const failure = new Promise<unknown>((resolve) => req.on("error", resolve));
    const closed = new Promise<void>((resolve) => req.on("close", () => resolve()));
    req.on("abort", () => events.push("abort"));
    req.abort();
    const got = await failure;
    assert.equal(got, boom);
    await closed;
    assert.deepEqual(events, ["abort"]);
  });
});

describe("nodecompat n7: OutgoingMessage _headers / _headerNames (DEP0066)", () => {
  test("read and replace the header store, with one deprecation warning", async () => {
    const warnings: { name: string; code?: string; message: string }[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const msg = new OutgoingMessage();
      assert.equal(msg._headerNames, null);
      msg.setHeader("X-Trace", "1");
      assert.deepEqual({ ...msg._headers }, { "x-trace": "1" });
      assert.deepEqual({ ...msg._headerNames! }, { "x-trace": "X-Trace" });
      // Renaming through _headerNames changes the casing sent on the wire.
      msg._headerNames = { "x-trace": "x-TRACE", "x-absent": "X-Absent" };
      assert.deepEqual(msg.getRawHeaderNames(), ["x-TRACE"]);
      // Assigning _headers replaces every header.
      msg._headers = { Accept: "text/plain" };
      assert.deepEqual({ ...msg.getHeaders() }, { accept: "text/plain" });
      assert.deepEqual(msg.getRawHeaderNames(), ["Accept"]);
      msg._headers = null;
      assert.deepEqual(msg.getHeaderNames(), []);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off("warning", onWarning);
    }
    const dep = warnings.filter((w) => w.code === "DEP0066");
    assert.equal(dep.length, 1);
    assert.equal(dep[0].name, "DeprecationWarning");
    assert.match(dep[0].message, /^OutgoingMessage\.prototype\._header(s|Names) is deprecated$/);
  });
});

describe("nodecompat n7: NODE_DEBUG=http", () => {
  const modUrl =
    new URL(import.meta.url.endsWith(".ts") ? "../mod.ts" : "../mod.js", import.meta.url).href;
  const script = `
    const http = await import(${JSON.stringify(modUrl)});
    process.on("warning", (w) => console.log("WARN " + w.message));
    new http.Server();
    new http.Server();
    setTimeout(() => {}, 20);
  `;

  test("warns once that the log may expose sensitive data", async () => {
    const out = await runChild(script, { NODE_DEBUG: "net,HTTP" });
    const lines = out.split("\n").filter((l) => l.startsWith("WARN "));
    assert.equal(lines.length, 1, out);
    assert.match(lines[0], /NODE_DEBUG environment variable to 'http' can expose sensitive data/);
  });

  test("says nothing when http debugging is not asked for", async () => {
    const out = await runChild(script, { NODE_DEBUG: "net,https2" });
    assert.equal(out.split("\n").filter((l) => l.startsWith("WARN ")).length, 0, out);
  });
});

describe("nodecompat n7: --insecure-http-parser given to the process", () => {
  const modUrl =
    new URL(import.meta.url.endsWith(".ts") ? "../mod.ts" : "../mod.js", import.meta.url).href;
  // A server answers a request whose header value holds a backspace (only the
  // lenient parser takes it) and the script prints the status line it got.
  const script = `
    const http = await import(${JSON.stringify(modUrl)});
    const net = await import("node:net");
    const server = http.createServer((req, res) => res.end(req.headers["x-odd"]));
    server.listen(0, "127.0.0.1", () => {
      const c = net.connect(server.address().port, "127.0.0.1", () => {
        c.end("GET / HTTP/1.1\\r\\nHost: a\\r\\nX-Odd: a\\bb\\r\\nConnection: close\\r\\n\\r\\n");
      });
      let got = "";
      c.on("data", (d) => got += d.toString("latin1"));
      c.on("close", () => {
        console.log("STATUS " + got.split("\\r\\n")[0]);
        server.close();
      });
    });
  `;

  test("makes servers lenient by default, as NODE_OPTIONS does for Node", async () => {
    const out = await runChild(script, { NODE_OPTIONS: "--insecure-http-parser" });
    assert.match(out, /STATUS HTTP\/1\.1 200 OK/, out);
  });

  test("without it the same request is refused", async () => {
    const out = await runChild(script, {});
    assert.match(out, /STATUS HTTP\/1\.1 400 Bad Request/, out);
  });
});

describe("nodecompat n7: a body being read is not dumped when the response ends", () => {
  test("head and body in one packet, handler pauses after the first chunk", async () => {
    let check: Promise<[boolean, number, boolean]> | null = null;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const onData = () => {
        req.pause();
        res.end("seen");
        check = new Promise((resolve) => {
          res.on(
            "finish",
            () =>
              setImmediate(() =>
                resolve([req.isPaused(), req.listenerCount("data"), req.readableFlowing === false])
              ),
          );
        });
      };
      req.on("data", onData);
    });
    const port = await listen(server);
    try {
      const body = "x".repeat(512);
      await new Promise<void>((resolve, reject) => {
        const sock = connect(port, "127.0.0.1", () => {
          // Head and body in a single write: the server gets them together.
          sock.write(
            `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${body.length}\r\n` +
              `Connection: close\r\n\r\n${body}`,
          );
        });
        sock.on("error", reject);
        sock.resume();
        sock.on("close", () => resolve());
      });
      assert.ok(check, "the handler saw the body");
      // Still paused, the listener still there: the request was not dumped.
      assert.deepEqual(await check, [true, 1, true]);
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n7: Node 20's 16 KiB read buffering on every runtime", () => {
  test("requests and responses buffer 16 KiB before reading pauses", async () => {
    let serverSide: [number, number] | null = null;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      serverSide = [req.readableHighWaterMark, req.socket.readableHighWaterMark];
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const port = await listen(server);
    try {
      const clientSide = await new Promise<[number, number]>((resolve, reject) => {
        const req = request({ port, method: "POST", agent: false }, (res: IncomingMessage) => {
          res.resume();
          res.on(
            "end",
            () => resolve([res.readableHighWaterMark, res.socket.readableHighWaterMark]),
          );
        });
        req.on("error", reject);
        req.end("body");
      });
      assert.deepEqual(serverSide, [16384, 16384]);
      assert.deepEqual(clientSide, [16384, 16384]);
    } finally {
      await stop(server);
    }
  });
});
