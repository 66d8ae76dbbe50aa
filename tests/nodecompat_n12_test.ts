/**
 * Behaviours from newer Node versions (22/24) found by running the test/parallel
 * http tests that Node 20 itself fails; each one adds to what Node 20 does
 * without going against it.
 *
 * `request({ setDefaultHeaders: false })` sends only the headers given: no
 * Connection, Content-Length, Transfer-Encoding or Host of its own (`setHost`
 * still adds Host when set to true).
 *
 * `res.writeEarlyHints()` checks the other hints as headers (ERR_INVALID_HTTP_TOKEN,
 * ERR_INVALID_CHAR) and refuses a link holding CR or LF (ERR_INVALID_ARG_VALUE).
 *
 * `res.writeHead()` takes a fetch `Headers`; given a rawHeaders-style list after
 * `setHeader()`, a name repeated in the list adds a line (Node 20 kept one).
 *
 * `server.keepAliveTimeoutBuffer` and `agent.agentKeepAliveTimeoutBuffer`
 * (default 1000, the margin Node 20 always used) set the extra idle time a
 * server gives a kept-alive connection and what an agent takes off the
 * server's `Keep-Alive: timeout=N` hint.
 *
 * `createServer({ shouldUpgradeCallback })` decides which `Upgrade` requests
 * are upgrades (default: whether an 'upgrade' listener exists, as in Node 20);
 * a refused one is a plain request with `req.upgrade` false.
 *
 * `createServer({ optimizeEmptyRequests: true })`: a request without
 * Content-Length and Transfer-Encoding (and any HEAD) reaches the listener
 * with its body stream already dumped, ended and destroyed, emitting nothing.
 *
 * `server[Symbol.asyncDispose]()` (Node 20.4) closes the server and resolves on
 * 'close'; as in newer Node, a second call on the closed server just resolves.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Agent, createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, raw, stop, withServer } from "./server_util.ts";
import { rawServer } from "./client_util.ts";

/** Sends one request with `options` (and `prepare` run on it) to a raw server; resolves with the head it got. */
async function headOf(
  options: Record<string, unknown>,
  prepare?: (req: ReturnType<typeof request>) => void,
): Promise<string> {
  const srv = await rawServer((socket) => {
    socket.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: srv.port, agent: false, ...options },
        (res) => {
          res.resume();
          res.on("end", resolve);
        },
      );
      req.on("error", reject);
      prepare?.(req);
      req.end();
    });
    return srv.heads[0];
  } finally {
    await srv.close();
  }
}

describe("nodecompat n12: request({ setDefaultHeaders: false })", () => {
  test("with a raw header list, the head holds exactly that list", async () => {
    const head = await headOf({
      method: "POST",
      setDefaultHeaders: false,
      headers: ["host", "example.org", "foo", "bar", "test", "value", "foo", "baz"],
    });
    assert.equal(
      head,
      "POST / HTTP/1.1\r\nhost: example.org\r\nfoo: bar\r\ntest: value\r\nfoo: baz\r\n\r\n",
    );
  });

  test("with setHeader, only the headers set (a Connection given is kept)", async () => {
    const head = await headOf({ method: "POST", setDefaultHeaders: false }, (req) => {
      req.setHeader("test", "value");
      req.setHeader("HOST", "example.org");
      req.setHeader("foo", ["bar", "baz"]);
      req.setHeader("connection", "close");
    });
    assert.equal(
      head,
      "POST / HTTP/1.1\r\ntest: value\r\nHOST: example.org\r\nfoo: bar\r\nfoo: baz\r\n" +
        "connection: close\r\n\r\n",
    );
  });

  test("setHost: true still adds Host; nothing else", async () => {
    const head = await headOf({ method: "POST", setDefaultHeaders: false, setHost: true });
    assert.match(head, /^POST \/ HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n\r\n$/);
  });

  test("the default (and true) still adds them", async () => {
    const head = await headOf({ method: "POST", setDefaultHeaders: true });
    assert.match(head, /\r\nHost: 127\.0\.0\.1:\d+\r\nConnection: close\r\n/);
    assert.match(head, /\r\nContent-Length: 0\r\n/);
  });
});

describe("nodecompat n12: writeEarlyHints() checks its hints", () => {
  test("bad names, values and links throw; nothing is sent for them", async () => {
    const codes: string[] = [];
    const handler = (_req: IncomingMessage, res: ServerResponse): void => {
      const attempt = (hints: Record<string, string>): void => {
        try {
          res.writeEarlyHints(hints);
          codes.push("none");
        } catch (e) {
          codes.push((e as { code: string }).code);
        }
      };
      const link = "</styles.css>; rel=preload; as=style";
      attempt({ link, "X-Custom": "valid\r\nSet-Cookie: a=b" });
      attempt({ link, "X-Custom\r\nSet-Cookie: a=b": "value" });
      attempt({ link: "</styles.css\r\nSet-Cookie: a=b>; rel=preload" });
      attempt({ link, "x-ok": "fine" });
      res.end("done");
    };
    await withServer(handler, async (port) => {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.deepEqual(codes, [
        "ERR_INVALID_CHAR",
        "ERR_INVALID_HTTP_TOKEN",
        "ERR_INVALID_ARG_VALUE",
        "none",
      ]);
      assert.ok(
        r.text.startsWith(
          "HTTP/1.1 103 Early Hints\r\nLink: </styles.css>; rel=preload; as=style\r\n" +
            "x-ok: fine\r\n\r\nHTTP/1.1 200 OK\r\n",
        ),
        r.text,
      );
      assert.ok(!r.text.includes("Set-Cookie"));
    });
  });
});

describe("nodecompat n12: writeHead() headers", () => {
  test("a fetch Headers object is sent (merged over setHeader)", async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse): void => {
      res.setHeader("test", "1");
      const h = new Headers([["test", "2"], ["x-b", "3"], ["set-cookie", "a=1"]]);
      h.append("set-cookie", "b=2");
      res.writeHead(200, h);
      res.end();
    };
    await withServer(handler, async (port) => {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.match(r.text, /\r\ntest: 2\r\n/);
      assert.match(r.text, /\r\nx-b: 3\r\n/);
      assert.match(r.text, /\r\nset-cookie: a=1\r\nset-cookie: b=2\r\n/);
      assert.ok(!r.text.includes("test: 1"));
    });
  });

  test("a rawHeaders-style list keeps its repeated names after setHeader", async () => {
    const handler = (_req: IncomingMessage, res: ServerResponse): void => {
      res.setHeader("set-val", "abc");
      res.setHeader("Array-Val", "old");
      res.writeHead(200, ["array-val", "1", "other", "x", "array-val", "2"]);
      res.end();
    };
    await withServer(handler, async (port) => {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
      assert.match(
        r.text,
        /^HTTP\/1\.1 200 OK\r\nset-val: abc\r\narray-val: 1\r\narray-val: 2\r\nother: x\r\n/,
      );
      assert.ok(!r.text.includes("old"));
    });
  });
});

describe("nodecompat n12: keep-alive timeout buffers", () => {
  test("server.keepAliveTimeoutBuffer: default 1000, option, validation, used", async () => {
    assert.equal(createServer().keepAliveTimeoutBuffer, 1000);
    assert.equal(createServer({ keepAliveTimeoutBuffer: 0 }).keepAliveTimeoutBuffer, 0);
    assert.throws(() => createServer({ keepAliveTimeoutBuffer: -1 }), {
      code: "ERR_OUT_OF_RANGE",
    });
    assert.throws(() => createServer({ keepAliveTimeoutBuffer: "1" as unknown as number }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    // keepAliveTimeout 100 + buffer 0: the idle connection closes well before Node 20's +1000.
    const server = createServer({ keepAliveTimeout: 100, keepAliveTimeoutBuffer: 0 }, (_q, r) => {
      r.end("ok");
    });
    const port = await listen(server);
    try {
      const started = Date.now();
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", { timeout: 3000 });
      assert.equal(r.closed, true);
      assert.ok(Date.now() - started < 900, `closed after ${Date.now() - started} ms`);
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    } finally {
      await stop(server);
    }
  });

  test("agent.agentKeepAliveTimeoutBuffer: option, fallback to 1000, taken off the hint", async () => {
    assert.equal(new Agent().agentKeepAliveTimeoutBuffer, 1000);
    assert.equal(
      new Agent({ agentKeepAliveTimeoutBuffer: 1500 }).agentKeepAliveTimeoutBuffer,
      1500,
    );
    assert.equal(
      new Agent({ agentKeepAliveTimeoutBuffer: -100 }).agentKeepAliveTimeoutBuffer,
      1000,
    );
    assert.equal(
      new Agent({ agentKeepAliveTimeoutBuffer: Infinity }).agentKeepAliveTimeoutBuffer,
      1000,
    );
    // Keep-Alive: timeout=5 with a 1500 ms buffer: the pooled socket idles out after 3500 ms.
    const srv = await rawServer((socket) => {
      socket.write(
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n",
      );
    });
    const agent = new Agent({
      keepAlive: true,
      timeout: 60_000,
      agentKeepAliveTimeoutBuffer: 1500,
    });
    try {
      const timeout = await new Promise<number | undefined>((resolve, reject) => {
        request({ host: "127.0.0.1", port: srv.port, agent }, (res) => {
          res.resume();
          res.on("end", () => {
            setTimeout(() => {
              const free = Object.values(agent.freeSockets)[0] as { timeout?: number }[];
              resolve(free?.[0]?.timeout);
            }, 20);
          });
        }).on("error", reject).end();
      });
      assert.equal(timeout, 3500);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});

describe("nodecompat n12: createServer({ shouldUpgradeCallback })", () => {
  const ask = (proto: string): string =>
    `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${proto}\r\n\r\n`;

  test("refused upgrades are plain requests; accepted ones reach 'upgrade'", async () => {
    const seen: string[] = [];
    const server = createServer({
      shouldUpgradeCallback(req: IncomingMessage) {
        seen.push(`ask:${req.headers.upgrade}:${this === server}`);
        return req.headers.upgrade === "websocket";
      },
    }, (req, res) => {
      seen.push(`request:${req.upgrade}`);
      res.end("plain");
    });
    server.on("upgrade", (req: IncomingMessage, socket: { end(s: string): void }) => {
      seen.push(`upgrade:${req.upgrade}`);
      socket.end(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      );
    });
    const port = await listen(server);
    try {
      const a = await raw(port, ask("h2c"), { until: (t) => t.endsWith("plain") });
      assert.match(a.text, /^HTTP\/1\.1 200 OK\r\n/);
      const b = await raw(port, ask("websocket"));
      assert.match(b.text, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
      assert.deepEqual(seen, [
        "ask:h2c:true",
        "request:false",
        "ask:websocket:true",
        "upgrade:true",
      ]);
    } finally {
      await stop(server);
    }
  });

  test("an accepted upgrade nobody listens for loses its socket", async () => {
    let requests = 0;
    const server = createServer({ shouldUpgradeCallback: () => true }, (_req, res) => {
      requests++;
      res.end();
    });
    const port = await listen(server);
    try {
      const r = await raw(port, ask("websocket"));
      assert.equal(r.closed, true);
      assert.equal(r.text, "");
      assert.equal(requests, 0);
    } finally {
      await stop(server);
    }
  });

  test("the default upgrades only with an 'upgrade' listener; a non-function throws", async () => {
    assert.throws(
      () => createServer({ shouldUpgradeCallback: true as unknown as () => boolean }),
      { code: "ERR_INVALID_ARG_TYPE" },
    );
    await withServer((req, res) => res.end(`upgrade=${req.upgrade}`), async (port) => {
      const r = await raw(port, ask("websocket"), { until: (t) => t.includes("upgrade=") });
      assert.match(r.text, /upgrade=false$/);
    });
  });
});

describe("nodecompat n12: createServer({ optimizeEmptyRequests })", () => {
  test("bodiless requests start ended and emit nothing; others stream as before", async () => {
    const seen: string[] = [];
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const tag = `${req.method}${req.headers["content-length"] !== undefined ? "+cl" : ""}${
        req.headers["transfer-encoding"] !== undefined ? "+te" : ""
      }`;
      if (req._dumped) {
        seen.push(`${tag}:empty:${req.readableEnded}:${req.destroyed}`);
        req.on("data", () => seen.push(`${tag}:data!`));
        req.on("end", () => seen.push(`${tag}:end!`));
        req.on("close", () => seen.push(`${tag}:close!`));
        res.end("ok");
      } else {
        req.resume();
        req.on("end", () => {
          seen.push(`${tag}:streamed`);
          res.end("ok");
        });
      }
    };
    await withServer(handler, async (port) => {
      const asks = [
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n",
      ];
      for (const a of asks) {
        const r = await raw(port, a, { until: (t) => /\r\n\r\n(ok)?$/.test(t) });
        assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }, { optimizeEmptyRequests: true });
    assert.deepEqual(seen, [
      "GET:empty:true:true",
      "HEAD:empty:true:true",
      "POST:empty:true:true",
      "POST+cl:streamed",
      "POST+te:streamed",
    ]);
    assert.equal(createServer().optimizeEmptyRequests, false);
    assert.throws(() => createServer({ optimizeEmptyRequests: 1 as unknown as boolean }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
  });
});

describe("nodecompat n12: server[Symbol.asyncDispose]()", () => {
  test("closes the server, then resolves; again on a closed server", async () => {
    const dispose = (Symbol as { asyncDispose?: symbol }).asyncDispose as symbol;
    const server = createServer();
    await listen(server);
    try {
      const fn = (server as unknown as Record<symbol, () => Promise<void>>)[dispose];
      assert.equal(typeof fn, "function");
      // "[Symbol.asyncDispose]" (Node 20 names its own symbol "nodejs.asyncDispose").
      assert.equal(fn.name, `[${dispose.description}]`);
      let closed = 0;
      server.on("close", () => closed++);
      await fn.call(server);
      assert.equal(server.listening, false);
      assert.equal(closed, 1);
      await fn.call(server);
      assert.equal(closed, 1);
    } finally {
      await stop(server);
    }
  });
});
