/**
 * Behaviours found by running Node's http tests on Deno and Bun: a client
 * request's `localAddress` / `localPort` are honoured (the connection really
 * comes from that address and port) and an address that cannot be bound
 * fails the request with an 'error'; when the peer resets a connection the
 * client keeps writing to, the request's 'error' and 'close' come a turn of the
 * event loop after the failure, and a write made in between is dropped without
 * its callback (so a "write again from the callback" loop stops instead of
 * spinning on ERR_STREAM_DESTROYED); an 'error' nobody listens to on the
 * response of a request made inside `domain.run()` goes to that domain (Bun's
 * `domain` does not bind emitters by itself).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import domain from "node:domain";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, stop } from "./server_util.ts";

describe("nodecompat n8: binding the client's local end", () => {
  test("localAddress and localPort are the address the server sees", async () => {
    let seen = "";
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen = `${req.socket.remoteAddress} ${req.socket.remotePort}`;
      res.end("hi");
    });
    const port = await listen(server);
    try {
      // A free port to bind: one the OS just handed out and released.
      const probe = createServer(() => {});
      const localPort = await listen(probe);
      await stop(probe);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: "127.0.0.1",
            port,
            localAddress: "127.0.0.2",
            localPort,
            agent: false,
          },
          (res) => {
            let text = "";
            res.setEncoding("latin1");
            res.on("data", (c: string) => (text += c));
            res.on("end", () => resolve(text));
          },
        );
        req.on("error", reject);
        req.end();
      });
      assert.equal(body, "hi");
      assert.equal(seen, `127.0.0.2 ${localPort}`);
    } finally {
      await stop(server);
    }
  });

  test("a local address that cannot be bound fails the request", async () => {
    let requests = 0;
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      requests++;
      res.end();
    });
    const port = await listen(server);
    try {
      const err = await new Promise<unknown>((resolve) => {
        const req = request(
          { host: "127.0.0.1", port, localAddress: "192.0.2.1", agent: false },
          () => resolve(null),
        );
        req.on("error", resolve);
        req.end();
      });
      assert.ok(err instanceof Error, "expected an 'error', not a response");
      assert.equal(typeof (err as { code?: unknown }).code, "string");
      assert.equal(requests, 0);
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n8: writing into a connection the peer reset", () => {
  test("the write loop stops: no callback ever reports ERR_STREAM_DESTROYED", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      setImmediate(() => res.destroy());
    });
    const port = await listen(server);
    try {
      const outcome = await new Promise<{ codes: string[]; afterClose: number }>((resolve) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", agent: false });
        const codes: string[] = [];
        let writes = 0;
        let afterClose = 0;
        let closed = false;
        const write = (): void => {
          if (++writes > 20000) return;
          if (closed) afterClose++;
          req.write("chunk", (err?: Error | null) => {
            const code = (err as { code?: string } | null | undefined)?.code;
            if (code) codes.push(code);
            if (code === "ERR_STREAM_DESTROYED") return;
            setImmediate(write);
          });
        };
        req.on("error", (err: Error & { code?: string }) => codes.push(`error ${err.code}`));
        req.on("close", () => {
          closed = true;
          // Give a runaway loop a few turns to show itself.
          setTimeout(() => resolve({ codes, afterClose }), 50);
        });
        write();
      });
      assert.ok(!outcome.codes.includes("ERR_STREAM_DESTROYED"), outcome.codes.join(","));
      assert.equal(outcome.afterClose, 0);
      assert.equal(outcome.codes.filter((c) => c.startsWith("error ")).length, 1);
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n8: a response made for a request inside a domain", () => {
  test("an unlistened 'error' on the response goes to the domain", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.end("body");
    });
    const port = await listen(server);
    try {
      const d = domain.create();
      const caught = await new Promise<unknown>((resolve) => {
        d.on("error", resolve);
        d.run(() => {
          request({ host: "127.0.0.1", port, agent: false }, (res) => {
            res.on("end", () => res.emit("error", new Error("from the response")));
            res.resume();
          }).end();
        });
      });
      assert.ok(caught instanceof Error);
      assert.equal(caught.message, "from the response");
    } finally {
      await stop(server);
    }
  });
});
