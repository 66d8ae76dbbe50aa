/**
 * Node's docs promise that the sockets the http module hands out are
 * instances of `net.Socket`: anyhttp's own sockets answer `instanceof
 * net.Socket` (and still `instanceof stream.Duplex`), on every runtime, while
 * every other `instanceof net.Socket` answers as before.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Duplex, PassThrough } from "node:stream";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, stop } from "./server_util.ts";

describe("sockets are instances of net.Socket", () => {
  test("server: req.socket, res.socket, 'connection'; client: req.socket", async () => {
    const seen: boolean[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(req.socket instanceof net.Socket, res.socket instanceof net.Socket);
      seen.push(req.socket instanceof Duplex);
      res.end("ok");
    });
    server.on("connection", (s: unknown) => seen.push(s instanceof net.Socket));
    const port = await listen(server);
    await new Promise<void>((resolve, reject) => {
      const req = request({ port, host: "127.0.0.1", agent: false }, (res) => {
        seen.push(res.socket instanceof net.Socket);
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("socket", (s: unknown) => seen.push(s instanceof net.Socket));
      req.on("error", reject);
      req.end();
    });
    await stop(server);
    assert.deepEqual(seen, [true, true, true, true, true, true]);
  });

  test("other objects answer as before", () => {
    assert.equal(new PassThrough() instanceof net.Socket, false);
    assert.equal({} instanceof net.Socket, false);
    assert.equal((null as unknown) instanceof net.Socket, false);
    const real = new net.Socket();
    assert.equal(real instanceof net.Socket, true);
    real.destroy();
  });
});
