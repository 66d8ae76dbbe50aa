/**
 * Behaviours found by a differential run of random API call sequences
 * (server responses and client requests) against Node 20's `node:http`.
 *
 * Node's `write()` corks the socket until the next tick; `flushHeaders()`,
 * `writeContinue()` and friends write to it at once. So a head flushed and
 * then destroyed (or corked) in the same tick is on the wire, and an
 * `uncork()` without a `cork()` undoes the write's cork: what the tick wrote
 * goes out then, and the tick's own uncork later undoes the user's `cork()`.
 *
 * A string chunk with an unknown encoding throws `ERR_UNKNOWN_ENCODING` from
 * the socket's write, after what goes before it (the head, a chunk-size
 * line) was written. From `end()` it leaves the socket corked: nothing more
 * goes out.
 *
 * `addTrailers()` that throws on a bad field keeps the lines before it.
 *
 * A head with an `Expect` field is written as soon as it is built, as a
 * UTF-8 string (Node's `_send("")`): non-latin1-safe values go out as UTF-8.
 *
 * Writes made after `end()` and held by a `cork()` follow the response when
 * the connection closes after it (the socket's end flushes them), and never
 * go out on a kept-alive connection.
 *
 * `end()` then `destroy()` in one tick sends the response and emits 'finish'
 * (Node's socket wrote it already); on Deno the write in flight is let go out.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { latin1, listen, noDate, sendQuiet, sleep, stop } from "./server_util.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves one raw request with `handler`; resolves what came back (Date masked). */
async function exchange(
  handler: Handler,
  requestText: string,
  quietMs = 150,
): Promise<{ wire: string; closed: boolean }> {
  const server = createServer(handler);
  const port = await listen(server);
  try {
    const r = await sendQuiet(port, requestText, quietMs);
    return { wire: noDate(r.response), closed: r.closed };
  } finally {
    await stop(server);
  }
}

const GET11_CLOSE = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
const GET10 = "GET / HTTP/1.0\r\n\r\n";
const HEAD_CLOSE = "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: close\r\n";

describe("api diff: flushHeaders() and cork()", () => {
  test("flushHeaders() then destroy() in one tick: the head is on the wire", async () => {
    const { wire } = await exchange((_req, res) => {
      res.flushHeaders();
      res.destroy();
    }, GET11_CLOSE);
    assert.equal(wire, HEAD_CLOSE + "Transfer-Encoding: chunked\r\n\r\n");
  });

  test("flushHeaders() then cork(): the head is not held", async () => {
    const { wire } = await exchange((_req, res) => {
      res.flushHeaders();
      res.cork();
    }, GET10);
    assert.equal(wire, HEAD_CLOSE + "\r\n");
  });

  test("a write, flushHeaders() and cork() in one tick: all held by the cork", async () => {
    const { wire } = await exchange((_req, res) => {
      res.write("hello");
      res.flushHeaders();
      res.cork();
    }, GET10);
    assert.equal(wire, "");
  });

  test("uncork() without cork() sends the tick's writes; the tick undoes a later cork()", async () => {
    const corked: number[] = [];
    const { wire } = await exchange((_req, res) => {
      res.writeHead(200, { "Content-Length": "6" });
      res.write("abc");
      res.uncork();
      res.cork();
      corked.push(res.writableCorked);
      setTimeout(() => {
        corked.push(res.writableCorked);
        res.write("def");
      }, 20);
    }, GET11_CLOSE);
    assert.equal(
      wire,
      "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nDate: X\r\nConnection: close\r\n\r\nabcdef",
    );
    assert.deepEqual(corked, [1, 0]);
  });
});

describe("api diff: unknown encodings", () => {
  test("write(): throws ERR_UNKNOWN_ENCODING after the head and size line went out", async () => {
    const errors: string[] = [];
    const { wire } = await exchange((_req, res) => {
      try {
        res.write("x", "bogus-enc" as BufferEncoding);
      } catch (e) {
        errors.push((e as { code?: string }).code ?? "?");
      }
      res.end();
    }, GET11_CLOSE);
    assert.deepEqual(errors, ["ERR_UNKNOWN_ENCODING"]);
    assert.equal(wire, HEAD_CLOSE + "Transfer-Encoding: chunked\r\n\r\n1\r\n0\r\n\r\n");
  });

  test("write() on an identity body: the head goes out, nothing after it", async () => {
    const { wire } = await exchange((_req, res) => {
      res.writeHead(599);
      assert.throws(
        () => res.write("x", "bogus-enc" as BufferEncoding),
        { code: "ERR_UNKNOWN_ENCODING", message: "Unknown encoding: bogus-enc" },
      );
    }, GET10);
    assert.equal(wire, "HTTP/1.1 599 unknown\r\nDate: X\r\nConnection: close\r\n\r\n");
  });

  test("end(): throws and leaves the response corked; queued writes fail at close", async () => {
    const seen: string[] = [];
    const { wire } = await exchange((_req, res) => {
      res.write("abc", (err) => seen.push(err ? String((err as { code?: string }).code) : "ok"));
      assert.throws(() => res.end("x", "bogus-enc" as BufferEncoding), {
        code: "ERR_UNKNOWN_ENCODING",
      });
      seen.push(`ended=${res.writableEnded}`);
    }, GET11_CLOSE);
    await sleep(20);
    assert.equal(wire, "");
    assert.deepEqual(seen, ["ended=false", "ERR_STREAM_DESTROYED"]);
  });
});

describe("api diff: a head with Expect", () => {
  test("sent at once as a UTF-8 string, as Node's _send('')", async () => {
    const { wire } = await exchange((_req, res) => {
      res.setHeader("Expect", "x");
      res.setHeader("X-U", "\u00fc");
      res.end();
    }, GET11_CLOSE);
    assert.equal(
      wire,
      "HTTP/1.1 200 OK\r\nExpect: x\r\nX-U: \u00c3\u00bc\r\nDate: X\r\nConnection: close\r\n" +
        "Content-Length: 0\r\n\r\n",
    );
  });
});

describe("api diff: more heads and ticks", () => {
  test("an empty string written on a chunked body sends the head as UTF-8", async () => {
    const { wire } = await exchange((_req, res) => {
      res.statusMessage = "\u00e9t\u00e9";
      res.write("");
    }, GET11_CLOSE);
    assert.equal(
      wire,
      "HTTP/1.1 200 \u00c3\u00a9t\u00c3\u00a9\r\nDate: X\r\nConnection: close\r\n" +
        "Transfer-Encoding: chunked\r\n\r\n",
    );
  });

  test("end() whose head throws leaves the response corked: a 102 after it waits", async () => {
    const { wire } = await exchange((_req, res) => {
      res.statusCode = -1;
      assert.throws(() => res.end(), { code: "ERR_HTTP_INVALID_STATUS_CODE" });
      res.writeProcessing();
    }, GET11_CLOSE);
    assert.equal(wire, "");
  });

  test("a 1xx after a write of the same tick waits with it (gone with a destroy)", async () => {
    const { wire } = await exchange((_req, res) => {
      res.write("abc");
      res.writeProcessing();
      res.destroy();
    }, GET11_CLOSE);
    assert.equal(wire, "");
  });

  test("a 1xx after an empty write of the same tick waits with it", async () => {
    const { wire } = await exchange((_req, res) => {
      res.flushHeaders();
      setTimeout(() => {
        res.write(Buffer.alloc(0), () => {});
        res.writeContinue();
        res.destroy();
      }, 10);
    }, GET11_CLOSE);
    assert.equal(wire, HEAD_CLOSE + "Transfer-Encoding: chunked\r\n\r\n");
  });

  test("a head with Expect goes at once: a write, destroy() in the tick loses only the body", async () => {
    const events: string[] = [];
    const { wire } = await exchange((_req, res) => {
      res.on("finish", () => events.push("finish"));
      res.on("close", () => events.push("close"));
      res.setHeader("Expect", "x");
      res.write("body", "latin1");
      res.destroy();
      res.end();
    }, GET10);
    await sleep(20);
    assert.equal(wire, "HTTP/1.1 200 OK\r\nExpect: x\r\nDate: X\r\nConnection: close\r\n\r\n");
    assert.deepEqual(events, ["close"]);
  });
});

describe("api diff: writes after end() held by a cork()", () => {
  test("on a closing connection they follow the response", async () => {
    const { wire } = await exchange((_req, res) => {
      res.end("abc");
      res.cork();
      res.writeContinue();
    }, GET10);
    assert.equal(
      wire,
      HEAD_CLOSE + "\r\nabcHTTP/1.1 100 Continue\r\n\r\n",
    );
  });

  test("on a kept-alive one they never go out; writableFinished once closed", async () => {
    let finished: boolean | null = null;
    const { wire } = await exchange((_req, res) => {
      res.end("hi");
      res.cork();
      res.writeProcessing();
      res.on("close", () => setTimeout(() => finished = res.writableFinished, 5));
    }, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await sleep(30);
    assert.equal(
      wire,
      "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
        "Content-Length: 2\r\n\r\nhi",
    );
    assert.equal(finished, true);
  });
});

describe("api diff: trailers, destroy", () => {
  test("addTrailers() that throws keeps the lines before the bad field", async () => {
    const { wire } = await exchange((_req, res) => {
      res.write("a");
      assert.throws(() => res.addTrailers([["X-A", "1"], ["bad name", "2"]]), {
        code: "ERR_INVALID_HTTP_TOKEN",
      });
      res.end();
    }, GET11_CLOSE);
    assert.equal(
      wire,
      HEAD_CLOSE + "Transfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nX-A: 1\r\n\r\n",
    );
  });

  test("end() then destroy() in one tick: the response goes out and 'finish' comes", async () => {
    const events: string[] = [];
    const { wire } = await exchange((_req, res) => {
      res.on("finish", () => events.push("finish"));
      res.on("close", () => events.push("close"));
      res.end("bye");
      res.destroy();
    }, GET11_CLOSE);
    await sleep(20);
    assert.equal(wire, HEAD_CLOSE + "Content-Length: 3\r\n\r\nbye");
    assert.deepEqual(events, ["finish", "close"]);
  });

  test("write(), destroy(), end() in one tick: writableFinished once closed", async () => {
    let finished: boolean | null = null;
    await exchange((_req, res) => {
      res.write("abc");
      res.destroy();
      res.end();
      res.on("close", () => setTimeout(() => finished = res.writableFinished, 5));
    }, GET11_CLOSE);
    await sleep(30);
    assert.equal(finished, true);
  });
});

/** A raw peer answering each request head with an empty 200; resolves what it read. */
async function withPeer(fn: (port: number) => Promise<void>): Promise<string> {
  let got = "";
  const peer = net.createServer((s) => {
    s.on("data", (d: Uint8Array) => {
      got += latin1(d);
      if (got.endsWith("\r\n\r\n")) s.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    });
    s.on("error", () => {});
  });
  await new Promise<void>((r) => peer.listen(0, "127.0.0.1", () => r()));
  try {
    await fn((peer.address() as net.AddressInfo).port);
  } finally {
    await new Promise<void>((r) => peer.close(() => r()));
  }
  return got;
}

describe("api diff: client request", () => {
  test("destroy() fails the callbacks of corked writes before 'error'", async () => {
    const seen: string[] = [];
    await withPeer((port) =>
      new Promise<void>((resolve) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", agent: false });
        req.on("error", (e: Error & { code?: string }) => seen.push(`error:${e.code}`));
        req.on("close", () => {
          seen.push("close");
          resolve();
        });
        req.write("abc");
        setTimeout(() => {
          req.cork();
          req.write("def", (e) => seen.push(`cb:${(e as { code?: string } | null)?.code}`));
          req.destroy();
        }, 50);
      })
    );
    assert.deepEqual(seen, ["cb:ERR_STREAM_DESTROYED", "error:ECONNRESET", "close"]);
  });

  test("end() that throws before the socket leaves nothing corked", async () => {
    const got = await withPeer((port) =>
      new Promise<void>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, agent: false });
        req.on("error", reject);
        req.on("response", (res: IncomingMessage) => {
          res.resume();
          res.on("end", () => resolve());
        });
        assert.throws(() => req.end(5 as unknown as string), { code: "ERR_INVALID_ARG_TYPE" });
        req.end();
      })
    );
    assert.ok(got.startsWith("GET / HTTP/1.1\r\n"), JSON.stringify(got));
  });
});
