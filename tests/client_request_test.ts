/**
 * request()/get(): URL and option normalisation, validation errors, the bytes
 * sent (as Node 20 sends them), body framing, Expect/continue, header API.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type * as net from "node:net";
import { Buffer } from "node:buffer";
import { PassThrough } from "node:stream";
import { get, request } from "../src/request.ts";
import type { ClientRequest } from "../src/client_request.ts";
import { Agent } from "../src/agent.ts";
import { urlToHttpOptions } from "../src/client_options.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { rawServer } from "./client_util.ts";

const OK0 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/** Send one request to a raw server; resolve with exactly what the server received. */
async function sent(
  make: (port: number) => ClientRequest,
  reply = OK0,
): Promise<{ head: string; all: string }> {
  let all = "";
  let replied = false;
  // Collect everything, answer once the request looks complete (head + body).
  const collect = (s: net.Socket): void => {
    s.on("data", (d: Uint8Array) => {
      all += Buffer.from(d).toString("latin1");
      const i = all.indexOf("\r\n\r\n");
      if (i === -1 || replied) return;
      const head = all.slice(0, i + 4);
      const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
      const chunked = /\r\ntransfer-encoding: *chunked/i.test(head);
      const body = all.slice(i + 4);
      if (cl && body.length < Number(cl[1])) return;
      if (chunked && !body.endsWith("0\r\n\r\n")) return;
      replied = true;
      setTimeout(() => s.end(reply), 20);
    });
  };
  const srv = await rawServer(() => {}, collect);
  try {
    await new Promise<void>((resolve, reject) => {
      const req = make(srv.port);
      req.on("response", (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
    });
  } finally {
    await srv.close();
  }
  return { head: all.slice(0, all.indexOf("\r\n\r\n") + 4), all };
}

describe("request options", () => {
  test("urlToHttpOptions: decoding, IPv6, path, port", () => {
    const o = urlToHttpOptions(new URL("http://us%40er:p%3Aw@[::1]:8081/a%20b?x=1#h"));
    assert.equal(o.hostname, "::1");
    assert.equal(o.port, 8081);
    assert.equal(o.path, "/a%20b?x=1");
    assert.equal(o.auth, "us@er:p:w");
    assert.equal(o.protocol, "http:");
    const p = urlToHttpOptions(new URL("http://example.com/"));
    assert.equal(p.port, undefined);
    assert.equal(p.auth, undefined);
  });

  test("validation errors (Node's codes and messages)", () => {
    assert.throws(() => request("ftp://x/"), {
      code: "ERR_INVALID_PROTOCOL",
      name: "TypeError",
      message: 'Protocol "ftp:" not supported. Expected "http:"',
    });
    assert.throws(() => request({ path: "/a b" }), {
      code: "ERR_UNESCAPED_CHARACTERS",
      message: "Request path contains unescaped characters",
    });
    assert.throws(() => request({ method: "g t" }), {
      code: "ERR_INVALID_HTTP_TOKEN",
      message: 'Method must be a valid HTTP token ["g t"]',
    });
    assert.throws(() => request({ method: 5 as unknown as string }), {
      code: "ERR_INVALID_ARG_TYPE",
      message: 'The "options.method" property must be of type string. Received type number (5)',
    });
    assert.throws(() => request({ host: 5 as unknown as string }), {
      code: "ERR_INVALID_ARG_TYPE",
      message: 'The "options.host" property must be of type string or one of undefined or null.' +
        " Received type number (5)",
    });
    assert.throws(() => request({ agent: 5 as unknown as Agent }), {
      code: "ERR_INVALID_ARG_TYPE",
      message:
        'The "options.agent" property must be one of Agent-like Object, undefined, or false.' +
        " Received type number (5)",
    });
    assert.throws(() => request({ timeout: "x" as unknown as number }), {
      code: "ERR_INVALID_ARG_TYPE",
      message: `The "timeout" argument must be of type number. Received type string ('x')`,
    });
    assert.throws(() => request({ maxHeaderSize: -1 }), {
      code: "ERR_OUT_OF_RANGE",
      message: 'The value of "maxHeaderSize" is out of range. It must be >= 0 && <= ' +
        "9007199254740991. Received -1",
    });
    assert.throws(() => request({ insecureHTTPParser: 1 as unknown as boolean }), {
      code: "ERR_INVALID_ARG_TYPE",
      message:
        'The "options.insecureHTTPParser" property must be of type boolean. Received type number (1)',
    });
    assert.throws(() => request({ headers: { "a b": "1" } }), {
      code: "ERR_INVALID_HTTP_TOKEN",
    });
  });

  test("GET through the global agent: Host with port, keep-alive", async () => {
    const { head } = await sent((port) => get({ host: "127.0.0.1", port }));
    assert.equal(
      head,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${
        head.match(/:(\d+)\r/)![1]
      }\r\nConnection: keep-alive\r\n\r\n`,
    );
  });

  test("URL string with credentials, query; method upper-cased", async () => {
    let port = 0;
    const { head } = await sent((p) => {
      port = p;
      const r = request(`http://u%40:p%3a@localhost:${p}/p?q#h`, { method: "delete" });
      r.end();
      return r;
    });
    assert.equal(
      head,
      `DELETE /p?q HTTP/1.1\r\nHost: localhost:${port}\r\nAuthorization: Basic ${
        Buffer.from("u@:p:").toString("base64")
      }\r\nConnection: keep-alive\r\n\r\n`,
    );
  });

  test("URL + options merge (options win); explicit Connection and Host", async () => {
    const { head } = await sent((p) => {
      const r = request(new URL(`http://localhost:${p}/from-url`), {
        path: "/override",
        headers: { Connection: "close", host: "zz" },
      });
      r.end();
      return r;
    });
    assert.equal(head, "GET /override HTTP/1.1\r\nConnection: close\r\nhost: zz\r\n\r\n");
  });

  test("agent: false → Connection: close; setHost: false; defaultPort omits the port", async () => {
    const a = await sent((port) => get({ host: "127.0.0.1", port, agent: false }));
    assert.match(
      a.head,
      /^GET \/ HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\nConnection: close\r\n\r\n$/,
    );
    const b = await sent((port) => get({ host: "127.0.0.1", port, setHost: false }));
    assert.equal(b.head, "GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n");
    const c = await sent((port) => get({ host: "127.0.0.1", port, defaultPort: port }));
    assert.equal(c.head, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
  });

  test("raw header array: sent as given, no Host/Authorization added", async () => {
    const { all } = await sent((port) => {
      const r = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        auth: "u:p",
        headers: ["X-A", "1", "x-a", "2"],
      });
      r.end();
      return r;
    });
    assert.equal(
      all,
      "POST / HTTP/1.1\r\nX-A: 1\r\nx-a: 2\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    );
  });

  test("body framing: chunked POST, Content-Length from end(data), GET end() without body", async () => {
    const a = await sent((port) => {
      const r = request({ host: "127.0.0.1", port, method: "POST", agent: false });
      r.write("abc");
      r.end();
      return r;
    });
    assert.match(a.all, /Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n$/);
    const b = await sent((port) => request({ host: "127.0.0.1", port, method: "POST" }).end("abc"));
    assert.match(b.all, /Connection: keep-alive\r\nContent-Length: 3\r\n\r\nabc$/);
    const c = await sent((port) => request({ host: "127.0.0.1", port, method: "POST" }).end());
    assert.match(c.all, /Content-Length: 0\r\n\r\n$/);
    const d = await sent((port) => request({ host: "127.0.0.1", port, method: "OPTIONS" }).end());
    assert.ok(!/Content-Length|Transfer-Encoding/.test(d.all));
  });

  test("uniqueHeaders and array values", async () => {
    const { head } = await sent((port) =>
      request({
        host: "127.0.0.1",
        port,
        uniqueHeaders: ["x-u"],
        headers: { "x-u": ["a", "b"], "x-m": ["a", "b"] },
      }).end()
    );
    assert.match(head, /^GET \/ HTTP\/1\.1\r\nx-u: a; b\r\nx-m: a\r\nx-m: b\r\nHost: /);
  });

  test("header API on the request", () => {
    const req = request({ host: "127.0.0.1", port: 1, agent: false, headers: { "X-Foo": "bar" } });
    req.on("error", () => {});
    assert.equal(req.getHeader("x-foo"), "bar");
    assert.equal(req.hasHeader("X-FOO"), true);
    assert.deepEqual(req.getHeaderNames(), ["x-foo", "host"]);
    assert.deepEqual(req.getRawHeaderNames(), ["X-Foo", "Host"]);
    req.setHeader("Set-Thing", ["a", "b"]);
    req.removeHeader("x-foo");
    assert.equal(req.getHeader("x-foo"), undefined);
    assert.equal(req.method, "GET");
    assert.equal(req.path, "/");
    assert.equal(req.host, "127.0.0.1");
    assert.equal(req.protocol, "http:");
    assert.equal(req.maxHeadersCount, null);
    assert.equal(req.reusedSocket, false);
    req.destroy();

    // IPv6 literals get brackets in Host; a default port is left out.
    const v6 = request({ host: "::1", port: 8081, agent: false });
    v6.on("error", () => {});
    assert.equal(v6.getHeader("host"), "[::1]:8081");
    v6.destroy();
    const v6b = request("http://[::1]/x", { agent: false });
    v6b.on("error", () => {});
    assert.equal(v6b.getHeader("host"), "[::1]");
    assert.equal(v6b.host, "::1");
    assert.equal(v6b.path, "/x");
    v6b.destroy();
  });

  test("call forms: (url, cb), (url, options, cb), (options, cb)", async () => {
    const srv = await rawServer((c) => c.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
    const agent = new Agent({ keepAlive: true });
    try {
      const statuses: number[] = [];
      const wait = (mk: (cb: (res: IncomingMessage) => void) => ClientRequest) =>
        new Promise<void>((resolve, reject) => {
          const req = mk((res) => {
            statuses.push(res.statusCode!);
            res.resume();
            res.on("end", resolve);
          });
          req.on("error", reject);
        });
      const url = `http://127.0.0.1:${srv.port}/a`;
      await wait((cb) => get(url, cb));
      await wait((cb) => get(new URL(url), { agent, path: "/b" }, cb));
      await wait((cb) => get({ host: "127.0.0.1", port: srv.port, agent, path: "/c" }, cb));
      assert.deepEqual(statuses, [200, 200, 200]);
      assert.deepEqual(srv.heads.map((h) => h.split(" ")[1]), ["/a", "/b", "/c"]);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("Expect: 100-continue sends the head at once and waits for 'continue'", async () => {
    let body = "";
    const srv = await rawServer(
      (c) => c.write("HTTP/1.1 100 Continue\r\n\r\n"),
      (s) =>
        s.on("data", (d: Uint8Array) => {
          body += Buffer.from(d).toString("latin1");
          if (body.endsWith("data")) s.end(OK0);
        }),
    );
    try {
      const events: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port: srv.port,
          method: "PUT",
          agent: false,
          headers: { Expect: "100-continue", "Content-Length": 4 },
        });
        req.on("continue", () => {
          events.push("continue");
          req.end("data");
        });
        req.on("information", (i: { statusCode: number }) => events.push("info " + i.statusCode));
        req.on("response", (res: IncomingMessage) => {
          events.push("response " + res.statusCode);
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
      });
      assert.deepEqual(events, ["continue", "info 100", "response 200"]);
      assert.match(srv.heads[0], /^PUT \/ HTTP\/1\.1\r\nExpect: 100-continue\r\n/);
      assert.ok(body.endsWith("data"));
    } finally {
      await srv.close();
    }
  });

  test("createConnection option: any Duplex, returned or via callback", async () => {
    for (const mode of ["return", "callback"]) {
      const written: string[] = [];
      const toClient = new PassThrough();
      const duplex = new (await import("node:stream")).Duplex({
        read() {},
        write(chunk, _enc, cb) {
          written.push(Buffer.from(chunk).toString("latin1"));
          if (written.join("").includes("\r\n\r\n")) {
            toClient.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
          }
          cb();
        },
      });
      toClient.on("data", (d) => duplex.push(d));
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({
          host: "example.test",
          path: "/dup",
          createConnection: (_o, cb) => {
            if (mode === "return") return duplex;
            setTimeout(() => cb(null, duplex), 5);
          },
        }, (res) => {
          let b = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => b += d);
          res.on("end", () => resolve(b));
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(body, "abc");
      assert.match(
        written.join(""),
        /^GET \/dup HTTP\/1\.1\r\nHost: example\.test:80\r\nConnection: close\r\n/,
      );
      duplex.destroy();
    }
  });

  test("setNoDelay / setSocketKeepAlive are applied once connected", async () => {
    const srv = await rawServer((c) => c.end(OK0));
    try {
      await new Promise<void>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.setNoDelay(true);
        req.setSocketKeepAlive(true, 1000);
        req.on("error", reject);
      });
    } finally {
      await srv.close();
    }
  });

  test("response fields: status, headers, trailers, maxHeadersCount, joinDuplicateHeaders", async () => {
    const srv = await rawServer((c) =>
      c.end(
        "HTTP/1.1 201 Made\r\nX-A: 1\r\nX-A: 2\r\nAge: 1\r\nAge: 2\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n" +
          "2\r\nhi\r\n0\r\nX-T: t\r\n\r\n",
      )
    );
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = get(
          { host: "127.0.0.1", port: srv.port, agent: false, joinDuplicateHeaders: true },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res));
          },
        );
        req.on("error", reject);
      });
      assert.equal(res.statusCode, 201);
      assert.equal(res.statusMessage, "Made");
      assert.equal(res.headers["x-a"], "1, 2");
      assert.equal(res.headers["age"], "1, 2");
      assert.deepEqual(res.trailers, { "x-t": "t" });
      assert.deepEqual(res.rawTrailers, ["X-T", "t"]);
      assert.equal(res.complete, true);
    } finally {
      await srv.close();
    }
  });
});
