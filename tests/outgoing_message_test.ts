import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Duplex } from "node:stream";
import { OutgoingMessage } from "../src/outgoing_message.ts";
import type { Transport, TransportHandler, WriteCallback } from "../src/transport/transport.ts";

/** A transport that records each write as one string. */
class RecordingTransport implements Transport {
  writes: string[] = [];
  full = false;
  destroyed = false;
  connecting = false;
  writableLength = 0;
  writableNeedDrain = false;
  bytesRead = 0;
  bytesWritten = 0;
  remoteAddress = undefined;
  remotePort = undefined;
  remoteFamily = undefined;
  localAddress = undefined;
  localPort = undefined;
  setHandler(_h: TransportHandler): void {}
  write(chunk: Uint8Array, cb?: WriteCallback): boolean {
    this.writes.push(Buffer.from(chunk).toString("latin1"));
    this.bytesWritten += chunk.byteLength;
    if (cb) queueMicrotask(() => cb(null));
    return !this.full;
  }
  end(cb?: () => void): void {
    cb?.();
  }
  destroy(): void {
    this.destroyed = true;
  }
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
  setKeepAlive(): void {}
  ref(): void {}
  unref(): void {}
}

/** A minimal request-like subclass, as ClientRequest would be. */
class TestRequest extends OutgoingMessage {
  override _implicitHeader(): void {
    this._storeHeader("POST /x HTTP/1.1\r\n", this._outHeaders);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const dummySocket = () =>
  new Duplex({
    read() {},
    write(_c, _e, cb) {
      cb();
    },
  });

describe("OutgoingMessage", () => {
  test("header store: casing, arrays, append, remove, errors", () => {
    const m = new TestRequest();
    m.setHeader("Content-Type", "text/plain");
    m.setHeader("X-List", ["a", "b"]);
    m.appendHeader("x-list", "c");
    m.appendHeader("X-Fresh", "1");
    assert.deepEqual(m.getHeaderNames(), ["content-type", "x-list", "x-fresh"]);
    assert.deepEqual(m.getRawHeaderNames(), ["Content-Type", "X-List", "X-Fresh"]);
    assert.deepEqual(m.getHeader("X-LIST"), ["a", "b", "c"]);
    assert.equal(m.hasHeader("content-TYPE"), true);
    m.removeHeader("Content-Type");
    assert.equal(m.hasHeader("content-type"), false);
    assert.equal(m.getHeader("nope"), undefined);
    assert.throws(() => m.setHeader("bad name", "1"), {
      code: "ERR_INVALID_HTTP_TOKEN",
      message: 'Header name must be a valid HTTP token ["bad name"]',
    });
    assert.throws(() => m.setHeader("x", undefined as unknown as string), {
      code: "ERR_HTTP_INVALID_HEADER_VALUE",
    });
    assert.throws(() => m.setHeader("x", "a\nb"), { code: "ERR_INVALID_CHAR" });
    assert.throws(() => m.getHeader(1 as unknown as string), { code: "ERR_INVALID_ARG_TYPE" });
    m.setHeaders(new Map<string, string | string[]>([["x-map", "1"], ["set-cookie", ["a", "b"]]]));
    assert.deepEqual(m.getHeader("set-cookie"), ["a", "b"]);
    assert.throws(() => m.setHeaders([] as unknown as Map<string, string>), {
      code: "ERR_INVALID_ARG_TYPE",
    });
  });

  test("writes before a transport are queued, then flushed in one write on attach", async () => {
    const m = new TestRequest();
    const pending: number[] = [];
    let finishedFirst = false;
    m._owner = {
      pendingData: (d) => pending.push(d),
      messageFinished: (msg) => {
        assert.equal(msg, m);
        finishedFirst = !finished;
      },
    };
    m.setHeader("Host", "h");
    assert.equal(m.write("hello"), true);
    m.end("!");
    assert.equal(m.headersSent, true);
    assert.ok(m.outputSize > 0);
    const t = new RecordingTransport();
    let finished = false;
    m.on("finish", () => finished = true);
    m._attach(dummySocket(), t);
    assert.equal(t.writes.length, 1);
    assert.equal(
      t.writes[0],
      "POST /x HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n",
    );
    assert.equal(pending.reduce((a, b) => a + b, 0), 0, "pending data accounted back to zero");
    await tick();
    assert.equal(finished, true);
    assert.equal(finishedFirst, true, "the owner hears of the finish before 'finish' listeners");
    assert.equal(m.writableFinished, true);
  });

  test("end(data) before the head: head + body in ONE transport write, Content-Length", async () => {
    const m = new TestRequest();
    const t = new RecordingTransport();
    m._attach(dummySocket(), t);
    m.end("héllo");
    await tick();
    assert.equal(t.writes.length, 1);
    assert.equal(
      t.writes[0],
      "POST /x HTTP/1.1\r\nConnection: keep-alive\r\nContent-Length: 6\r\n\r\n" +
        Buffer.from("héllo").toString("latin1"),
    );
  });

  test("writes in one tick are coalesced; cork/uncork too", async () => {
    const m = new TestRequest();
    const t = new RecordingTransport();
    m._attach(dummySocket(), t);
    m.write("a");
    m.write("b");
    assert.equal(t.writes.length, 0);
    await tick();
    assert.equal(t.writes.length, 1);
    assert.ok(t.writes[0].endsWith("1\r\na\r\n1\r\nb\r\n"));
    m.cork();
    m.write("c");
    await tick();
    assert.equal(t.writes.length, 1, "corked: nothing written");
    assert.equal(m.writableCorked, 1);
    m.uncork();
    assert.equal(t.writes.length, 2);
    assert.equal(t.writes[1], "1\r\nc\r\n");
    m.addTrailers({ "X-T": "1" });
    m.end();
    assert.equal(t.writes[2], "0\r\nX-T: 1\r\n\r\n");
  });

  test("transport backpressure: false → 'drain' after _onDrain", async () => {
    const m = new TestRequest();
    const t = new RecordingTransport();
    m._attach(dummySocket(), t);
    m.flushHeaders();
    await tick();
    t.full = true;
    const big = Buffer.alloc(70000);
    assert.equal(m.write(big), false);
    assert.equal(m.writableNeedDrain, true);
    let drained = 0;
    m.on("drain", () => drained++);
    await tick();
    assert.equal(drained, 0);
    t.full = false;
    m._onDrain();
    assert.equal(drained, 1);
    assert.equal(m.writableNeedDrain, false);
  });

  test("errors: null chunk, bad type, write after end, destroyed", async () => {
    const m = new TestRequest();
    assert.throws(() => m.write(null as unknown as string), { code: "ERR_STREAM_NULL_VALUES" });
    assert.throws(() => m.write(5 as unknown as string), { code: "ERR_INVALID_ARG_TYPE" });
    m.end();
    let err: (Error & { code?: string }) | null = null;
    let cbErr: (Error & { code?: string }) | null | undefined = null;
    m.on("error", (e: Error) => err = e);
    assert.equal(m.write("x", (e) => cbErr = e), false);
    await tick();
    assert.equal(err!.code, "ERR_STREAM_WRITE_AFTER_END");
    assert.equal(cbErr!.code, "ERR_STREAM_WRITE_AFTER_END");
    assert.throws(() => m.setHeader("a", "b"), { code: "ERR_HTTP_HEADERS_SENT" });
    const d = new TestRequest();
    d.destroy();
    let dErr: (Error & { code?: string }) | null | undefined = null;
    d.write("x", (e) => dErr = e);
    await tick();
    assert.equal(dErr!.code, "ERR_STREAM_DESTROYED");
    assert.throws(() => new OutgoingMessage().end(), { code: "ERR_METHOD_NOT_IMPLEMENTED" });
  });

  test("trailers without chunked encoding: ERR_HTTP_TRAILER_INVALID", () => {
    const m = new TestRequest();
    m.setHeader("Content-Length", "1");
    m.setHeader("Trailer", "X");
    assert.throws(() => m.flushHeaders(), { code: "ERR_HTTP_TRAILER_INVALID" });
  });
});
