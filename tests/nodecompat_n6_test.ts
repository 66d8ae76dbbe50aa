/**
 * Behaviours found by running Node's own http tests (outgoing / multiple and
 * mutable headers / nodelay areas) through anyhttp: `headersDistinct` and
 * `trailersDistinct` are null-prototype objects as in Node, and an http.Server
 * exposes net.Server's `noDelay` (default true) and `keepAlive` (default false)
 * properties; with `captureRejections`, an async listener of an outgoing message
 * that rejects destroys the message with that error.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { createServer, OutgoingMessage, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, stop } from "./server_util.ts";

describe("nodecompat n6: headersDistinct / trailersDistinct", () => {
  test("both are null-prototype maps of name to every value, on server and client", async () => {
    const seen: unknown[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => {
        seen.push(Object.getPrototypeOf(req.headersDistinct));
        seen.push(req.headersDistinct["x-dup"]);
        seen.push(Object.getPrototypeOf(req.trailersDistinct));
        seen.push(req.trailersDistinct["x-tr"]);
        res.setHeader("X-Back", ["one", "two"]);
        res.addTrailers({ "X-Tail": "t" });
        res.write("ok");
        res.end();
      });
    });
    const port = await listen(server);
    try {
      const client = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request({ port, method: "POST", agent: false }, (res: IncomingMessage) => {
          res.resume();
          res.on("end", () => resolve(res));
        });
        req.on("error", reject);
        req.setHeader("X-Dup", ["a", "b"]);
        req.addTrailers({ "X-Tr": "z" });
        req.write("body"); // chunked, so the trailer is sent
        req.end();
      });
      assert.deepEqual(seen, [null, ["a", "b"], null, ["z"]]);
      assert.equal(Object.getPrototypeOf(client.headersDistinct), null);
      assert.deepEqual(client.headersDistinct["x-back"], ["one", "two"]);
      assert.equal(Object.getPrototypeOf(client.trailersDistinct), null);
      assert.deepEqual(client.trailersDistinct["x-tail"], ["t"]);
      assert.equal("toString" in client.headersDistinct, false);
    } finally {
      await stop(server);
    }
  });
});

describe("nodecompat n6: server.noDelay / server.keepAlive", () => {
  test("defaults follow net.Server under http (noDelay true, keepAlive false)", () => {
    const server = createServer();
    assert.equal(server.noDelay, true);
    assert.equal(server.keepAlive, false);
  });

  test("options are reflected and the properties are writable", () => {
    const server = createServer({ noDelay: false, keepAlive: true });
    assert.equal(server.noDelay, false);
    assert.equal(server.keepAlive, true);
    server.noDelay = true;
    server.keepAlive = false;
    assert.equal(server.noDelay, true);
    assert.equal(server.keepAlive, false);
  });
});

describe("nodecompat n6: captureRejections on outgoing messages", () => {
  test("a rejecting async listener destroys the request with its error", async () => {
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => res.end("late"));
    });
    const port = await listen(server);
    const saved = EventEmitter.captureRejections;
    try {
      EventEmitter.captureRejections = true;
      const req = request({ port, method: "POST", agent: false });
      EventEmitter.captureRejections = saved;
      const boom = new Error("kaboom");
      const got = await new Promise<unknown>((resolve) => {
        req.on("error", resolve);
        req.on("response", () => resolve("unexpected response"));
        req.on("poke", async () => {
          await null;
          throw boom;
        });
        req.emit("poke");
      });
      assert.equal(got, boom);
      assert.equal(req.destroyed, true);
    } finally {
      EventEmitter.captureRejections = saved;
      await stop(server);
    }
  });

  test("a bare OutgoingMessage is destroyed too", async () => {
    const saved = EventEmitter.captureRejections;
    let msg: OutgoingMessage;
    try {
      EventEmitter.captureRejections = true;
      msg = new OutgoingMessage();
    } finally {
      EventEmitter.captureRejections = saved;
    }
    msg.on("poke", () => Promise.reject(new Error("no")));
    msg.emit("poke");
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(msg.destroyed, true);
  });
});
