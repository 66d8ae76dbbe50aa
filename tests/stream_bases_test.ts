import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { Readable, Stream } from "node:stream";
import { IncomingMessage } from "../src/incoming_message.ts";
import { ServerResponse } from "../src/server_response.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("per-request objects are the runtime's streams, set up lightly", () => {
  test("instanceof, and every event API works on the fresh objects", () => {
    const req = new IncomingMessage(null);
    const res = new ServerResponse(req);
    assert.ok(req instanceof Readable && req instanceof Stream && req instanceof EventEmitter);
    assert.ok(res instanceof Stream && res instanceof EventEmitter);
    for (const e of [req, res] as EventEmitter[]) {
      assert.deepEqual(e.eventNames(), []);
      assert.equal(e.listenerCount("toString"), 0, "no inherited keys in the listener store");
      assert.equal(e.emit("constructor"), false);
      assert.equal(e.getMaxListeners(), EventEmitter.defaultMaxListeners);
      const seen: string[] = [];
      const f = (v: string) => seen.push(v);
      e.on("toString", f);
      e.once("x", f);
      e.prependListener("toString", (v: string) => seen.push("first " + v));
      e.emit("toString", "a");
      e.emit("x", "b");
      e.emit("x", "c");
      assert.deepEqual(seen, ["first a", "a", "b"]);
      assert.deepEqual(e.eventNames(), ["toString"]);
      e.removeAllListeners();
      assert.deepEqual(e.eventNames(), []);
      assert.throws(() => e.emit("error", new Error("boom")), /boom/);
    }
  });

  test("EventEmitter.captureRejections reaches the objects made while it is on", async () => {
    const before = EventEmitter.captureRejections;
    EventEmitter.captureRejections = true;
    try {
      const res = new ServerResponse(new IncomingMessage(null));
      let destroyedWith: Error | undefined;
      res.destroy = (err?: Error) => {
        destroyedWith = err;
        return res;
      };
      // deno-lint-ignore require-await -- the listener must return a rejected promise
      res.on("drain", async () => {
        throw new Error("async listener failed");
      });
      res.emit("drain");
      await tick();
      await tick();
      assert.equal(destroyedWith?.message, "async listener failed");
    } finally {
      EventEmitter.captureRejections = before;
    }
  });

  test("messages made inside a domain are bound to it", async () => {
    const domain = await import("node:domain");
    const d = domain.create();
    let req: IncomingMessage | null = null;
    let res: ServerResponse | null = null;
    let plain: EventEmitter | null = null;
    d.run(() => {
      plain = new EventEmitter();
      req = new IncomingMessage(null);
      res = new ServerResponse(req);
    });
    // As the runtime's own emitters are (Bun's domain module binds none).
    const expected = (plain as unknown as { domain?: unknown }).domain;
    assert.equal((req as unknown as { domain?: unknown }).domain, expected);
    assert.equal((res as unknown as { domain?: unknown }).domain, expected);
    d.exit();
  });
  test("the readable state, made on first use or assigned, is an own plain data property", async () => {
    const dataProp = (o: object) => {
      const d = Object.getOwnPropertyDescriptor(o, "_readableState");
      assert.ok(d, "own property");
      assert.equal(typeof d.get, "undefined");
      assert.equal(d.writable && d.enumerable && d.configurable, true);
      return d.value;
    };
    const req = new IncomingMessage(null);
    assert.equal(Object.getOwnPropertyDescriptor(req, "_readableState"), undefined);
    const state = (req as unknown as { _readableState: object })._readableState;
    assert.equal(dataProp(req), state);
    assert.ok(Object.keys(req).includes("_readableState"));
    req.push("abc");
    req.push(null);
    const chunks: string[] = [];
    for await (const c of req) chunks.push(String(c));
    assert.deepEqual(chunks, ["abc"]);

    const other = new IncomingMessage(null);
    const mine = { mine: true };
    (other as unknown as { _readableState: object })._readableState = mine;
    assert.equal(dataProp(other), mine);
    // Neither object's property leaked to the other or to the prototype.
    assert.equal(dataProp(req), state);
    assert.equal(
      Object.getOwnPropertyDescriptor(new IncomingMessage(null), "_readableState"),
      undefined,
    );
  });
});
