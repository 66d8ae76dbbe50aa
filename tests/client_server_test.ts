/**
 * anyhttp client ↔ anyhttp server in one process, over real loopback.
 */

import { listen, stop as close } from "./server_util.ts";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { createServer } from "../src/server.ts";
import { request } from "../src/request.ts";
import { Agent } from "../src/agent.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ClientRequest } from "../src/client_request.ts";

function send(
  opts: Record<string, unknown>,
  write?: (req: ClientRequest) => void,
): Promise<{ res: IncomingMessage; body: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(opts, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ res, body: Buffer.concat(chunks), reused: req.reusedSocket }));
    });
    req.on("error", reject);
    if (write) write(req);
    else req.end();
  });
}

describe("anyhttp client ↔ anyhttp server", () => {
  test("echo, chunked upload, trailers, HEAD, keep-alive reuse, big bodies", async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (req.url === "/trailers") {
          res.setHeader("Trailer", "X-Sum");
          res.write("abc");
          res.addTrailers({ "X-Sum": "3" });
          res.end();
          return;
        }
        if (req.url?.startsWith("/big")) {
          res.end(Buffer.alloc(Number(req.url.split("=")[1]), 122));
          return;
        }
        res.setHeader("X-Method", req.method!);
        res.setHeader("X-TE", String(req.headers["transfer-encoding"]));
        res.end(body);
      });
    });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const base = { host: "127.0.0.1", port, agent };
      const a = await send({ ...base, method: "POST", path: "/echo" }, (req) => {
        req.write("hello ");
        req.end("world");
      });
      assert.equal(a.res.statusCode, 200);
      assert.equal(a.body.toString(), "hello world");
      assert.equal(a.res.headers["x-method"], "POST");
      assert.equal(a.res.headers["x-te"], "chunked");

      const b = await send({ ...base, path: "/trailers" });
      assert.equal(b.body.toString(), "abc");
      assert.deepEqual(b.res.trailers, { "x-sum": "3" });
      assert.equal(b.reused, true);

      const c = await send({ ...base, method: "HEAD", path: "/echo" });
      assert.equal(c.body.byteLength, 0);
      assert.equal(c.reused, true);

      const size = 2 * 1024 * 1024;
      const d = await send({ ...base, path: `/big?n=${size}` });
      assert.equal(d.body.byteLength, size);

      const up = Buffer.alloc(size, 121);
      const e = await send({ ...base, method: "PUT", path: "/echo" }, (req) => req.end(up));
      assert.equal(e.body.byteLength, size);
      assert.ok(e.body.equals(up));
    } finally {
      agent.destroy();
      await close(server);
    }
  });

  test("Expect: 100-continue answered by the server", async () => {
    const server = createServer((req, res) => {
      let n = 0;
      req.on("data", (c: Buffer) => n += c.byteLength);
      req.on("end", () => res.end(String(n)));
    });
    const port = await listen(server);
    try {
      const events: string[] = [];
      const out = await send(
        {
          host: "127.0.0.1",
          port,
          agent: false,
          method: "POST",
          headers: { Expect: "100-continue" },
        },
        (req) => {
          req.on("continue", () => {
            events.push("continue");
            req.end("12345");
          });
        },
      );
      assert.deepEqual(events, ["continue"]);
      assert.equal(out.body.toString(), "5");
    } finally {
      await close(server);
    }
  });

  test("upgrade hand-off both ways", async () => {
    const server = createServer();
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.write(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n",
      );
      if (head.byteLength) socket.write(head);
      socket.on("data", (d: Buffer) => socket.write(d));
      // The server's sockets are half-open capable (as Node's): end ours when the peer ends.
      socket.on("end", () => socket.end());
      assert.equal(req.headers["upgrade"], "echo");
    });
    const port = await listen(server);
    try {
      const got = await new Promise<string>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port,
          headers: { Connection: "Upgrade", Upgrade: "echo" },
        });
        req.on("upgrade", (res: IncomingMessage, socket: Duplex, head: Buffer) => {
          assert.equal(res.statusCode, 101);
          let text = head.toString();
          socket.on("data", (d: Buffer) => {
            text += d.toString();
            if (text === "ping") {
              socket.destroy();
              resolve(text);
            }
          });
          socket.write("ping");
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(got, "ping");
    } finally {
      await close(server);
    }
  });
});
