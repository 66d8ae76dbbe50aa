/**
 * What anyhttp writes, checked against what Node 20's `node:http` writes for
 * the same use of the API: the exact bytes on the wire and the events a
 * handler sees. Each case here was a difference found by comparing both.
 *
 * @module
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../src/server.ts";
import { listen, noDate, raw, stop, withServer } from "./server_util.ts";

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
const g = globalThis as { Deno?: unknown; Bun?: unknown };
const isPlainNode = g.Deno === undefined && g.Bun === undefined;
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** Records `res`'s 'close' in `events`; resolves once it came. */
function closeRecorded(res: { once(e: "close", fn: () => void): unknown }, events: string[]) {
  return new Promise<void>((resolve) =>
    res.once("close", () => {
      events.push("close");
      resolve();
    })
  );
}

describe("output: server responses", () => {
  test("destroy() fails the callbacks of writes not sent yet with ERR_STREAM_DESTROYED", async () => {
    const events: string[] = [];
    let done!: Promise<void>;
    await withServer((_req, res) => {
      done = closeRecorded(res, events);
      res.write("abc", (err) => events.push(`write: ${(err as { code?: string })?.code}`));
      res.destroy();
      events.push(`destroyed ${res.destroyed}`);
    }, async (port) => {
      await raw(port, GET, { timeout: 500 });
      await done;
    });
    assert.deepEqual(events, ["destroyed true", "write: ERR_STREAM_DESTROYED", "close"]);
  });

  test("a response still waiting for its turn drops its write callbacks on destroy()", async () => {
    const events: string[] = [];
    await withServer((req, res) => {
      if (req.url === "/1") {
        setTimeout(() => res.end("one"), 50);
        return;
      }
      res.write("two", (err) => events.push(`write: ${(err as { code?: string })?.code}`));
      res.destroy();
    }, async (port) => {
      await raw(port, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", {
        timeout: 300,
      });
      await tick(20);
    });
    assert.deepEqual(events, []);
  });

  test("a bad request in the same chunk as one answered at once: no 400 after the answer", async () => {
    await withServer((_req, res) => res.end("hello"), async (port) => {
      const r = await raw(port, GET + "GARBAGE\r\n\r\n", { timeout: 1000 });
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
          "Content-Length: 5\r\n\r\nhello",
      );
      assert.equal(r.closed, true);
    });
  });

  test("a big answer ended before a bad request in the same chunk still goes out whole", async () => {
    const body = "a".repeat(300000);
    await withServer((_req, res) => {
      res.writeProcessing();
      res.end(body);
    }, async (port) => {
      const r = await raw(port, GET + "GARBAGE\r\n\r\n", { timeout: 2000 });
      assert.equal(r.closed, true);
      assert.ok(r.text.startsWith("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\n"));
      assert.ok(r.text.endsWith("Content-Length: 300000\r\n\r\n" + body));
    });
  });

  test("a bad request after a body still gets its 400 after the finished answer", async () => {
    await withServer((_req, res) => res.end("hello"), async (port) => {
      const r = await raw(
        port,
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGARBAGE\r\n\r\n",
        { timeout: 1000 },
      );
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
          "Content-Length: 5\r\n\r\nhelloHTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
      );
    });
  });

  test("a write not sent yet when a parse error closes the socket gets that error", async () => {
    const events: string[] = [];
    let done!: Promise<void>;
    await withServer((_req, res) => {
      done = closeRecorded(res, events);
      events.push(`write ${
        res.write("abc", (err) => {
          events.push(`callback ${(err as { code?: string })?.code}`);
        })
      }`);
    }, async (port) => {
      const r = await raw(port, GET + "GARBAGE\r\n\r\n", { timeout: 1000 });
      assert.equal(r.text, "");
      assert.equal(r.closed, true);
      await done;
    });
    assert.deepEqual(events, ["write true", "callback HPE_INVALID_METHOD", "close"]);
  });

  test("bytes after a Connection: close request are not served: a slow answer still goes out whole", async () => {
    // Node's parser fails them (HPE_CLOSED_CONNECTION) and answers 400 in place
    // of a response not begun yet; anyhttp keeps the client's real answer.
    let errors = 0;
    const server = createServer((_req, res) => setTimeout(() => res.end("x"), 30));
    server.on("clientError", () => errors++);
    const port = await listen(server);
    try {
      const r = await raw(
        port,
        "GET /1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
        { timeout: 1000 },
      );
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(r.text, /\r\nConnection: close\r\n/);
      assert.ok(r.text.endsWith("\r\n\r\nx"), r.text);
      assert.equal(r.closed, true);
    } finally {
      await stop(server);
    }
    assert.equal(errors, 0);
  });

  test("a body in the same packet: the answer's 'finish' and 'close' come before the request's 'end'", async () => {
    const events: string[] = [];
    let ended!: () => void;
    const done = new Promise<void>((resolve) => ended = resolve);
    await withServer((req, res) => {
      req.on("end", () => {
        events.push("req end");
        ended();
      });
      res.on("finish", () => events.push("finish"));
      res.on("close", () => events.push("close"));
      req.resume();
      res.end("x");
    }, async (port) => {
      await raw(port, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", {
        until: (t) => t.endsWith("\r\n\r\nx"),
      });
      await done;
    });
    assert.deepEqual(events, ["finish", "close", "req end"]);
  });

  test("pipelined after a body: the next 'request' comes after the answer before it closed", async () => {
    const events: string[] = [];
    await withServer((req, res) => {
      const url = req.url;
      events.push(`request ${url}`);
      req.on("end", () => events.push(`end ${url}`));
      res.on("finish", () => events.push(`finish ${url}`));
      res.on("close", () => events.push(`close ${url}`));
      res.end(url);
    }, async (port) => {
      await raw(
        port,
        "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
        { until: (t) => t.endsWith("/2") },
      );
      await tick(20);
    });
    // Deno's and Bun's sockets call write callbacks later than Node's (not on the
    // next tick), so there the answer finishes later; the request still ends after it.
    if (!isPlainNode) {
      assert.ok(events.indexOf("end /1") > events.indexOf("close /1"), events.join());
      return;
    }
    assert.deepEqual(events, [
      "request /1",
      "finish /1",
      "close /1",
      "request /2",
      "end /1",
      "finish /2",
      "close /2",
      "end /2",
    ]);
  });

  test("write() past 16 KiB returns false on every runtime (Node 20's socket high-water mark)", async () => {
    const seen: unknown[] = [];
    await withServer((_req, res) => {
      seen.push(res.writableHighWaterMark, res.write("b".repeat(20000)), res.write("c"));
      res.end();
    }, async (port) => {
      const r = await raw(port, GET, { until: (t) => t.endsWith("0\r\n\r\n") });
      assert.ok(r.text.includes("\r\n4e20\r\nbbb"));
    });
    assert.deepEqual(seen, [16384, false, false]);
  });
});
