/**
 * `socket.parser`, as Node's http sets it: an object while HTTP reads the
 * socket (a server connection, or a client request waiting for its
 * response), `null` once the socket was handed to an 'upgrade' or 'connect'
 * listener, and `null` while a keep-alive socket waits in an Agent's pool.
 * Code that checks whether HTTP still owns a socket reads it. As the parser
 * reads through a 'data' listener on Node, `socket.listenerCount("data")`
 * counts one while it is set.
 *
 * And, as a Node socket holds the event loop only while it reads or writes,
 * an upgraded server socket whose peer has gone (its FIN read, nothing left
 * to send) does not keep the process alive.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Agent, createServer, get, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, runChild, stop } from "./server_util.ts";

/** One GET without an agent; resolves when its response has ended. */
function getOnce(port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    get({ host: "127.0.0.1", port, agent: false }, (res) => {
      res.resume();
      res.on("end", resolve);
    }).on("error", reject);
  });
}

describe("nodecompat n10: socket.parser", () => {
  test("set while a server reads requests; null once 'upgrade' has the socket", async () => {
    const seen: Array<string> = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const p = (req.socket as unknown as { parser: unknown }).parser;
      seen.push(`request:${typeof p}:${p === null}`);
      res.end("ok");
    });
    server.on("upgrade", (_req: IncomingMessage, socket) => {
      seen.push(`upgrade:${(socket as unknown as { parser: unknown }).parser === null}`);
      socket.end("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n");
    });
    const port = await listen(server);
    try {
      await getOnce(port);
      const clientSide = await new Promise<unknown>((resolve, reject) => {
        const req = request({
          host: "127.0.0.1",
          port,
          agent: false,
          headers: { Connection: "Upgrade", Upgrade: "x" },
        });
        req.on("upgrade", (_res, socket) => {
          const p = (socket as unknown as { parser: unknown }).parser;
          socket.destroy();
          resolve(p);
        });
        req.on("error", reject);
        req.end();
      });
      assert.equal(clientSide, null);
      assert.deepEqual(seen, ["request:object:false", "upgrade:true"]);
    } finally {
      await stop(server);
    }
  });

  test("listenerCount('data') counts the parser's reading, as Node's listener", async () => {
    const counts: number[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const sock = req.socket;
      counts.push(sock.listenerCount("data"));
      const mine = () => {};
      sock.on("data", mine);
      counts.push(sock.listenerCount("data"), sock.listenerCount("data", mine));
      sock.off("data", mine);
      counts.push(sock.listenerCount("data"));
      res.end("ok");
    });
    server.on("upgrade", (_req: IncomingMessage, socket) => {
      counts.push(socket.listenerCount("data"));
      socket.destroy();
    });
    const port = await listen(server);
    try {
      await getOnce(port);
      await new Promise<void>((resolve) => {
        const req = request({
          host: "127.0.0.1",
          port,
          agent: false,
          headers: { Connection: "Upgrade", Upgrade: "x" },
        });
        req.on("error", () => resolve());
        req.on("close", () => resolve());
        req.end();
      });
      // The parser's listener, then one more with the user's own; none after 'upgrade'.
      assert.deepEqual(counts, [1, 2, 1, 1, 0]);
    } finally {
      await stop(server);
    }
  });

  test("a client socket has one while its response is read, none while pooled", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.end("pooled");
    });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    try {
      let during: unknown = undefined;
      let sock: { parser: unknown } | null = null;
      await new Promise<void>((resolve, reject) => {
        get({ host: "127.0.0.1", port, agent }, (res) => {
          sock = res.socket as unknown as { parser: unknown };
          during = sock.parser;
          res.resume();
          res.on("end", resolve);
        }).on("error", reject);
      });
      assert.equal(typeof during, "object");
      assert.notEqual(during, null);
      // Once the response ended, the socket goes back to the pool without a parser.
      await new Promise((r) => setTimeout(r, 20));
      const free = Object.values(agent.freeSockets).flat();
      assert.equal(free.length, 1);
      assert.equal(free[0], sock);
      assert.equal((free[0] as unknown as { parser: unknown }).parser, null);
    } finally {
      agent.destroy();
      await stop(server);
    }
  });
});

describe("nodecompat n10: a socket whose peer ended holds no event loop", () => {
  test("the process exits after the upgrading client hangs up", async () => {
    const modUrl =
      new URL(import.meta.url.endsWith(".ts") ? "../mod.ts" : "../mod.js", import.meta.url).href;
    // The server's 'upgrade' listener answers but never ends its socket; the
    // client destroys its side and the server stops listening. Nothing is
    // left to do, so the process must end by itself (as on Node).
    const script = `
      const http = await import(${JSON.stringify(modUrl)});
      const server = http.createServer();
      server.on("upgrade", (_req, socket) => {
        socket.on("end", () => console.log("server socket end"));
        socket.write("HTTP/1.1 101 Switching Protocols\\r\\nConnection: Upgrade\\r\\nUpgrade: x\\r\\n\\r\\n");
      });
      server.listen(0, "127.0.0.1", () => {
        const req = http.get({
          host: "127.0.0.1",
          port: server.address().port,
          headers: { Connection: "Upgrade", Upgrade: "x" },
        });
        req.on("upgrade", (_res, socket) => {
          console.log("client upgraded");
          socket.destroy();
          server.close();
        });
      });
    `;
    const out = await runChild(script, {}, 4000);
    assert.match(out, /client upgraded/);
    assert.match(out, /server socket end/);
  });
});
