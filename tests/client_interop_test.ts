/**
 * The client against a server no one here wrote: `node:http` on Node,
 * `Deno.serve` on Deno, `Bun.serve` on Bun (real loopback).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { request } from "../src/request.ts";
import { Agent } from "../src/agent.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { RUNTIME } from "./client_util.ts";

interface Native {
  port: number;
  close(): Promise<void>;
}

interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

function answer(e: Echo): { status: number; headers: Record<string, string>; body: Uint8Array } {
  if (e.url.startsWith("/big")) {
    const n = Number(e.url.split("=")[1]);
    return {
      status: 200,
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array(n).fill(97),
    };
  }
  const info = JSON.stringify({
    method: e.method,
    url: e.url,
    length: e.body.byteLength,
    host: e.headers["host"],
    te: e.headers["transfer-encoding"] ?? null,
  });
  return {
    status: 201,
    headers: { "content-type": "application/json", "x-echo": "yes" },
    body: new TextEncoder().encode(info),
  };
}

async function startNative(): Promise<Native> {
  const g = globalThis as unknown as {
    Deno?: {
      serve(
        o: { port: number; hostname: string; onListen?: () => void },
        h: (r: Request) => Promise<Response>,
      ): { addr: { port: number }; shutdown(): Promise<void> };
    };
    Bun?: {
      serve(o: { port: number; hostname: string; fetch: (r: Request) => Promise<Response> }): {
        port: number;
        stop(force?: boolean): Promise<void> | void;
      };
    };
  };
  const fetchHandler = async (r: Request): Promise<Response> => {
    const u = new URL(r.url);
    const headers: Record<string, string> = {};
    r.headers.forEach((v, k) => headers[k] = v);
    const body = new Uint8Array(await r.arrayBuffer());
    const a = answer({ method: r.method, url: u.pathname + u.search, headers, body });
    const out = r.method === "HEAD" ? null : (a.body as Uint8Array<ArrayBuffer>);
    return new Response(out, { status: a.status, headers: a.headers });
  };
  if (RUNTIME === "deno") {
    const s = g.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, fetchHandler);
    return { port: s.addr.port, close: () => s.shutdown() };
  }
  if (RUNTIME === "bun") {
    const s = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", fetch: fetchHandler });
    return { port: s.port, close: async () => void (await s.stop(true)) };
  }
  const http = await import("node:http");
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    req.on("data", (c: Uint8Array) => chunks.push(c));
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
      const a = answer({
        method: req.method!,
        url: req.url!,
        headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(a.status, { ...a.headers, "content-length": a.body.byteLength });
      res.end(req.method === "HEAD" ? undefined : a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function doRequest(
  opts: Record<string, unknown>,
  body?: (req: ReturnType<typeof request>) => void,
): Promise<{ res: IncomingMessage; body: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body) body(req);
    else req.end();
  });
}

describe(`client ↔ native ${RUNTIME} server`, () => {
  test("GET, POST chunked, PUT with length, HEAD, keep-alive reuse, 4 MiB both ways", async () => {
    const srv = await startNative();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const base = { host: "127.0.0.1", port: srv.port, agent };
      const a = await doRequest({ ...base, path: "/hello?x=1" });
      assert.equal(a.res.statusCode, 201);
      assert.equal(a.res.headers["x-echo"], "yes");
      const ja = JSON.parse(a.body.toString());
      assert.deepEqual(ja, {
        method: "GET",
        url: "/hello?x=1",
        length: 0,
        host: `127.0.0.1:${srv.port}`,
        te: null,
      });

      const b = await doRequest({ ...base, method: "POST", path: "/post" }, (req) => {
        req.write("abc");
        req.write(Buffer.from("def"));
        req.end("g");
      });
      const jb = JSON.parse(b.body.toString());
      assert.equal(jb.length, 7);
      assert.equal(jb.te, "chunked");
      assert.equal(b.reused, true);

      const c = await doRequest(
        { ...base, method: "PUT", path: "/put", headers: { "Content-Length": "5" } },
        (req) => req.end("12345"),
      );
      assert.equal(JSON.parse(c.body.toString()).length, 5);

      const d = await doRequest({ ...base, method: "HEAD", path: "/head" });
      assert.equal(d.res.statusCode, 201);
      assert.equal(d.body.byteLength, 0);

      const size = 4 * 1024 * 1024;
      const e = await doRequest({ ...base, path: `/big?n=${size}` });
      assert.equal(e.body.byteLength, size);
      assert.ok(e.body.every((x) => x === 97));

      const big = Buffer.alloc(size, 98);
      const f = await doRequest({ ...base, method: "POST", path: "/upload" }, (req) => {
        let off = 0;
        const pump = (): void => {
          while (off < big.byteLength) {
            const part = big.subarray(off, off + 65536);
            off += part.byteLength;
            if (!req.write(part)) {
              req.once("drain", pump);
              return;
            }
          }
          req.end();
        };
        pump();
      });
      assert.equal(JSON.parse(f.body.toString()).length, size);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
