/**
 * Client features beyond the basics: response backpressure, timeouts while
 * reading, unix sockets, lookup/localAddress/family, flushHeaders, write
 * callbacks and writable state, maxHeaderSize, faults mid-body.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Buffer } from "node:buffer";
import { get, request } from "../src/request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { delay, rawServer, waitFor } from "./client_util.ts";

const OK0 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks)));
    res.on("error", reject);
  });
}

describe("client features", () => {
  test("response backpressure: a paused response stops reading the socket", async () => {
    const size = 8 * 1024 * 1024;
    let serverSocket: net.Socket | null = null;
    const srv = await rawServer((c) => {
      serverSocket = c;
      c.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`);
      c.end(Buffer.alloc(size, 120));
    });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, resolve);
        req.on("error", reject);
      });
      res.pause();
      await delay(200);
      // The server could not hand everything to the kernel: the client stopped reading.
      const pending = serverSocket!.writableLength;
      assert.ok(pending > 0, `server still has ${pending} bytes queued`);
      const body = await readAll(res.resume());
      assert.equal(body.byteLength, size);
    } finally {
      await srv.close();
    }
  });

  test("socket timeout while reading: 'timeout' on request and response", async () => {
    const srv = await rawServer((c) => c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab"));
    try {
      const events: string[] = [];
      await new Promise<void>((resolve) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, (res) => {
          res.on("timeout", () => events.push("res:timeout"));
          res.on("error", (e: Error & { code?: string }) => events.push("res:error:" + e.code));
          res.resume();
        });
        req.setTimeout(120, () => {
          events.push("req:timeout");
          req.destroy();
        });
        req.on("close", () => resolve());
      });
      await delay(20);
      assert.ok(events.includes("req:timeout"));
      assert.ok(events.includes("res:timeout"));
      assert.ok(events.includes("res:error:ECONNRESET"));
    } finally {
      await srv.close();
    }
  });

  test("server closes mid-body → 'aborted' and ECONNRESET 'aborted' on the response", async () => {
    const srv = await rawServer((c) => {
      c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      setTimeout(() => c.destroy(), 30);
    });
    try {
      const out = await new Promise<{ aborted: boolean; err: Error & { code?: string } }>((r) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, (res) => {
          let aborted = false;
          res.on("aborted", () => aborted = true);
          res.on("error", (err) => r({ aborted, err }));
          res.resume();
        });
        req.on("error", () => {});
      });
      assert.equal(out.aborted, true);
      assert.equal(out.err.code, "ECONNRESET");
      assert.equal(out.err.message, "aborted");
    } finally {
      await srv.close();
    }
  });

  test("unix socket via socketPath", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "anyhttp-client-"));
    const sockPath = path.join(dir, "s.sock");
    let head = "";
    const server = net.createServer((c) => {
      c.on("data", (d: Uint8Array) => {
        head += Buffer.from(d).toString("latin1");
        if (head.includes("\r\n\r\n")) c.end("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nunix");
      });
    });
    await new Promise<void>((r) => server.listen(sockPath, () => r()));
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = get({ socketPath: sockPath, path: "/u" }, (res) => {
          readAll(res).then((b) => resolve(b.toString()), reject);
        });
        req.on("error", reject);
      });
      assert.equal(body, "unix");
      assert.match(head, /^GET \/u HTTP\/1\.1\r\nHost: localhost\r\n/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("lookup, family and localAddress reach the connection", async () => {
    let remote = "";
    const srv = await rawServer((c) => {
      remote = c.remoteAddress ?? "";
      c.end(OK0);
    });
    try {
      const looked: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const req = get({
          host: "my-service.test",
          port: srv.port,
          agent: false,
          family: 4,
          localAddress: "127.0.0.1",
          lookup: (host, opts, cb) => {
            looked.push(host);
            if ((opts as { all?: boolean }).all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
            else cb(null, "127.0.0.1", 4);
          },
        }, (res) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
      });
      assert.deepEqual(looked, ["my-service.test"]);
      assert.match(remote, /127\.0\.0\.1$/);
      assert.match(srv.heads[0], new RegExp(`\r\nHost: my-service\\.test:${srv.port}\r\n`));
    } finally {
      await srv.close();
    }
  });

  test("flushHeaders sends the head before any body; write callbacks; writable state", async () => {
    let body = "";
    let gotHead = false;
    const srv = await rawServer(
      () => gotHead = true,
      (s) =>
        s.on("data", (d: Uint8Array) => {
          body += Buffer.from(d).toString("latin1");
          if (body.endsWith("0\r\n\r\n")) s.end(OK0);
        }),
    );
    try {
      const req = request({ host: "127.0.0.1", port: srv.port, method: "POST", agent: false });
      const done = new Promise<void>((resolve, reject) => {
        req.on("response", (res: IncomingMessage) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
      });
      req.flushHeaders();
      await waitFor(() => gotHead, 2000, "head before body");
      assert.equal(req.headersSent, true);
      assert.equal(req.writableEnded, false);
      const calls: string[] = [];
      req.write("part1", () => calls.push("write"));
      req.end("part2", () => calls.push("end"));
      assert.equal(req.writableEnded, true);
      await done;
      assert.equal(req.writableFinished, true);
      assert.deepEqual(calls, ["write", "end"]);
      assert.match(body, /5\r\npart1\r\n5\r\npart2\r\n0\r\n\r\n$/);
    } finally {
      await srv.close();
    }
  });

  test("cork/uncork coalesces writes", async () => {
    let body = "";
    const srv = await rawServer(
      () => {},
      (s) =>
        s.on("data", (d: Uint8Array) => {
          body += Buffer.from(d).toString("latin1");
          if (body.endsWith("0\r\n\r\n")) s.end(OK0);
        }),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: srv.port, method: "PUT", agent: false });
        req.on("response", (res: IncomingMessage) => {
          res.resume();
          res.on("end", resolve);
        });
        req.on("error", reject);
        req.cork();
        req.write("a");
        req.write("b");
        req.uncork();
        req.end();
      });
      assert.match(body, /\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n$/);
    } finally {
      await srv.close();
    }
  });

  test("maxHeaderSize: an oversized response head is an error", async () => {
    const big = "x".repeat(3000);
    const srv = await rawServer((c) => c.end(`HTTP/1.1 200 OK\r\nX-Big: ${big}\r\n\r\n`));
    try {
      const err = await new Promise<Error & { code?: string }>((resolve) => {
        const req = get(
          { host: "127.0.0.1", port: srv.port, agent: false, maxHeaderSize: 1024 },
          () => resolve(new Error("unexpected response")),
        );
        req.on("error", resolve);
      });
      assert.equal(err.code, "HPE_HEADER_OVERFLOW");
      // The default limit (16 KiB) accepts it.
      const ok = await new Promise<number>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        });
        req.on("error", reject);
      });
      assert.equal(ok, 200);
    } finally {
      await srv.close();
    }
  });

  test("maxHeadersCount limits the response header pairs kept", async () => {
    const srv = await rawServer((c) =>
      c.end("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nContent-Length: 0\r\n\r\n")
    );
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, resolve);
        req.maxHeadersCount = 2;
        req.on("error", reject);
      });
      res.resume();
      // As Node 20: rawHeaders keeps the fields that came in one batch (up to 31).
      assert.deepEqual(res.rawHeaders, ["A", "1", "B", "2", "C", "3", "Content-Length", "0"]);
      assert.deepEqual({ ...res.headers }, { a: "1", b: "2" });
    } finally {
      await srv.close();
    }
  });

  test("insecureHTTPParser accepts what the strict parser rejects", async () => {
    const srv = await rawServer((c) =>
      c.end("HTTP/1.1 200 OK\r\nX-A: a\x01b\r\nContent-Length: 2\r\n\r\nok")
    );
    try {
      const strict = await new Promise<Error & { code?: string }>((resolve) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, () => {
          resolve(new Error("unexpected response"));
        });
        req.on("error", resolve);
      });
      assert.equal(strict.code, "HPE_INVALID_HEADER_TOKEN");
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = get(
          { host: "127.0.0.1", port: srv.port, agent: false, insecureHTTPParser: true },
          resolve,
        );
        req.on("error", reject);
      });
      assert.equal(res.headers["x-a"], "a\x01b");
      assert.equal((await readAll(res)).toString(), "ok");
    } finally {
      await srv.close();
    }
  });

  test("an unsolicited second response destroys the connection", async () => {
    const srv = await rawServer((c) =>
      c.write(
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" +
          "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmugg",
      )
    );
    const { Agent } = await import("../src/agent.ts");
    const agent = new Agent({ keepAlive: true });
    try {
      let body = "";
      await new Promise<void>((resolve) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent }, (res) => {
          res.setEncoding("latin1");
          res.on("data", (d: string) => body += d);
          res.on("error", () => {});
        });
        req.on("error", () => {});
        req.on("close", () => resolve());
      });
      assert.equal(body, "ok");
      await waitFor(() => agent.totalSocketCount === 0, 2000, "connection dropped");
      assert.equal(Object.keys(agent.freeSockets).length, 0);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("destroy() inside 'response' while the chunk still holds body bytes", async () => {
    const srv = await rawServer((c) =>
      c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
    );
    try {
      const events: string[] = [];
      await new Promise<void>((resolve) => {
        const req = get({ host: "127.0.0.1", port: srv.port, agent: false }, (res) => {
          events.push("response");
          res.on("data", () => events.push("data"));
          res.on("error", (e: Error & { code?: string }) => events.push("res:error:" + e.code));
          req.destroy();
        });
        req.on("error", (e: Error & { code?: string }) => events.push("req:error:" + e.code));
        req.on("close", () => {
          events.push("close");
          resolve();
        });
      });
      await delay(20);
      assert.equal(events[0], "response");
      assert.ok(events.includes("close"));
      assert.ok(!events.includes("data"), "no data after destroy()");
    } finally {
      await srv.close();
    }
  });

  test("a response with no 'response' listener is dumped and the socket reused", async () => {
    const srv = await rawServer((c) =>
      c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    );
    const { Agent } = await import("../src/agent.ts");
    const agent = new Agent({ keepAlive: true });
    try {
      const req = get({ host: "127.0.0.1", port: srv.port, agent });
      await new Promise((r) => req.on("close", r));
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled after dump");
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
