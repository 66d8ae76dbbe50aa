/**
 * Behaviours found by running Node's test/sequential and test/pummel http
 * tests (and a few more of test/parallel) against anyhttp.
 *
 * `cork()` on a message with a socket corks the socket too, as Node's does:
 * `res.writableCorked` and `res.socket.writableCorked` agree while corked,
 * and the last `uncork()` (or `end()`) undoes it on both.
 *
 * `createServer({ highWaterMark })` sets the high-water mark of accepted
 * sockets, and so of each request and response (Node 20.1+); a non-number
 * throws ERR_INVALID_ARG_TYPE, a negative value leaves the default.
 *
 * Pipelining: responses queued before an upgrade still go out, in turn, on
 * the handed-off socket, as Node's do. A request without Host gets its 400
 * and closes the connection; unlike Node (which parses on and runs handlers
 * whose answers never go out), nothing read behind it reaches a handler.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, raw, stop } from "./server_util.ts";

type Corked = { writableCorked: number };

describe("nodecompat n11: cork() reaches the socket", () => {
  test("server response: res and socket counts agree; end() uncorks both", async () => {
    const seen: Array<string> = [];
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      const sock = res.socket as unknown as Corked;
      const note = (): void => {
        seen.push(`${res.writableCorked}/${sock.writableCorked}`);
      };
      note();
      res.cork();
      note();
      res.cork();
      note();
      res.writeHead(200, { "x-a": "1" });
      res.uncork();
      note();
      res.end("body");
      note();
    });
    const port = await listen(server);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: "127.0.0.1", port, agent: false }, (res) => {
          let text = "";
          res.setEncoding("latin1");
          res.on("data", (c: string) => text += c);
          res.on("end", () => resolve(`${res.headers["x-a"]}:${text}`));
        }).on("error", reject).end();
      });
      assert.equal(body, "1:body");
      assert.deepEqual(seen, ["0/0", "1/1", "2/2", "1/1", "0/0"]);
    } finally {
      await stop(server);
    }
  });

  test("client request: corked before its socket, counted once it has one", async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = "";
      req.setEncoding("latin1");
      req.on("data", (c: string) => text += c);
      req.on("end", () => res.end(text));
    });
    const port = await listen(server);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, agent: false, method: "POST" }, (res) => {
          let text = "";
          res.setEncoding("latin1");
          res.on("data", (c: string) => text += c);
          res.on("end", () => resolve(`${counts.join(",")}|${text}`));
        });
        const counts: Array<number> = [];
        req.on("error", reject);
        req.cork();
        req.write("a");
        counts.push(req.writableCorked);
        req.on("socket", () => {
          setTimeout(() => {
            counts.push(req.writableCorked);
            req.cork();
            counts.push(req.writableCorked);
            counts.push((req.socket as unknown as Corked).writableCorked);
            req.uncork();
            req.uncork();
            counts.push(req.writableCorked);
            req.end("b");
          }, 10);
        });
      });
      assert.equal(out, "1,1,2,2,0|ab");
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n11: createServer({ highWaterMark })", () => {
  const marks = async (options: Record<string, unknown>): Promise<string> => {
    let seen = "";
    const server = createServer(options, (req: IncomingMessage, res: ServerResponse) => {
      const sock = req.socket as unknown as {
        readableHighWaterMark: number;
        writableHighWaterMark: number;
      };
      seen = [
        req.readableHighWaterMark,
        res.writableHighWaterMark,
        sock.readableHighWaterMark,
        sock.writableHighWaterMark,
      ].join(",");
      res.end();
    });
    const port = await listen(server);
    try {
      await new Promise<void>((resolve, reject) => {
        request({ host: "127.0.0.1", port, agent: false }, (res) => {
          res.resume();
          res.on("end", resolve);
        }).on("error", reject).end();
      });
    } finally {
      await stop(server);
    }
    return seen;
  };

  test("applies to sockets, requests and responses", async () => {
    assert.equal(await marks({ highWaterMark: 14000 }), "14000,14000,14000,14000");
    assert.equal(await marks({}), "16384,16384,16384,16384");
    assert.equal(await marks({ highWaterMark: -1 }), "16384,16384,16384,16384");
  });

  test("a non-number throws ERR_INVALID_ARG_TYPE", () => {
    for (const bad of ["x", null]) {
      assert.throws(() => createServer({ highWaterMark: bad } as never), {
        code: "ERR_INVALID_ARG_TYPE",
        message: /"options\.highWaterMark" property must be of type number/,
      });
    }
  });
});

describe("nodecompat n11: pipelined requests already read", () => {
  const get = (path: string, extra = ""): string => `GET ${path} HTTP/1.1\r\n${extra}\r\n`;

  test("a request without Host gets its 400; nothing behind it reaches a handler", async () => {
    const events: Array<string> = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      events.push(`request ${req.url}`);
      res.end("a");
    });
    server.on("upgrade", (req: IncomingMessage, socket) => {
      events.push(`upgrade ${req.url}`);
      socket.end();
    });
    const port = await listen(server);
    try {
      const r = await raw(
        port,
        get("/a") + get("/u", "Host: x\r\nConnection: Upgrade\r\nUpgrade: x\r\n"),
      );
      assert.ok(r.text.startsWith("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"));
      assert.equal(r.closed, true);
      assert.deepEqual(events, []);
    } finally {
      await stop(server);
    }
  });

  test("responses queued before an upgrade go out on the handed-off socket", async () => {
    let held: ServerResponse | null = null;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === "/1") held = res;
      else res.end("two");
    });
    server.on("upgrade", (_req: IncomingMessage, socket) => {
      held?.end("one");
      setTimeout(() => socket.end(), 50);
    });
    const port = await listen(server);
    try {
      const h = "Host: x\r\n";
      const r = await raw(
        port,
        get("/1", h) + get("/2", h) + get("/u", h + "Connection: Upgrade\r\nUpgrade: x\r\n"),
      );
      const bodies = r.text.split(/HTTP\/1\.1 200 OK\r\n[^]*?\r\n\r\n/).slice(1);
      assert.deepEqual(bodies, ["one", "two"]);
      assert.equal(r.closed, true);
    } finally {
      await stop(server);
    }
  });
});
