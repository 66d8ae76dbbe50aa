import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Duplex, Readable } from "node:stream";
import { IncomingMessage } from "../src/incoming_message.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("IncomingMessage", () => {
  test("is a Readable with Node's initial fields", () => {
    const m = new IncomingMessage(null);
    assert.ok(m instanceof Readable);
    assert.equal(m.httpVersion, null);
    assert.equal(m.method, null);
    assert.equal(m.url, "");
    assert.equal(m.statusCode, null);
    assert.equal(m.statusMessage, null);
    assert.equal(m.complete, false);
    assert.equal(m.aborted, false);
    assert.deepEqual(m.rawHeaders, []);
    assert.deepEqual(m.headers, {});
  });

  test("headers are built lazily from rawHeaders with Node's join rules", () => {
    const m = new IncomingMessage(null);
    m.rawHeaders = [
      "Host",
      "a",
      "host",
      "b",
      "Set-Cookie",
      "1",
      "set-cookie",
      "2",
      "Cookie",
      "x=1",
      "cookie",
      "y=2",
      "X-Custom",
      "p",
      "x-custom",
      "q",
    ];
    assert.deepEqual({ ...m.headers }, {
      host: "a",
      "set-cookie": ["1", "2"],
      cookie: "x=1; y=2",
      "x-custom": "p, q",
    });
    assert.deepEqual({ ...m.headersDistinct }, {
      host: ["a", "b"],
      "set-cookie": ["1", "2"],
      cookie: ["x=1", "y=2"],
      "x-custom": ["p", "q"],
    });
    m.headers = { replaced: "yes" };
    assert.deepEqual(m.headers, { replaced: "yes" });
    const j = new IncomingMessage(null);
    j.joinDuplicateHeaders = true;
    j.rawHeaders = ["Host", "a", "host", "b"];
    assert.deepEqual({ ...j.headers }, { host: "a, b" });
  });

  test("body flows; trailers after completion", async () => {
    const m = new IncomingMessage(null);
    const chunks: string[] = [];
    m.on("data", (c: Buffer) => chunks.push(c.toString()));
    const ended = new Promise((r) => m.on("end", r));
    m.push(Buffer.from("ab"));
    m.push(Buffer.from("cd"));
    m.complete = true;
    m._addHeaderLines(["X-T", "1"], 2);
    m.push(null);
    await ended;
    assert.deepEqual(chunks, ["ab", "cd"]);
    assert.deepEqual({ ...m.trailers }, { "x-t": "1" });
    assert.deepEqual(m.rawTrailers, ["X-T", "1"]);
  });

  test("_read asks the connection for more", async () => {
    const m = new IncomingMessage(null);
    let asked = 0;
    m._reader = { readRequested: () => asked++ };
    m.resume();
    await tick();
    assert.ok(asked > 0);
    assert.equal(m._consuming, true);
  });

  test("destroy mid-body: 'aborted', socket destroyed, 'close'", async () => {
    const socket = new Duplex({
      read() {},
      write(_c, _e, cb) {
        cb();
      },
    });
    const m = new IncomingMessage(socket);
    assert.equal(m.socket, socket);
    assert.equal(m.connection, socket);
    const events: string[] = [];
    m.on("aborted", () => events.push("aborted"));
    m.on("close", () => events.push("close"));
    m.destroy(new Error("gone"));
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(m.aborted, true);
    assert.equal(socket.destroyed, true);
    assert.deepEqual(events, ["aborted", "close"]);
  });

  test("destroy after completion is not an abort", async () => {
    const m = new IncomingMessage(null);
    let aborted = false;
    m.on("aborted", () => aborted = true);
    m.resume();
    m.complete = true;
    m.push(null);
    await new Promise((r) => m.on("end", r));
    m.destroy();
    await tick();
    assert.equal(aborted, false);
    assert.equal(m.aborted, false);
  });

  test("a body ended before anyone read it is read as ended, empty", async () => {
    const m = new IncomingMessage(null);
    m.complete = true;
    m._pushEnd();
    const chunks: unknown[] = [];
    m.on("data", (c) => chunks.push(c));
    await new Promise((r) => m.on("end", r));
    assert.deepEqual(chunks, []);
    assert.equal(m.readableEnded, true);
  });

  test("a dumped, ended message that is read later ends at once and is destroyed", async () => {
    const m = new IncomingMessage(null);
    m.complete = true;
    m._pushEnd();
    m._dump();
    assert.equal(m._dumped, true);
    const got: unknown[] = [];
    for await (const c of m) got.push(c);
    assert.deepEqual(got, []);
    await tick();
    assert.equal(m.readableEnded, true);
    assert.equal(m.destroyed, true);
  });

  test("the stream state is made for a pipe, a listener or a property read", () => {
    for (
      const touch of [
        (m: IncomingMessage) => m.readableFlowing,
        (m: IncomingMessage) => m.on("close", () => {}),
        (m: IncomingMessage) => m.isPaused(),
      ]
    ) {
      const m = new IncomingMessage(null);
      touch(m);
      assert.equal(m._hasState, true);
      // The runtime's default (16 KiB on Node 20, 64 KiB on newer streams).
      assert.equal(m.readableHighWaterMark, new Readable().readableHighWaterMark);
    }
    const hwm = new IncomingMessage(
      new Duplex({
        readableHighWaterMark: 1024,
        read() {},
        write(_c, _e, cb) {
          cb();
        },
      }),
    );
    assert.equal(hwm.readableHighWaterMark, 1024, "the socket's readable high-water mark");
  });
});
