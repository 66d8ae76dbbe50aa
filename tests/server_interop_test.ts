/**
 * anyhttp's server against peers no one here wrote, over real loopback sockets:
 * the `curl` binary, the running runtime's global `fetch`, and (on plain Node)
 * Node's own `node:http` client.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as nodeHttp from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "../mod.ts";
import type { IncomingMessage, Server, ServerResponse } from "../mod.ts";
import { listen, stop } from "./server_util.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
const plainNode = !g.Deno && !g.Bun;
const CURL = "/usr/bin/curl";
const noCurl: string | false = existsSync(CURL) ? false : `curl not installed (${CURL})`;

/** A server under test plus what it saw. */
interface Running {
  server: Server;
  port: number;
  base: string;
  /** 'connection' events so far. */
  connections: number;
}

async function withServer(
  handler: Handler,
  fn: (s: Running) => Promise<void>,
  setup?: (server: Server) => void,
): Promise<void> {
  const server = createServer(handler);
  if (setup) setup(server);
  const running: Running = { server, port: 0, base: "", connections: 0 };
  server.on("connection", () => running.connections++);
  running.port = await listen(server);
  running.base = `http://127.0.0.1:${running.port}`;
  try {
    await fn(running);
  } finally {
    await stop(server);
  }
}

/** Result of one curl run. */
interface CurlResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      CURL,
      ["--silent", "--show-error", "--max-time", "10", ...args],
      { encoding: "buffer", maxBuffer: 16 * 1024 * 1024, timeout: 15000 },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: unknown }).code ?? 1) || 1 : 0;
        resolve({ code, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr).toString() });
      },
    );
  });
}

function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Reads the whole request body, then answers `{ size, sha256, te, cl, expect }` as JSON. */
const digestHandler: Handler = (req, res) => {
  const hash = createHash("sha256");
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.byteLength;
    hash.update(c);
  });
  req.on("end", () => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({
      size,
      sha256: hash.digest("hex"),
      te: req.headers["transfer-encoding"] ?? null,
      cl: req.headers["content-length"] ?? null,
      expect: req.headers["expect"] ?? null,
      version: req.httpVersion,
    }));
  });
};

/** A temp file of `size` random bytes; removed by the returned cleanup. */
function tempPayload(size: number): { file: string; data: Buffer; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "anyhttp-interop-"));
  const file = join(dir, "payload.bin");
  const data = randomBytes(size);
  writeFileSync(file, data);
  return { file, data, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Response heads printed by `curl -i`/`-I`/`-D -`, split on blank lines. */
function heads(text: string): string[] {
  return text.split("\r\n\r\n").filter((h) => h.startsWith("HTTP/"));
}

describe("server interop: curl", () => {
  test("keep-alive: 3 URLs in one curl run share 1 connection", { skip: noCurl }, async () => {
    const seen: string[] = [];
    const sockets = new Set<unknown>();
    await withServer((req, res) => {
      seen.push(String(req.url));
      sockets.add(req.socket);
      res.setHeader("Content-Type", "text/plain");
      res.end(`[${req.url}]`);
    }, async (s) => {
      const r = await curl([
        "-w",
        "(%{num_connects})",
        `${s.base}/one`,
        `${s.base}/two`,
        `${s.base}/three`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.toString(), "[/one](1)[/two](0)[/three](0)");
      assert.deepEqual(seen, ["/one", "/two", "/three"]);
      assert.equal(s.connections, 1);
      assert.equal(sockets.size, 1);
    });
  });

  test("POST 1 MiB --data-binary is echoed intact", { skip: noCurl }, async () => {
    const p = tempPayload(1024 * 1024);
    try {
      let seenLength: string | undefined;
      await withServer((req, res) => {
        seenLength = String(req.headers["content-length"]);
        res.setHeader("Content-Type", "application/octet-stream");
        req.pipe(res);
      }, async (s) => {
        const r = await curl([
          "-H",
          "Content-Type: application/octet-stream",
          "--data-binary",
          `@${p.file}`,
          `${s.base}/echo`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(seenLength, String(p.data.byteLength));
        assert.equal(r.stdout.byteLength, p.data.byteLength);
        assert.equal(sha256(r.stdout), sha256(p.data));
      });
    } finally {
      p.cleanup();
    }
  });

  test("chunked upload (Transfer-Encoding: chunked) is de-chunked", { skip: noCurl }, async () => {
    const p = tempPayload(300 * 1024 + 7);
    try {
      await withServer(digestHandler, async (s) => {
        const r = await curl([
          "-H",
          "Transfer-Encoding: chunked",
          "--data-binary",
          `@${p.file}`,
          `${s.base}/chunked`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        const info = JSON.parse(r.stdout.toString());
        assert.equal(info.te, "chunked");
        assert.equal(info.cl, null);
        assert.equal(info.size, p.data.byteLength);
        assert.equal(info.sha256, sha256(p.data));
      });
    } finally {
      p.cleanup();
    }
  });

  test("-I (HEAD): headers only, and the connection is reused after it", {
    skip: noCurl,
  }, async () => {
    const methods: string[] = [];
    await withServer((req, res) => {
      methods.push(String(req.method));
      res.setHeader("Content-Type", "text/plain");
      res.setHeader("X-Seen-Method", String(req.method));
      // An explicit length is sent as is; without one, Node sends no framing header to HEAD.
      if (req.url === "/sized") res.setHeader("Content-Length", "29");
      res.end("this body is not sent to HEAD");
    }, async (s) => {
      const r = await curl(["-I", `${s.base}/sized`, `${s.base}/unsized`]);
      assert.equal(r.code, 0, r.stderr);
      const text = r.stdout.toString("latin1");
      const hs = heads(text);
      assert.equal(hs.length, 2);
      for (const h of hs) {
        assert.match(h, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(h, /\r\nX-Seen-Method: HEAD(\r\n|$)/);
        assert.match(h, /\r\nConnection: keep-alive(\r\n|$)/);
        assert.doesNotMatch(h, /Transfer-Encoding/i);
      }
      assert.match(hs[0], /\r\nContent-Length: 29(\r\n|$)/);
      assert.doesNotMatch(hs[1], /Content-Length/i);
      assert.ok(!text.includes("this body"), "no body after a HEAD response");
      assert.deepEqual(methods, ["HEAD", "HEAD"]);
      assert.equal(s.connections, 1);
    });
  });

  test("Expect: 100-continue: curl gets 100 Continue, then sends the body", {
    skip: noCurl,
  }, async () => {
    const p = tempPayload(2 * 1024 * 1024);
    try {
      await withServer(digestHandler, async (s) => {
        const r = await curl([
          "-v",
          "-H",
          "Expect: 100-continue",
          "--data-binary",
          `@${p.file}`,
          `${s.base}/expect`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, /> Expect: 100-continue/);
        assert.match(r.stderr, /< HTTP\/1\.1 100 Continue/);
        assert.match(r.stderr, /< HTTP\/1\.1 200 OK/);
        const info = JSON.parse(r.stdout.toString());
        assert.equal(info.expect, "100-continue");
        assert.equal(info.size, p.data.byteLength);
        assert.equal(info.sha256, sha256(p.data));
      });
    } finally {
      p.cleanup();
    }
  });

  test("checkContinue refusing: curl gets the final status and never sends the body", {
    skip: noCurl,
  }, async () => {
    const p = tempPayload(2 * 1024 * 1024);
    try {
      let requests = 0;
      let bodyBytes = 0;
      await withServer(() => requests++, async (s) => {
        const r = await curl([
          "-v",
          "-H",
          "Expect: 100-continue",
          "--expect100-timeout",
          "5",
          "--data-binary",
          `@${p.file}`,
          `${s.base}/refused`,
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /< HTTP\/1\.1 100 Continue/);
        assert.match(r.stderr, /< HTTP\/1\.1 413 Payload Too Large/);
        assert.match(r.stderr, /< Connection: close/);
        assert.equal(r.stdout.toString(), "too big");
        assert.equal(requests, 0);
        assert.equal(bodyBytes, 0);
      }, (server) => {
        server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
          req.on("data", (c: Buffer) => bodyBytes += c.byteLength);
          res.writeHead(413, { "Content-Type": "text/plain" });
          res.end("too big");
        });
      });
    } finally {
      p.cleanup();
    }
  });

  test("--http1.0: no chunked framing, close-delimited body", { skip: noCurl }, async () => {
    let version = "";
    await withServer((req, res) => {
      version = String(req.httpVersion);
      res.setHeader("Content-Type", "text/plain");
      res.write("part1,");
      res.write("part2,");
      res.end("part3");
    }, async (s) => {
      const r = await curl(["--http1.0", "-i", `${s.base}/old`]);
      assert.equal(r.code, 0, r.stderr);
      const text = r.stdout.toString("latin1");
      const [head, body] = text.split("\r\n\r\n");
      assert.equal(version, "1.0");
      assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(head, /\r\nConnection: close(\r\n|$)/);
      assert.doesNotMatch(head, /Transfer-Encoding/i);
      assert.doesNotMatch(head, /Content-Length/i);
      assert.equal(body, "part1,part2,part3");
    });
  });

  test("--http1.0 with Connection: keep-alive and a Content-Length reuses the connection", {
    skip: noCurl,
  }, async () => {
    await withServer((req, res) => {
      const body = `v${req.httpVersion}${req.url}`;
      res.setHeader("Content-Type", "text/plain");
      res.setHeader("Content-Length", body.length);
      res.end(body);
    }, async (s) => {
      const r = await curl([
        "--http1.0",
        "-H",
        "Connection: keep-alive",
        "-D",
        "-",
        `${s.base}/x`,
        `${s.base}/y`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const text = r.stdout.toString("latin1");
      assert.match(text, /\r\nConnection: keep-alive\r\n/);
      assert.ok(text.includes("\r\n\r\nv1.0/xHTTP/1.1 200 OK\r\n"), text);
      assert.ok(text.endsWith("\r\n\r\nv1.0/y"), text);
      assert.equal(s.connections, 1);
    });
  });
});

describe("server interop: the runtime's fetch", () => {
  test("GET", async () => {
    await withServer((req, res) => {
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      res.setHeader("X-Agent-Seen", req.headers["user-agent"] ? "yes" : "no");
      res.end(`hello ${req.method} ${req.url} \u00e9`);
    }, async (s) => {
      const r = await fetch(`${s.base}/path?q=1`);
      assert.equal(r.status, 200);
      assert.equal(r.statusText, "OK");
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(await r.text(), "hello GET /path?q=1 \u00e9");
    });
  });

  test("POST with a 256 KiB body", async () => {
    const data = randomBytes(256 * 1024);
    await withServer(digestHandler, async (s) => {
      const r = await fetch(`${s.base}/upload`, {
        method: "POST",
        body: new Uint8Array(data),
        headers: { "content-type": "application/octet-stream" },
      });
      assert.equal(r.status, 200);
      const info = await r.json();
      assert.equal(info.size, data.byteLength);
      assert.equal(info.sha256, sha256(data));
    });
  });

  test("streaming response: chunks arrive while the server is still writing", async () => {
    let lastWriteAt = 0;
    await withServer((_req, res) => {
      res.setHeader("Content-Type", "text/plain");
      let i = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        if (i === 10) {
          lastWriteAt = Date.now();
          res.end();
          return;
        }
        res.write(`chunk${i++};`);
        setTimeout(tick, 30);
      };
      tick();
    }, async (s) => {
      const r = await fetch(`${s.base}/stream`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("transfer-encoding"), "chunked");
      const reader = (r.body as ReadableStream<Uint8Array>).getReader();
      const dec = new TextDecoder();
      let text = "";
      let firstAt = 0;
      let reads = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (firstAt === 0) firstAt = Date.now();
        reads++;
        text += dec.decode(value, { stream: true });
      }
      assert.equal(
        text,
        "chunk0;chunk1;chunk2;chunk3;chunk4;chunk5;chunk6;chunk7;chunk8;chunk9;",
      );
      assert.ok(reads >= 3, `expected several reads, got ${reads}`);
      assert.ok(firstAt > 0 && firstAt < lastWriteAt, "first chunk before the server finished");
    });
  });

  test("several Set-Cookie headers: headers.getSetCookie()", async () => {
    await withServer((_req, res) => {
      res.setHeader("Set-Cookie", ["a=1; Path=/", "b=2; HttpOnly"]);
      res.appendHeader("Set-Cookie", "c=3; Max-Age=60");
      res.end("ok");
    }, async (s) => {
      const r = await fetch(`${s.base}/cookies`);
      assert.deepEqual(r.headers.getSetCookie(), [
        "a=1; Path=/",
        "b=2; HttpOnly",
        "c=3; Max-Age=60",
      ]);
      assert.equal(await r.text(), "ok");
    });
  });

  test("204 and 304 have no body (even when the handler writes one)", async () => {
    await withServer((req, res) => {
      if (req.url === "/204") {
        res.writeHead(204, { "X-Kind": "no-content" });
        res.end("ignored body");
      } else if (req.url === "/304") {
        res.writeHead(304, { ETag: '"v1"' });
        res.end("ignored body");
      } else {
        res.end("after");
      }
    }, async (s) => {
      const a = await fetch(`${s.base}/204`);
      assert.equal(a.status, 204);
      assert.equal(a.headers.get("x-kind"), "no-content");
      assert.equal(a.headers.get("content-length"), null);
      assert.equal(a.headers.get("transfer-encoding"), null);
      assert.equal(await a.text(), "");
      const b = await fetch(`${s.base}/304`);
      assert.equal(b.status, 304);
      assert.equal(b.headers.get("etag"), '"v1"');
      assert.equal(await b.text(), "");
      // The connection is still framed right for the next exchange.
      const c = await fetch(`${s.base}/after`);
      assert.equal(await c.text(), "after");
    });
  });
});

describe("server interop: node:http client (Node leg only)", () => {
  function get(
    opts: nodeHttp.RequestOptions,
    body?: string,
    onReq?: (req: nodeHttp.ClientRequest) => void,
  ): Promise<{ res: nodeHttp.IncomingMessage; body: string; req: nodeHttp.ClientRequest }> {
    return new Promise((resolve, reject) => {
      const req = nodeHttp.request({ host: "127.0.0.1", ...opts }, (res) => {
        let text = "";
        res.setEncoding("latin1");
        res.on("data", (c: string) => text += c);
        res.on("end", () => resolve({ res, body: text, req }));
        res.on("error", reject);
      });
      req.on("error", reject);
      if (onReq) onReq(req);
      req.end(body);
    });
  }

  test("keep-alive Agent reuses one connection", { skip: !plainNode }, async () => {
    await withServer((req, res) => res.end(String(req.url)), async (s) => {
      const agent = new nodeHttp.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const reused: boolean[] = [];
        const bodies: string[] = [];
        for (const path of ["/1", "/2", "/3"]) {
          const r = await get({ port: s.port, path, agent });
          reused.push(r.req.reusedSocket);
          bodies.push(r.body);
          assert.equal(r.res.headers.connection, "keep-alive");
        }
        assert.deepEqual(bodies, ["/1", "/2", "/3"]);
        assert.deepEqual(reused, [false, true, true]);
        assert.equal(s.connections, 1);
      } finally {
        agent.destroy();
      }
    });
  });

  test("trailers both ways", { skip: !plainNode }, async () => {
    let reqTrailers: unknown = null;
    await withServer((req, res) => {
      req.resume();
      req.on("end", () => {
        reqTrailers = { ...req.trailers };
        res.writeHead(200, { "Content-Type": "text/plain", Trailer: "X-Checksum" });
        res.write("part one, ");
        res.write("part two");
        res.addTrailers({ "X-Checksum": "c0ffee", "X-Count": "2" });
        res.end();
      });
    }, async (s) => {
      const r = await get(
        { port: s.port, path: "/t", method: "POST", headers: { Trailer: "X-Client" } },
        undefined,
        (req) => {
          req.write("data");
          req.addTrailers({ "X-Client": "sent" });
        },
      );
      assert.equal(r.body, "part one, part two");
      assert.equal(r.res.headers["transfer-encoding"], "chunked");
      assert.equal(r.res.headers["trailer"], "X-Checksum");
      assert.deepEqual({ ...r.res.trailers }, { "x-checksum": "c0ffee", "x-count": "2" });
      assert.deepEqual(r.res.rawTrailers, ["X-Checksum", "c0ffee", "X-Count", "2"]);
      assert.deepEqual(reqTrailers, { "x-client": "sent" });
    });
  });

  test("1xx: writeEarlyHints and writeProcessing reach 'information'", {
    skip: !plainNode,
  }, async () => {
    await withServer((_req, res) => {
      res.writeEarlyHints({
        link: ["</a.css>; rel=preload; as=style", "</b.js>; rel=preload; as=script"],
        "x-hint": "yes",
      });
      res.writeProcessing();
      setTimeout(() => res.end("final"), 10);
    }, async (s) => {
      const infos: { statusCode?: number; statusMessage?: string; headers: unknown }[] = [];
      const r = await get({ port: s.port, path: "/hints" }, undefined, (req) => {
        req.on("information", (info: nodeHttp.InformationEvent) => {
          infos.push({
            statusCode: info.statusCode,
            statusMessage: info.statusMessage,
            headers: { ...info.headers },
          });
        });
      });
      assert.deepEqual(infos, [
        {
          statusCode: 103,
          statusMessage: "Early Hints",
          headers: {
            link: "</a.css>; rel=preload; as=style, </b.js>; rel=preload; as=script",
            "x-hint": "yes",
          },
        },
        { statusCode: 102, statusMessage: "Processing", headers: {} },
      ]);
      assert.equal(r.res.statusCode, 200);
      assert.equal(r.body, "final");
    });
  });

  test("rawHeaders casing is preserved both ways", { skip: !plainNode }, async () => {
    let serverRaw: string[] = [];
    await withServer((req, res) => {
      serverRaw = req.rawHeaders.slice();
      res.setHeader("X-ReSpOnSe-CaSe", "1");
      res.setHeader("content-TYPE", "text/plain");
      res.end("ok");
    }, async (s) => {
      const r = await get({
        port: s.port,
        path: "/case",
        headers: { "X-MiXeD-CaSe": "v", "aCCept": "*/*" },
        agent: false,
      });
      assert.ok(serverRaw.includes("X-MiXeD-CaSe"), serverRaw.join("|"));
      assert.ok(serverRaw.includes("aCCept"), serverRaw.join("|"));
      assert.equal(serverRaw[serverRaw.indexOf("X-MiXeD-CaSe") + 1], "v");
      assert.ok(r.res.rawHeaders.includes("X-ReSpOnSe-CaSe"), r.res.rawHeaders.join("|"));
      assert.ok(r.res.rawHeaders.includes("content-TYPE"), r.res.rawHeaders.join("|"));
      assert.equal(r.res.headers["x-response-case"], "1");
    });
  });
});
