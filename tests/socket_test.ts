/**
 * `Socket` (the net.Socket-like Duplex over a Transport): data events, writes
 * with encodings and callbacks, end/close/error events, pause/resume reaching
 * the transport, consumer hand-off (attach/detach) for our Socket and for a
 * foreign Duplex, idle timeouts, cork/uncork coalescing, addresses, and one
 * round trip over the runtime's real sockets.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { PassThrough } from "node:stream";
import type { Transport, TransportHandler, WriteCallback } from "../src/transport/transport.ts";
import { createMemoryPair, type MemoryTransport } from "../src/transport/memory.ts";
import { getRuntime } from "../src/transport/runtime.ts";
import { attachConsumer, detachConsumer, Socket, socketFor, transportOf } from "../src/socket.ts";

const WAIT_MS = 5000;

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Resolve on `event` (first argument), reject after a bound. */
function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(event, on);
      reject(new Error(`timed out waiting for '${event}'`));
    }, WAIT_MS);
    const on = (value: T): void => {
      clearTimeout(timer);
      resolve(value);
    };
    emitter.once(event, on);
  });
}

/** Poll `check` until true (bounded). */
async function until(check: () => boolean, what: string): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}

/** A handler recording what it gets. */
class Recorder implements TransportHandler {
  data: string[] = [];
  ended = false;
  closed = false;
  closeError: Error | null = null;
  drains = 0;
  onData(chunk: Uint8Array): void {
    this.data.push(new TextDecoder().decode(chunk));
  }
  onDrain(): void {
    this.drains++;
  }
  onEnd(): void {
    this.ended = true;
  }
  onClose(error: Error | null): void {
    this.closed = true;
    this.closeError = error;
  }
  text(): string {
    return this.data.join("");
  }
}

/** A Socket over one end of a memory pair; the other end stays a raw transport. */
function pair(options?: { highWaterMark?: number }): {
  socket: Socket;
  peer: MemoryTransport;
  rec: Recorder;
  mine: MemoryTransport;
} {
  const [mine, peer] = createMemoryPair({
    highWaterMark: options?.highWaterMark,
    localPort: 8080,
    remotePort: 50123,
  });
  const rec = new Recorder();
  peer.setHandler(rec);
  const socket = new Socket(mine);
  return { socket, peer, rec, mine };
}

/** Count the writes reaching a transport. */
function spyWrites(t: Transport): Uint8Array[] {
  const seen: Uint8Array[] = [];
  const write = t.write.bind(t);
  t.write = (chunk: Uint8Array, cb?: WriteCallback): boolean => {
    seen.push(chunk.slice());
    return write(chunk, cb);
  };
  return seen;
}

describe("Socket", () => {
  test("data events (Buffers), setEncoding, 'end' then 'close'(false)", async () => {
    const { socket, peer } = pair();
    const got: Buffer[] = [];
    socket.on("data", (c: Buffer) => got.push(c));
    peer.write(bytes("hello "));
    peer.write(bytes("world"));
    await until(() => got.length === 2, "data");
    assert.ok(Buffer.isBuffer(got[0]));
    assert.equal(Buffer.concat(got).toString(), "hello world");
    assert.equal(socket.bytesRead, 11);
    socket.setEncoding("utf8");
    const strings: string[] = [];
    socket.on("data", (c: unknown) => {
      if (typeof c === "string") strings.push(c);
    });
    peer.write(bytes("é"));
    await until(() => strings.length === 1, "string data");
    assert.equal(strings[0], "é");
    const order: string[] = [];
    socket.on("end", () => order.push("end"));
    const closed = once<boolean>(socket, "close");
    peer.end();
    await once(socket, "end");
    socket.end();
    assert.equal(await closed, false);
    assert.deepEqual(order, ["end"]);
    assert.equal(socket.destroyed, true);
    assert.equal(socket.readyState, "closed");
  });

  test("writes: strings with encodings, callbacks, bytesWritten, end → peer onEnd", async () => {
    const { socket, rec } = pair();
    const cbs: (Error | null | undefined)[] = [];
    socket.write("68656c6c6f", "hex", (e) => cbs.push(e));
    socket.write(Buffer.from(" "));
    socket.write(new Uint8Array([0x77, 0x6f]));
    socket.write("cmxk", "base64");
    await until(() => rec.text() === "hello world", "bytes");
    assert.equal(cbs.length, 1);
    assert.equal(cbs[0], null);
    assert.equal(socket.bytesWritten, 11);
    const finished = once(socket, "finish");
    socket.end("!");
    await finished;
    await until(() => rec.ended, "peer end");
    assert.equal(rec.text(), "hello world!");
    socket.destroy();
    await once(socket, "close");
  });

  test("allowHalfOpen false (default): the peer's FIN ends our side too", async () => {
    const { socket, peer, rec } = pair();
    socket.resume();
    peer.end();
    await once(socket, "close");
    assert.equal(rec.ended, true);
  });

  test("allowHalfOpen true: we can still write after the peer's FIN", async () => {
    const [mine, peer] = createMemoryPair();
    const rec = new Recorder();
    peer.setHandler(rec);
    const socket = new Socket(mine, { allowHalfOpen: true });
    socket.resume();
    peer.end();
    await once(socket, "end");
    assert.equal(socket.readyState, "writeOnly");
    socket.end("late reply");
    await once(socket, "close");
    assert.equal(rec.text(), "late reply");
  });

  test("destroy(error) → 'error' then 'close'(true); the peer sees the FIN", async () => {
    const { socket, rec } = pair();
    const order: string[] = [];
    socket.on("error", (e: Error) => order.push(`error:${e.message}`));
    const closed = new Promise<boolean>((r) => socket.on("close", (h: boolean) => r(h)));
    socket.destroy(new Error("boom"));
    assert.equal(await closed, true);
    order.push("close");
    assert.deepEqual(order, ["error:boom", "close"]);
    await until(() => rec.ended, "peer FIN");
  });

  test("a transport error becomes 'error' + 'close'(true)", async () => {
    const { socket, peer } = pair();
    socket.pause();
    socket.write("unread by the peer");
    peer.pause();
    await delay(5);
    const err = once<Error>(socket, "error");
    const closed = once<boolean>(socket, "close");
    peer.destroy(); // the peer had unread bytes: a reset
    assert.equal(((await err) as Error & { code?: string }).code, "ECONNRESET");
    assert.equal(await closed, true);
  });

  test("pause()/resume() reach the transport", async () => {
    const { socket, peer } = pair();
    const got: string[] = [];
    socket.on("data", (c: Buffer) => got.push(c.toString()));
    socket.pause();
    peer.write(bytes("waits"));
    await delay(10);
    assert.deepEqual(got, []);
    assert.equal(peer.writableLength, 5, "the bytes wait on the peer's side: transport paused");
    socket.resume();
    await until(() => got.length === 1, "data after resume");
    assert.equal(got[0], "waits");
    socket.destroy();
  });

  test("a full readable buffer pauses the transport; reading resumes it", async () => {
    const [mine, peer] = createMemoryPair();
    peer.setHandler(new Recorder());
    const socket = new Socket(mine, { readableHighWaterMark: 16 });
    peer.write(new Uint8Array(32));
    await delay(5);
    peer.write(new Uint8Array(8));
    await delay(5);
    assert.equal(peer.writableLength, 8, "transport not paused by a full buffer");
    let total = 0;
    socket.on("data", (c: Buffer) => total += c.byteLength);
    await until(() => total === 40, "all data");
    socket.destroy();
  });

  test("write() backpressure: false past the high-water mark, 'drain' later", async () => {
    const [mine, peer] = createMemoryPair({ highWaterMark: 1024 });
    const rec = new Recorder();
    peer.setHandler(rec);
    peer.pause();
    const socket = new Socket(mine, { writableHighWaterMark: 1024 });
    let ok = true;
    let n = 0;
    while (ok && n < 100) {
      ok = socket.write(new Uint8Array(512));
      n++;
    }
    assert.equal(ok, false);
    assert.ok(socket.writableLength >= 1024);
    assert.equal(socket.bufferSize, socket.writableLength);
    const drained = once(socket, "drain");
    peer.resume();
    await drained;
    await until(() => rec.data.length > 0 && socket.writableLength === 0, "flushed");
    socket.destroy();
  });

  test("cork()/uncork() coalesce into one transport write", async () => {
    const { socket, rec, mine } = pair();
    const writes = spyWrites(mine);
    socket.cork();
    socket.write("a");
    socket.write("bb");
    socket.write(Buffer.from("ccc"));
    assert.equal(writes.length, 0);
    socket.uncork();
    assert.equal(writes.length, 1);
    assert.equal(new TextDecoder().decode(writes[0]), "abbccc");
    await until(() => rec.text() === "abbccc", "delivery");
    socket.destroy();
  });

  test("addresses, address(), readyState, connecting/pending, ref/unref", () => {
    const { socket } = pair();
    assert.equal(socket.remoteAddress, "127.0.0.1");
    assert.equal(socket.remotePort, 50123);
    assert.equal(socket.remoteFamily, "IPv4");
    assert.equal(socket.localAddress, "127.0.0.1");
    assert.equal(socket.localPort, 8080);
    assert.deepEqual(socket.address(), { address: "127.0.0.1", family: "IPv4", port: 8080 });
    assert.equal(socket.readyState, "open");
    assert.equal(socket.connecting, false);
    assert.equal(socket.pending, false);
    assert.equal(socket.timeout, undefined);
    assert.equal(socket.ref(), socket);
    assert.equal(socket.unref(), socket);
    assert.equal(socket.setNoDelay(), socket);
    assert.equal(socket.setKeepAlive(true, 1000), socket);
    socket.destroy();
    const [u] = createMemoryPair({ unix: true });
    const unix = socketFor(u);
    assert.deepEqual(unix.address(), {});
    assert.equal(unix.remoteAddress, undefined);
    assert.equal(transportOf(unix), u);
    unix.destroy();
  });

  test("setTimeout: fires on idle, not while traffic flows; 0 disables; bad args throw", async () => {
    const { socket, peer } = pair();
    socket.resume();
    assert.throws(() => socket.setTimeout(-1), {
      code: "ERR_OUT_OF_RANGE",
      name: "RangeError",
      message:
        'The value of "msecs" is out of range. It must be a non-negative finite number. Received -1',
    });
    assert.throws(() => socket.setTimeout("1" as unknown as number), {
      code: "ERR_INVALID_ARG_TYPE",
      name: "TypeError",
      message: `The "msecs" argument must be of type number. Received type string ('1')`,
    });
    assert.throws(() => socket.setTimeout(1, "x" as unknown as () => void), {
      code: "ERR_INVALID_ARG_TYPE",
      message: `The "callback" argument must be of type function. Received type string ('x')`,
    });
    let fired = 0;
    const cb = (): void => {
      fired++;
    };
    assert.equal(socket.setTimeout(80, cb), socket);
    assert.equal(socket.timeout, 80);
    // Traffic every 10 ms for 200 ms: no timeout.
    for (let i = 0; i < 20; i++) {
      peer.write(bytes("x"));
      await delay(10);
    }
    assert.equal(fired, 0, "fired while data flowed");
    // Writes count too.
    for (let i = 0; i < 10; i++) {
      socket.write("y");
      await delay(10);
    }
    assert.equal(fired, 0, "fired while writing");
    await until(() => fired === 1, "timeout on idle");
    await delay(200);
    assert.equal(fired, 1, "the once-listener ran again");
    // A new idle period after activity fires 'timeout' again.
    let events = 0;
    socket.on("timeout", () => events++);
    peer.write(bytes("wake"));
    await until(() => events === 1, "second timeout");
    socket.setTimeout(0);
    assert.equal(socket.timeout, 0);
    peer.write(bytes("z"));
    await delay(200);
    assert.equal(events, 1, "timeout after setTimeout(0)");
    socket.destroy();
  });

  test("setTimeout(0, cb) removes cb; destroy clears the timer", async () => {
    const { socket } = pair();
    let fired = 0;
    const cb = (): void => {
      fired++;
    };
    socket.setTimeout(20, cb);
    socket.setTimeout(0, cb);
    assert.equal(socket.listenerCount("timeout"), 0);
    socket.setTimeout(20);
    socket.on("timeout", cb);
    socket.destroy();
    await delay(60);
    assert.equal(fired, 0);
  });

  test("destroySoon ends, then destroys after 'finish'", async () => {
    const { socket, rec } = pair();
    socket.write("bye");
    socket.destroySoon();
    await once(socket, "close");
    assert.equal(rec.text(), "bye");
    assert.equal(rec.ended, true);
  });
});

describe("consumer hand-off", () => {
  test("attachConsumer: bytes go to the consumer, socket events keep working", async () => {
    const { socket, peer, rec } = pair();
    const userData: Buffer[] = [];
    socket.on("data", (c: Buffer) => userData.push(c));
    const consumer = new Recorder();
    const t = attachConsumer(socket, consumer);
    assert.equal(t, transportOf(socket));
    assert.equal(socket.consumer, consumer);
    peer.write(bytes("GET / HTTP/1.1\r\n\r\n"));
    await until(() => consumer.text().length === 18, "consumer data");
    // As Node's (the parser is "unconsumed"), a user's 'data' listener sees the bytes too.
    await until(() => Buffer.concat(userData).length === 18, "user data");
    assert.equal(Buffer.concat(userData).toString("latin1"), "GET / HTTP/1.1\r\n\r\n");
    // The HTTP layer writes the transport directly; users may write the socket.
    t.write(bytes("HTTP/1.1 200 OK\r\n"));
    socket.write("X-User: 1\r\n");
    await until(() => rec.text() === "HTTP/1.1 200 OK\r\nX-User: 1\r\n", "both writes");
    assert.equal(socket.bytesRead, 18);
    // close reaches the consumer and the user's listener.
    const closed = once<boolean>(socket, "close");
    peer.end();
    await until(() => consumer.ended, "consumer end");
    assert.equal(socket.readableEnded, false, "the readable side ended while consumed");
    t.end();
    assert.equal(await closed, false);
    assert.equal(consumer.closed, true);
  });

  test("transport errors while consumed go to the consumer, not to an unhandled 'error'", async () => {
    const { socket, peer } = pair();
    const consumer = new Recorder();
    const t = attachConsumer(socket, consumer);
    t.write(bytes("unread"));
    peer.pause();
    await delay(5);
    const closed = once<boolean>(socket, "close");
    peer.destroy();
    assert.equal(await closed, true);
    assert.equal((consumer.closeError as { code?: string }).code, "ECONNRESET");
  });

  test("detachConsumer: data flows to the Readable side again", async () => {
    const { socket, peer } = pair();
    const consumer = new Recorder();
    attachConsumer(socket, consumer);
    peer.write(bytes("for http"));
    await until(() => consumer.text() === "for http", "consumed");
    detachConsumer(socket);
    assert.equal(socket.consumer, null);
    peer.write(bytes("for the user"));
    await delay(5);
    const got = await new Promise<string>((resolve) => {
      socket.once("data", (c: Buffer) => resolve(c.toString()));
    });
    assert.equal(got, "for the user");
    assert.equal(consumer.text(), "for http");
    const ended = once(socket, "end");
    peer.end();
    await ended;
    socket.destroy();
  });

  test("bytes the socket buffered before attach reach the consumer first", async () => {
    const { socket, peer } = pair();
    peer.write(bytes("early "));
    await delay(5);
    assert.equal(socket.readableLength, 6);
    const consumer = new Recorder();
    attachConsumer(socket, consumer);
    peer.write(bytes("late"));
    await until(() => consumer.text() === "early late", "ordered delivery");
    socket.destroy();
  });

  test("a detached socket that had hit EOF while consumed emits 'end'", async () => {
    const { socket, peer } = pair();
    const consumer = new Recorder();
    attachConsumer(socket, consumer);
    peer.end();
    await until(() => consumer.ended, "consumer end");
    detachConsumer(socket);
    socket.resume();
    await once(socket, "end");
    socket.destroy();
  });

  test("the idle timeout counts bytes the consumer moves on the transport directly", async () => {
    const { socket, peer } = pair();
    const consumer = new Recorder();
    const t = attachConsumer(socket, consumer);
    let fired = 0;
    socket.setTimeout(300, () => fired++);
    for (let i = 0; i < 10; i++) {
      t.write(bytes("w"));
      await delay(10);
    }
    for (let i = 0; i < 10; i++) {
      peer.write(bytes("r"));
      await delay(10);
    }
    assert.equal(fired, 0, "fired while the consumer moved bytes");
    assert.equal(consumer.text(), "rrrrrrrrrr");
    await until(() => fired === 1, "idle timeout");
    socket.destroy();
  });

  test("a foreign Duplex gets a cached DuplexTransport; detach restores it", async () => {
    const d = new PassThrough();
    const consumer = new Recorder();
    const t1 = attachConsumer(d, consumer);
    const t2 = attachConsumer(d, consumer);
    assert.equal(t1, t2);
    t1.write(bytes("loop")); // a PassThrough echoes to itself
    await until(() => consumer.text() === "loop", "echo");
    detachConsumer(d);
    assert.equal(d.listenerCount("data"), 0);
    const again = new Recorder();
    assert.equal(attachConsumer(d, again), t1);
    d.write("more");
    await until(() => again.text() === "more", "reattached");
    assert.equal(consumer.text(), "loop");
    d.destroy();
  });
});

describe("Socket over the runtime's sockets", () => {
  test("echo round trip with 'connect', 'ready' and addresses", async () => {
    const rt = getRuntime();
    const serverSockets: Socket[] = [];
    const cleanup: (() => void)[] = [];
    const listening = new Promise<number>((resolve, reject) => {
      const srv = rt.listen({ port: 0, host: "127.0.0.1" }, {
        onConnection(t) {
          const s = new Socket(t, { allowHalfOpen: true });
          serverSockets.push(s);
          s.on("data", (c: Buffer) => s.write(c));
          s.on("end", () => s.end());
        },
        onListening() {
          const a = srv.address();
          resolve(typeof a === "object" && a ? a.port : 0);
        },
        onError: reject,
      });
      cleanup.push(() => srv.close());
    });
    try {
      const port = await listening;
      const noop = (): void => {};
      const t = rt.connect({ host: "127.0.0.1", port }, {
        onData: noop,
        onDrain: noop,
        onEnd: noop,
        onClose: noop,
      });
      const client = new Socket(t);
      assert.equal(client.connecting, true);
      assert.equal(client.readyState, "opening");
      const events: string[] = [];
      client.on("connect", () => events.push("connect"));
      client.on("ready", () => events.push("ready"));
      client.write("echo me");
      await once(client, "ready");
      assert.deepEqual(events, ["connect", "ready"]);
      assert.equal(client.remotePort, port);
      assert.equal(client.remoteAddress, "127.0.0.1");
      const chunks: Buffer[] = [];
      client.on("data", (c: Buffer) => chunks.push(c));
      const closed = once<boolean>(client, "close");
      client.end();
      assert.equal(await closed, false);
      assert.equal(Buffer.concat(chunks).toString(), "echo me");
      await until(() => serverSockets.length === 1 && serverSockets[0].destroyed, "server side");
    } finally {
      for (const f of cleanup) f();
      for (const s of serverSockets) s.destroy();
    }
  });
});
