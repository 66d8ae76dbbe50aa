import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import * as nodeHttp from "node:http";
import { countResponses, noDate, raw, withServer } from "./server_util.ts";

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
const complete = (n: number) => (t: string) => countResponses(t) >= n && /\r\n\r\n/.test(t);

describe("server: basics", () => {
  test("hello world: exact bytes, keep-alive headers, Content-Length", async () => {
    await withServer((_req, res) => res.end("hello"), async (port) => {
      const r = await raw(port, GET, { until: (t) => t.endsWith("hello") });
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
          "Content-Length: 5\r\n\r\nhello",
      );
      assert.match(r.text, /Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/);
    });
  });

  test("request fields reach the handler", async () => {
    let seen: Record<string, unknown> = {};
    await withServer((req, res) => {
      seen = {
        method: req.method,
        url: req.url,
        httpVersion: req.httpVersion,
        major: req.httpVersionMajor,
        minor: req.httpVersionMinor,
        headers: { ...req.headers },
        rawHeaders: req.rawHeaders,
        distinct: { ...req.headersDistinct },
      };
      res.end();
    }, async (port) => {
      await raw(
        port,
        "GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\n",
        { until: complete(1) },
      );
    });
    assert.deepEqual(seen, {
      method: "GET",
      url: "/p?q=1",
      httpVersion: "1.1",
      major: 1,
      minor: 1,
      headers: { host: "h", "x-a": "1, 2", "set-cookie": ["a", "b"] },
      rawHeaders: ["Host", "h", "X-A", "1", "x-a", "2", "Set-Cookie", "a", "Set-Cookie", "b"],
      distinct: { host: ["h"], "x-a": ["1", "2"], "set-cookie": ["a", "b"] },
    });
  });

  test("keep-alive: two requests on one connection", async () => {
    let n = 0;
    const ports: unknown[] = [];
    await withServer((req, res) => {
      ports.push(req.socket?.remotePort);
      res.end(String(++n));
    }, async (port) => {
      const r = await raw(port, [GET, GET], {
        until: (t) => countResponses(t) === 2 && /2$/.test(t),
      });
      assert.equal(countResponses(r.text), 2);
      assert.equal(ports.length, 2);
      assert.equal(ports[0], ports[1]);
    });
  });

  test("pipelining: 16 requests in one write answered in order", async () => {
    await withServer((req, res) => {
      const i = Number(req.url!.slice(1));
      // Later requests answer sooner; the order on the wire must still be 0..15.
      setTimeout(() => res.end(`r${i};`), (16 - i) * 3);
    }, async (port) => {
      let all = "";
      for (let i = 0; i < 16; i++) all += `GET /${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const r = await raw(port, all, { until: (t) => t.includes("r15;") });
      const bodies = r.text.match(/r\d+;/g);
      assert.deepEqual(bodies, Array.from({ length: 16 }, (_, i) => `r${i};`));
    });
  });

  test("chunked response with trailers; chunked request body with trailers", async () => {
    let body = "";
    let trailers: unknown = null;
    let rawTrailers: unknown = null;
    await withServer((req, res) => {
      req.setEncoding("utf8");
      req.on("data", (c: string) => body += c);
      req.on("end", () => {
        trailers = { ...req.trailers };
        rawTrailers = req.rawTrailers;
        res.setHeader("Trailer", "X-Sum");
        res.write("ab");
        res.write(Buffer.from("cde"));
        res.addTrailers({ "X-Sum": "5" });
        res.end();
      });
    }, async (port) => {
      const r = await raw(
        port,
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "3\r\nfoo\r\n4\r\nbarz\r\n0\r\nX-T: 1\r\nx-t: 2\r\n\r\n",
        { until: (t) => t.endsWith("\r\n\r\n") && t.includes("X-Sum: 5") },
      );
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nTrailer: X-Sum\r\nDate: X\r\nConnection: keep-alive\r\n" +
          "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n" +
          "2\r\nab\r\n3\r\ncde\r\n0\r\nX-Sum: 5\r\n\r\n",
      );
    });
    assert.equal(body, "foobarz");
    assert.deepEqual(trailers, { "x-t": "1, 2" });
    assert.deepEqual(rawTrailers, ["X-T", "1", "x-t", "2"]);
  });

  test("HEAD, 204 and 304 carry no body (writes ignored)", async () => {
    await withServer((req, res) => {
      if (req.url === "/204") res.writeHead(204);
      if (req.url === "/304") res.writeHead(304);
      assert.equal(res.write("ignored"), true);
      res.end("also ignored");
    }, async (port) => {
      const head = await raw(port, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", { until: complete(1) });
      assert.equal(
        noDate(head.text),
        "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
      );
      const r204 = await raw(
        port,
        "GET /204 HTTP/1.1\r\nHost: x\r\n\r\nGET /304 HTTP/1.1\r\nHost: x\r\n\r\n",
        {
          until: complete(2),
        },
      );
      assert.equal(
        noDate(r204.text),
        "HTTP/1.1 204 No Content\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n" +
          "HTTP/1.1 304 Not Modified\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
      );
    });
  });

  test("rejectNonStandardBodyWrites: ERR_HTTP_BODY_NOT_ALLOWED", async () => {
    let err: unknown = null;
    await withServer((_req, res) => {
      res.writeHead(204);
      try {
        res.write("x");
      } catch (e) {
        err = e;
      }
      res.end();
    }, async (port) => {
      await raw(port, GET, { until: complete(1) });
    }, { rejectNonStandardBodyWrites: true });
    assert.equal((err as { code?: string })?.code, "ERR_HTTP_BODY_NOT_ALLOWED");
  });

  test("HTTP/1.0: close-delimited body, Connection: close", async () => {
    await withServer((_req, res) => {
      res.write("a");
      res.end("b");
    }, async (port) => {
      const r = await raw(port, "GET / HTTP/1.0\r\n\r\n");
      assert.equal(r.closed, true);
      assert.equal(noDate(r.text), "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: close\r\n\r\nab");
    });
  });

  test("HTTP/1.0 keep-alive: kept only with a user Content-Length", async () => {
    await withServer((req, res) => {
      if (req.url === "/cl") res.setHeader("Content-Length", 2);
      res.end("ok");
    }, async (port) => {
      const r = await raw(port, "GET /cl HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", {
        until: (t) => t.endsWith("ok"),
      });
      assert.equal(r.closed, false);
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nDate: X\r\nConnection: keep-alive\r\n" +
          "Keep-Alive: timeout=5\r\n\r\nok",
      );
      // Without it Node closes (no chunked encoding on 1.0).
      const r2 = await raw(port, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      assert.equal(r2.closed, true);
      assert.equal(noDate(r2.text), "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: close\r\n\r\nok");
    });
  });

  test("writeHead variants: reason, object, raw array, merge with setHeader", async () => {
    await withServer((req, res) => {
      if (req.url === "/a") {
        res.writeHead(201, "Made", { "X-A": "1" }).end();
      } else if (req.url === "/b") {
        res.writeHead(202, ["X-B", "1", "X-B", "2"]).end();
      } else {
        res.setHeader("X-Set", "s");
        res.setHeader("X-Over", "old");
        res.writeHead(203, { "X-Over": "new", "x-more": ["m1", "m2"] }).end();
      }
    }, async (port) => {
      const req = (p: string) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`;
      const r = await raw(port, req("/a") + req("/b") + req("/c"), { until: complete(3) });
      const parts = noDate(r.text).split("HTTP/1.1 ").slice(1).map((s) => "HTTP/1.1 " + s);
      assert.equal(
        parts[0],
        "HTTP/1.1 201 Made\r\nX-A: 1\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      );
      assert.equal(
        parts[1],
        "HTTP/1.1 202 Accepted\r\nX-B: 1\r\nX-B: 2\r\nDate: X\r\nConnection: keep-alive\r\n" +
          "Keep-Alive: timeout=5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      );
      assert.equal(
        parts[2],
        "HTTP/1.1 203 Non-Authoritative Information\r\nX-Set: s\r\nX-Over: new\r\nx-more: m1\r\n" +
          "x-more: m2\r\nDate: X\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n" +
          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      );
    });
  });

  test("writeHead errors", async () => {
    const errors: Record<string, unknown> = {};
    await withServer((_req, res) => {
      const grab = (k: string, f: () => void) => {
        try {
          f();
        } catch (e) {
          errors[k] = e;
        }
      };
      grab("low", () => res.writeHead(99));
      grab("high", () => res.writeHead(1000));
      grab("odd", () => res.writeHead(200, ["A"] as unknown as string[]));
      grab("char", () => res.writeHead(200, "bad\nreason"));
      res.statusMessage = undefined;
      res.writeHead(200);
      grab("again", () => res.writeHead(200));
      grab("set", () => res.setHeader("a", "b"));
      res.end();
    }, async (port) => {
      await raw(port, GET, { until: complete(1) });
    });
    const e = errors as Record<string, { code: string; message: string; name: string }>;
    assert.equal(e.low.code, "ERR_HTTP_INVALID_STATUS_CODE");
    assert.ok(e.low instanceof RangeError);
    assert.equal(e.low.message, "Invalid status code: 99");
    assert.equal(e.high.code, "ERR_HTTP_INVALID_STATUS_CODE");
    assert.equal(e.odd.code, "ERR_INVALID_ARG_VALUE");
    assert.equal(e.char.code, "ERR_INVALID_CHAR");
    assert.equal(e.again.code, "ERR_HTTP_HEADERS_SENT");
    assert.equal(e.again.message, "Cannot write headers after they are sent to the client");
    assert.equal(e.set.message, "Cannot set headers after they are sent to the client");
  });

  test("header API: casing, append, arrays, remove, names", async () => {
    let snapshot: Record<string, unknown> = {};
    await withServer((_req, res) => {
      res.setHeader("X-Foo", "bar");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.appendHeader("set-cookie", "c=3");
      res.appendHeader("X-New", ["n1", "n2"]);
      res.setHeader("x-gone", "1");
      res.removeHeader("X-GONE");
      snapshot = {
        names: res.getHeaderNames(),
        raw: res.getRawHeaderNames(),
        headers: { ...res.getHeaders() },
        proto: Object.getPrototypeOf(res.getHeaders()),
        foo: res.getHeader("x-FOO"),
        has: res.hasHeader("X-NEW"),
        hasGone: res.hasHeader("x-gone"),
        sent: res.headersSent,
      };
      res.end();
      snapshot.sentAfter = res.headersSent;
    }, async (port) => {
      const r = await raw(port, GET, { until: complete(1) });
      assert.match(
        r.text,
        /X-Foo: bar\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nSet-Cookie: c=3\r\nX-New: n1\r\nX-New: n2\r\n/,
      );
    });
    assert.deepEqual(snapshot, {
      names: ["x-foo", "set-cookie", "x-new"],
      raw: ["X-Foo", "Set-Cookie", "X-New"],
      headers: { "x-foo": "bar", "set-cookie": ["a=1", "b=2", "c=3"], "x-new": ["n1", "n2"] },
      proto: null,
      foo: "bar",
      has: true,
      hasGone: false,
      sent: false,
      sentAfter: true,
    });
  });

  test("sendDate=false and removeHeader('Date') drop the Date header", async () => {
    await withServer((req, res) => {
      if (req.url === "/a") res.sendDate = false;
      else res.removeHeader("Date");
      res.end();
    }, async (port) => {
      const r = await raw(port, [
        "GET /a HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /b HTTP/1.1\r\nHost: x\r\n\r\n",
      ], { until: complete(2) });
      assert.equal(countResponses(r.text), 2);
      assert.ok(!r.text.includes("Date:"));
    });
  });

  test("user Connection: close closes after the response", async () => {
    await withServer((_req, res) => {
      res.setHeader("Connection", "close");
      res.end("x");
    }, async (port) => {
      const r = await raw(port, GET);
      assert.equal(r.closed, true);
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nConnection: close\r\nDate: X\r\nContent-Length: 1\r\n\r\nx",
      );
    });
  });

  test("request Connection: close gets Connection: close and a close", async () => {
    await withServer((_req, res) => res.end("x"), async (port) => {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.equal(r.closed, true);
      assert.equal(
        noDate(r.text),
        "HTTP/1.1 200 OK\r\nDate: X\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx",
      );
    });
  });

  test("missing Host on HTTP/1.1 is 400 and never reaches the handler", async () => {
    let called = false;
    await withServer(() => {
      called = true;
    }, async (port) => {
      const r = await raw(port, "GET / HTTP/1.1\r\n\r\n");
      assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\nConnection: close\r\n/);
      assert.equal(r.closed, true);
    });
    assert.equal(called, false);
  });

  test("strictContentLength: mismatch throws ERR_HTTP_CONTENT_LENGTH_MISMATCH", async () => {
    let err: { code?: string; message?: string } | null = null;
    let wrote = false;
    await withServer((_req, res) => {
      res.strictContentLength = true;
      res.setHeader("Content-Length", "3");
      wrote = res.write("abcd") !== undefined;
      try {
        res.end("abc");
      } catch (e) {
        err = e as Error;
      }
      res.destroy();
    }, async (port) => {
      await raw(port, GET, { timeout: 500 });
    });
    assert.equal(wrote, true);
    assert.equal(err!.code, "ERR_HTTP_CONTENT_LENGTH_MISMATCH");
    assert.equal(
      err!.message,
      "Response body's content-length of 7 byte(s) does not match the content-length of 3 byte(s) set in header",
    );
  });

  test("events: finish then close on the response; close on the request", async () => {
    const events: string[] = [];
    await withServer((req, res) => {
      res.on("finish", () => events.push("res finish"));
      res.on("close", () => events.push("res close"));
      req.on("close", () => events.push("req close"));
      res.end("x", () => events.push("end cb"));
      assert.equal(res.writableEnded, true);
    }, async (port) => {
      await raw(port, GET, { until: (t) => t.endsWith("x") });
      await new Promise((r) => setTimeout(r, 30));
    });
    assert.deepEqual(events.slice(0, 2).sort(), ["end cb", "res finish"].sort());
    assert.ok(events.includes("res close"));
    assert.ok(events.indexOf("res close") > events.indexOf("res finish"));
  });

  test("write after end emits ERR_STREAM_WRITE_AFTER_END", async () => {
    let err: { code?: string } | null = null;
    await withServer((_req, res) => {
      res.on("error", (e: Error) => err = e as { code?: string });
      res.end("x");
      res.write("more");
    }, async (port) => {
      await raw(port, GET, { until: (t) => t.endsWith("x") });
      await new Promise((r) => setTimeout(r, 20));
    });
    assert.equal(err!.code, "ERR_STREAM_WRITE_AFTER_END");
  });

  test("writeEarlyHints, writeProcessing then the response", async () => {
    await withServer((_req, res) => {
      res.writeEarlyHints({
        link: ["</a.css>; rel=preload; as=style", "</b.js>; rel=preload"],
        "x-h": "1",
      });
      res.writeProcessing();
      res.end("ok");
    }, async (port) => {
      const r = await raw(port, GET, { until: (t) => t.endsWith("ok") });
      assert.ok(
        r.text.startsWith(
          "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload; as=style, </b.js>; rel=preload\r\n" +
            "x-h: 1\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\n",
        ),
      );
    });
  });

  test("fetch() as a real peer", async () => {
    await withServer((req, res) => {
      res.setHeader("Content-Type", "text/plain");
      res.end(`${req.method} ${req.url}`);
    }, async (port) => {
      const resp = await fetch(`http://127.0.0.1:${port}/fetched?x=1`);
      assert.equal(resp.status, 200);
      assert.equal(resp.headers.get("content-type"), "text/plain");
      assert.equal(await resp.text(), "GET /fetched?x=1");
      const post = await fetch(`http://127.0.0.1:${port}/p`, { method: "POST", body: "data" });
      assert.equal(await post.text(), "POST /p");
    });
  });

  const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
  const plainNode = !g.Deno && !g.Bun;
  test("node:http client as a real peer (Node leg only)", { skip: !plainNode }, async () => {
    await withServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.setHeader("X-Method", String(req.method));
        res.write("echo:");
        res.end(Buffer.concat(chunks));
      });
    }, async (port) => {
      const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
      const once = (body: string) =>
        new Promise<{ status: number; headers: nodeHttp.IncomingHttpHeaders; body: string }>(
          (resolve, reject) => {
            const r = nodeHttp.request(
              { port, host: "127.0.0.1", method: "POST", path: "/n", agent },
              (res) => {
                let b = "";
                res.setEncoding("utf8");
                res.on("data", (c: string) => b += c);
                res.on(
                  "end",
                  () => resolve({ status: res.statusCode!, headers: res.headers, body: b }),
                );
              },
            );
            r.on("error", reject);
            r.write(body.slice(0, 2));
            r.end(body.slice(2));
          },
        );
      const a = await once("hello");
      const b = await once("again");
      assert.equal(a.status, 200);
      assert.equal(a.headers["x-method"], "POST");
      assert.equal(a.headers["transfer-encoding"], "chunked");
      assert.equal(a.body, "echo:hello");
      assert.equal(b.body, "echo:again");
      agent.destroy();
    });
  });
});
