/**
 * Transports over real loopback sockets (the runtime's own adapter, plus
 * node:net) and in memory, with one suite run against each `Runtime`: echo,
 * 1 MiB both ways with backpressure, half-close, destroy, pause/resume, unix
 * sockets, EADDRINUSE/ECONNREFUSED, addresses, chunk ownership. Then
 * `DuplexTransport` over a PassThrough pair and `createMemoryPair` specifics.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Duplex, PassThrough } from "node:stream";
import { Buffer } from "node:buffer";
import type {
  Runtime,
  Transport,
  TransportHandler,
  TransportServer,
} from "../src/transport/transport.ts";
import { nodeNetRuntime } from "../src/transport/node_net.ts";
import { denoRuntime } from "../src/transport/deno.ts";
import { bunRuntime } from "../src/transport/bun.ts";
import { createMemoryNetwork, createMemoryPair } from "../src/transport/memory.ts";
import { DuplexTransport } from "../src/transport/duplex.ts";
import { detectRuntimeName, getRuntime, setRuntime } from "../src/transport/runtime.ts";

const RUNTIME = detectRuntimeName();
const WAIT_MS = 8000;

/** Records a transport's callbacks; `until()` waits (bounded) for a condition. */
class Peer implements TransportHandler {
  chunks: Uint8Array[] = [];
  bytes = 0;
  ended = false;
  closed = false;
  closeError: Error | null = null;
  drains = 0;
  connected = false;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  onData(chunk: Uint8Array): void {
    assert.ok(!this.ended, "data after end");
    assert.ok(chunk instanceof Uint8Array);
    this.chunks.push(chunk);
    this.bytes += chunk.byteLength;
    this.#poke();
  }
  onDrain(): void {
    this.drains++;
    this.#poke();
  }
  onEnd(): void {
    this.ended = true;
    this.#poke();
  }
  onClose(error: Error | null): void {
    assert.ok(!this.closed, "onClose called twice");
    this.closed = true;
    this.closeError = error;
    this.#poke();
  }
  onConnect(): void {
    this.connected = true;
    this.#poke();
  }

  text(): string {
    return new TextDecoder().decode(concat(this.chunks));
  }

  #poke(): void {
    for (const w of this.#waiters.slice()) {
      if (w.check()) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  until(check: () => boolean, what: string, ms: number = WAIT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(entry), 1);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      const entry = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(entry);
    });
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const c of chunks) total += c.byteLength;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i % 251) ^ ((i >> 12) & 0xff) ^ seed;
  return out;
}

interface Listening {
  server: TransportServer;
  port: number;
  /** Accepted transports with their recorders, in order. */
  accepted: { t: Transport; peer: Peer }[];
  nextConnection(): Promise<{ t: Transport; peer: Peer }>;
  close(): Promise<void>;
}

/** Listen; each accepted transport gets a `Peer` handler (or `onAccept`'s). */
function listen(
  rt: Runtime,
  options: { port?: number; host?: string; path?: string; reusePort?: boolean },
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const accepted: { t: Transport; peer: Peer }[] = [];
    const waiting: ((c: { t: Transport; peer: Peer }) => void)[] = [];
    let closedResolve: (() => void) | null = null;
    const closed = new Promise<void>((r) => closedResolve = r);
    const server = rt.listen(options, {
      onConnection(t: Transport): void {
        const peer = new Peer();
        t.setHandler(peer);
        const c = { t, peer };
        accepted.push(c);
        waiting.shift()?.(c);
      },
      onListening(): void {
        const a = server.address();
        const port = typeof a === "object" && a !== null ? a.port : 0;
        resolve({
          server,
          port,
          accepted,
          nextConnection(): Promise<{ t: Transport; peer: Peer }> {
            const done = accepted.length > waitingCount ? accepted[waitingCount] : undefined;
            waitingCount++;
            if (done) return Promise.resolve(done);
            return new Promise((res, rej) => {
              const timer = setTimeout(() => rej(new Error("no connection")), WAIT_MS);
              waiting.push((c) => {
                clearTimeout(timer);
                res(c);
              });
            });
          },
          async close(): Promise<void> {
            server.close();
            for (const c of accepted) c.t.destroy();
            await Promise.race([closed, delay(2000)]);
          },
        });
      },
      onError(err: Error): void {
        reject(err);
      },
      onClose(): void {
        closedResolve?.();
      },
    });
    let waitingCount = 0;
  });
}

function connect(
  rt: Runtime,
  options: { port?: number; host?: string; path?: string },
): Promise<{ t: Transport; peer: Peer }> {
  const peer = new Peer();
  const t = rt.connect(options, peer);
  assert.equal(t.connecting, true);
  return peer.until(() => peer.connected || peer.closed, "connect").then(() => {
    if (peer.closeError) throw peer.closeError;
    assert.equal(t.connecting, false);
    return { t, peer };
  });
}

/** Write `total` bytes of `data` honouring write()/onDrain backpressure. */
async function pump(t: Transport, peer: Peer, data: Uint8Array, chunk: number): Promise<number> {
  let falses = 0;
  for (let off = 0; off < data.byteLength; off += chunk) {
    const ok = t.write(data.subarray(off, Math.min(data.byteLength, off + chunk)));
    if (!ok) {
      falses++;
      const drains = peer.drains;
      await peer.until(() => peer.drains > drains || peer.closed, "drain");
      assert.equal(peer.closed, false, "closed while pumping");
    }
  }
  return falses;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "anyhttp-transport-"));
}

/** The same behaviour checks for every Runtime. */
function transportSuite(
  label: string,
  rt: Runtime,
  opts: { unix: boolean; real: boolean; reusePort?: boolean },
): void {
  describe(`transport suite: ${label}`, () => {
    test("writev: chunks arrive whole and in order, one callback after the last", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { peer: sp } = await l.nextConnection();
        const big = pattern(300_000, 7);
        const parts = [bytes("head:"), pattern(70_000, 1), bytes(":mid:"), big, bytes(":end")];
        let total = 0;
        for (const p of parts) total += p.byteLength;
        let calls = 0;
        let cbErr: Error | null | undefined = undefined;
        const write = (chunks: Uint8Array[], cb: (e?: Error | null) => void) =>
          client.writev ? client.writev(chunks, cb) : client.write(concat(chunks), cb);
        write(parts.slice(0, 3), (e) => {
          calls++;
          cbErr = e ?? null;
        });
        write(parts.slice(3), () => calls++);
        await sp.until(() => sp.bytes === total, "all bytes");
        assert.deepEqual(concat(sp.chunks), concat(parts));
        for (let i = 0; i < 100 && calls < 2; i++) await delay(10);
        await delay(20);
        assert.equal(calls, 2, "one callback per writev");
        assert.equal(cbErr, null);
        client.destroy();
      } finally {
        await l.close();
      }
    });

    test("echo, addresses, write callbacks, clean close", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const addr = l.server.address();
        assert.ok(addr !== null && typeof addr === "object");
        assert.equal(addr.address, "127.0.0.1");
        assert.equal(addr.family, "IPv4");
        assert.ok(addr.port > 0);
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        assert.equal(client.remoteAddress, "127.0.0.1");
        assert.equal(client.remotePort, l.port);
        assert.equal(client.remoteFamily, "IPv4");
        assert.equal(client.localAddress, "127.0.0.1");
        assert.equal(server.localPort, l.port);
        assert.equal(server.remotePort, client.localPort);
        assert.equal(server.remoteAddress, "127.0.0.1");
        let cbErr: Error | null | undefined = undefined;
        assert.equal(client.write(bytes("hello "), (e) => cbErr = e ?? null), true);
        client.write(bytes("world"));
        await sp.until(() => sp.bytes === 11, "server data");
        assert.equal(sp.text(), "hello world");
        assert.equal(cbErr, null);
        server.write(concat(sp.chunks));
        await cp.until(() => cp.bytes === 11, "echo");
        assert.equal(cp.text(), "hello world");
        assert.equal(client.bytesWritten, 11);
        assert.equal(client.bytesRead, 11);
        assert.equal(server.bytesRead, 11);
        let ended = false;
        client.end(() => ended = true);
        await sp.until(() => sp.ended, "server onEnd");
        server.end();
        await cp.until(() => cp.closed, "client close");
        await sp.until(() => sp.closed, "server close");
        assert.equal(cp.closeError, null);
        assert.equal(sp.closeError, null);
        assert.equal(cp.ended, true);
        assert.equal(ended, true);
        assert.equal(client.destroyed, true);
      } finally {
        await l.close();
      }
    });

    test("1 MiB both ways at once with backpressure; chunks are kept intact", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        const up = pattern(1 << 20, 1);
        const down = pattern(1 << 20, 2);
        await Promise.all([pump(client, cp, up, 65536), pump(server, sp, down, 50000)]);
        await sp.until(() => sp.bytes === up.byteLength, "upload");
        await cp.until(() => cp.bytes === down.byteLength, "download");
        // The receivers kept every chunk without copying: none may have been reused.
        assert.ok(Buffer.from(concat(sp.chunks)).equals(Buffer.from(up)), "upload intact");
        assert.ok(Buffer.from(concat(cp.chunks)).equals(Buffer.from(down)), "download intact");
        client.destroy();
        await sp.until(() => sp.closed || sp.ended, "server sees the end");
      } finally {
        await l.close();
      }
    });

    test("write() returns false while the peer is paused; onDrain after resume", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        server.pause();
        const chunk = pattern(65536, 3);
        let written = 0;
        let full = false;
        // Kernel buffers absorb a few MiB on loopback: keep writing (honouring
        // drain) until no drain comes any more, i.e. everything is really full.
        while (written < 64 * 1024 * 1024) {
          written += chunk.byteLength;
          if (!client.write(chunk)) {
            const drains = cp.drains;
            const drained = await cp.until(() => cp.drains > drains, "drain", 150).then(
              () => true,
              () => false,
            );
            if (!drained) {
              full = true;
              break;
            }
          }
        }
        assert.equal(full, true, "write() never stayed false");
        assert.ok(client.writableLength > 0);
        const before = sp.bytes;
        await delay(30);
        assert.equal(sp.bytes, before, "data arrived while paused");
        const drains = cp.drains;
        server.resume();
        await cp.until(() => cp.drains > drains, "drain");
        await sp.until(() => sp.bytes === written, "all bytes");
        client.end();
        await sp.until(() => sp.ended, "end");
      } finally {
        await l.close();
      }
    });

    test("half-close: end → peer onEnd, peer can still write back", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        client.write(bytes("ping"));
        client.end();
        await sp.until(() => sp.ended, "server end");
        assert.equal(sp.text(), "ping");
        await delay(20);
        assert.equal(sp.closed, false);
        assert.equal(cp.closed, false);
        server.write(bytes("pong after fin"));
        await cp.until(() => cp.bytes === 14, "reply");
        assert.equal(cp.text(), "pong after fin");
        assert.equal(cp.ended, false);
        server.end();
        await cp.until(() => cp.closed, "client closed");
        await sp.until(() => sp.closed, "server closed");
        assert.equal(cp.ended, true);
        assert.equal(cp.closeError, null);
        assert.equal(sp.closeError, null);
      } finally {
        await l.close();
      }
    });

    test("destroy → peer sees FIN, then an error once it writes", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        client.destroy();
        assert.equal(client.destroyed, true);
        await cp.until(() => cp.closed, "client close");
        assert.equal(cp.closeError, null);
        await sp.until(() => sp.ended || sp.closed, "server end");
        for (let i = 0; i < 100 && !sp.closed; i++) {
          server.write(bytes("still there?"));
          await delay(10);
        }
        assert.equal(sp.closed, true);
        const code = (sp.closeError as { code?: string } | null)?.code;
        assert.ok(code === "ECONNRESET" || code === "EPIPE", `got ${code}`);
        assert.match(sp.closeError!.message, /^(read|write) (ECONNRESET|EPIPE)/);
      } finally {
        await l.close();
      }
    });

    test("destroy(error) reports that error to its own handler", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client, peer: cp } = await connect(rt, { host: "127.0.0.1", port: l.port });
        await l.nextConnection();
        const boom = new Error("boom");
        client.destroy(boom);
        await cp.until(() => cp.closed, "close");
        assert.equal(cp.closeError, boom);
      } finally {
        await l.close();
      }
    });

    test("pause stops onData, resume delivers what waited (and the FIN after it)", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        server.pause();
        client.write(bytes("abc"));
        client.end();
        await delay(60);
        assert.equal(sp.bytes, 0);
        assert.equal(sp.ended, false);
        server.resume();
        await sp.until(() => sp.ended, "end after resume");
        assert.equal(sp.text(), "abc");
        server.end();
      } finally {
        await l.close();
      }
    });

    test("messages of every size, one at a time, arrive intact and stay intact", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        // Around the adapters' read-buffer sizes: small reads, reads that fill
        // the buffer, large streamed ones, then small again.
        const sizes = [10, 1023, 1024, 1025, 2048, 3000, 16383, 20000, 5, 70000, 7, 1, 4096, 9];
        const sent: Uint8Array[] = [];
        let total = 0;
        for (let i = 0; i < sizes.length; i++) {
          const data = pattern(sizes[i], i + 3);
          sent.push(data);
          total += data.byteLength;
          client.write(data);
          await sp.until(() => sp.bytes === total, `message ${i} (${sizes[i]} bytes)`);
        }
        // The receiver kept every chunk: later reads must not have written over any.
        assert.ok(Buffer.from(concat(sp.chunks)).equals(Buffer.from(concat(sent))));
        // Paused with a read in flight, resumed twice in a row: delivered once, in order.
        server.pause();
        client.write(bytes("x"));
        await delay(30);
        assert.equal(sp.bytes, total);
        server.resume();
        server.resume();
        client.write(bytes("y"));
        await sp.until(() => sp.bytes === total + 2, "after resume");
        assert.equal(sp.text().slice(-2), "xy");
        client.destroy();
        await sp.until(() => sp.closed || sp.ended, "server sees the end");
      } finally {
        await l.close();
      }
    });

    test("a write the kernel holds whole reaches the handler as one chunk", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { peer: sp } = await l.nextConnection();
        // Bigger than an idle connection's first read (Deno's is 256 bytes):
        // the parser must see the whole request, as Node's one 64 KiB read gives it.
        let total = 0;
        for (const [i, size] of [331, 16000].entries()) {
          const data = pattern(size, i + 11);
          const before = sp.chunks.length;
          client.write(data);
          total += size;
          await sp.until(() => sp.bytes === total, `${size} bytes`);
          assert.equal(sp.chunks.length - before, 1, `${size} bytes came in pieces`);
          assert.ok(Buffer.from(sp.chunks[before]).equals(Buffer.from(data)));
        }
        client.destroy();
      } finally {
        await l.close();
      }
    });

    test("a message that exactly fills a read is delivered with nothing after it", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { peer: sp } = await l.nextConnection();
        let total = 0;
        for (const size of [256, 512, 1024, 2048, 2048]) {
          client.write(pattern(size, size & 0xff));
          total += size;
          // Nothing more is sent until it arrived: a reader waiting for more would hang here.
          await sp.until(() => sp.bytes === total, `${size} bytes alone`, 2000);
        }
        // Filled, then the end: the bytes first, then the end.
        client.write(pattern(4096, 1));
        client.end();
        await sp.until(() => sp.ended, "end");
        assert.equal(sp.bytes, total + 4096);
      } finally {
        await l.close();
      }
    });

    test("paused: bytes of a filled read and the read after it wait, in order", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const { t: client } = await connect(rt, { host: "127.0.0.1", port: l.port });
        const { t: server, peer: sp } = await l.nextConnection();
        const first = pattern(256, 5);
        client.write(first);
        await sp.until(() => sp.bytes === 256, "first");
        server.pause();
        const second = pattern(700, 6);
        const third = pattern(300, 7);
        client.write(second);
        await delay(30);
        client.write(third);
        client.end();
        await delay(60);
        assert.equal(sp.bytes, 256);
        assert.equal(sp.ended, false);
        server.resume();
        await sp.until(() => sp.ended, "end after resume");
        assert.ok(
          Buffer.from(concat(sp.chunks)).equals(Buffer.from(concat([first, second, third]))),
        );
      } finally {
        await l.close();
      }
    });

    test("EADDRINUSE on a second listen of the same port", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const err = await listen(rt, { port: l.port, host: "127.0.0.1" }).then(
          (l2) => {
            l2.close();
            return null;
          },
          (e: Error) => e,
        );
        assert.ok(err, "second listen succeeded");
        const e = err as Error & Record<string, unknown>;
        assert.equal(e.code, "EADDRINUSE");
        assert.equal(e.syscall, "listen");
        assert.equal(e.address, "127.0.0.1");
        assert.equal(e.port, l.port);
        assert.equal(e.message, `listen EADDRINUSE: address already in use 127.0.0.1:${l.port}`);
        if (opts.real) assert.equal(e.errno, -98);
      } finally {
        await l.close();
      }
    });

    test("close() stops listening (onClose, address() null, port free again)", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      const port = l.port;
      await l.close();
      assert.equal(l.server.address(), null);
      const peer = new Peer();
      rt.connect({ host: "127.0.0.1", port }, peer);
      await peer.until(() => peer.closed, "refused");
      const e = peer.closeError as Error & Record<string, unknown>;
      assert.equal(e.code, "ECONNREFUSED");
      assert.equal(e.syscall, "connect");
      assert.equal(e.message, `connect ECONNREFUSED 127.0.0.1:${port}`);
      assert.equal(peer.connected, false);
      const again = await listen(rt, { port, host: "127.0.0.1" });
      assert.equal(again.port, port);
      await again.close();
    });

    test("writes made while connecting are sent once connected", async () => {
      const l = await listen(rt, { port: 0, host: "127.0.0.1" });
      try {
        const peer = new Peer();
        const t = rt.connect({ host: "127.0.0.1", port: l.port }, peer);
        assert.equal(t.connecting, true);
        t.write(bytes("early "));
        t.write(bytes("bird"));
        t.end();
        const { peer: sp, t: server } = await l.nextConnection();
        await sp.until(() => sp.ended, "end");
        assert.equal(sp.text(), "early bird");
        assert.equal(peer.connected, true);
        server.end();
        await peer.until(() => peer.closed, "close");
      } finally {
        await l.close();
      }
    });

    if (opts.reusePort) {
      test("reusePort: two listeners share a port", async () => {
        const a = await listen(rt, { port: 0, host: "127.0.0.1", reusePort: true });
        try {
          const b = await listen(rt, { port: a.port, host: "127.0.0.1", reusePort: true });
          assert.equal(b.port, a.port);
          await b.close();
        } finally {
          await a.close();
        }
      });
    }

    if (opts.unix) {
      test("unix socket listen/connect", async () => {
        const dir = tmpDir();
        const file = path.join(dir, "s.sock");
        const l = await listen(rt, { path: file });
        try {
          assert.equal(l.server.address(), file);
          const { t: client, peer: cp } = await connect(rt, { path: file });
          const { t: server, peer: sp } = await l.nextConnection();
          assert.equal(client.remoteAddress, undefined);
          assert.equal(client.remoteFamily, undefined);
          client.write(bytes("over unix"));
          await sp.until(() => sp.bytes === 9, "data");
          server.write(bytes("back"));
          server.end();
          await cp.until(() => cp.ended, "end");
          assert.equal(cp.text(), "back");
          client.end();
          await cp.until(() => cp.closed, "close");
          const err = await listen(rt, { path: file }).then((x) => {
            x.close();
            return null;
          }, (e: Error) => e);
          assert.equal((err as { code?: string } | null)?.code, "EADDRINUSE");
          assert.equal(err!.message, `listen EADDRINUSE: address already in use ${file}`);
        } finally {
          await l.close();
          const missing = new Peer();
          rt.connect({ path: path.join(dir, "missing.sock") }, missing);
          await missing.until(() => missing.closed, "ENOENT");
          assert.equal((missing.closeError as { code?: string }).code, "ENOENT");
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}

// The runtime's own adapter, node:net everywhere, and the in-memory network.
if (RUNTIME === "deno") {
  // SO_REUSEPORT is an unstable Deno API (needs --unstable-net, which adds listenDatagram).
  const unstableNet = typeof (globalThis as unknown as { Deno: { listenDatagram?: unknown } }).Deno
    .listenDatagram === "function";
  transportSuite("deno", denoRuntime, { unix: true, real: true, reusePort: unstableNet });
}
if (RUNTIME === "bun") {
  transportSuite("bun", bunRuntime, { unix: true, real: true, reusePort: true });
}
transportSuite("node:net", nodeNetRuntime, { unix: true, real: true });
transportSuite("memory network", createMemoryNetwork(), { unix: true, real: false });

describe("runtime detection", () => {
  test("getRuntime() is the runtime's own adapter; setRuntime overrides it", () => {
    assert.equal(getRuntime().name, RUNTIME);
    assert.equal(getRuntime(), getRuntime());
    const mem = createMemoryNetwork();
    setRuntime(mem);
    try {
      assert.equal(getRuntime(), mem);
      assert.equal(getRuntime().name, "memory");
    } finally {
      setRuntime(null);
    }
    assert.equal(getRuntime().name, RUNTIME);
  });
});

describe("createMemoryPair", () => {
  test("delivers asynchronously, in order, with fake addresses", async () => {
    const [a, b] = createMemoryPair({ localPort: 1111, remotePort: 2222 });
    const pb = new Peer();
    b.setHandler(pb);
    a.setHandler(new Peer());
    a.write(bytes("one "));
    a.write(bytes("two"));
    assert.equal(pb.bytes, 0, "delivered synchronously");
    await pb.until(() => pb.bytes === 7, "data");
    assert.equal(pb.text(), "one two");
    assert.equal(a.localPort, 1111);
    assert.equal(a.remotePort, 2222);
    assert.equal(b.localPort, 2222);
    assert.equal(b.remotePort, 1111);
    assert.equal(b.remoteAddress, "127.0.0.1");
    assert.equal(b.remoteFamily, "IPv4");
    a.destroy();
    b.destroy();
  });

  test("the written chunk is copied (the writer may reuse its buffer)", async () => {
    const [a, b] = createMemoryPair();
    const pb = new Peer();
    b.setHandler(pb);
    const buf = bytes("xyz");
    a.write(buf);
    buf[0] = 0x21;
    await pb.until(() => pb.bytes === 3, "data");
    assert.equal(pb.text(), "xyz");
    a.destroy();
    b.destroy();
  });

  test("destroy with unread bytes from the peer resets the peer (ECONNRESET)", async () => {
    const [a, b] = createMemoryPair();
    const pa = new Peer();
    const pb = new Peer();
    a.setHandler(pa);
    b.setHandler(pb);
    a.pause();
    b.write(bytes("unread"));
    await delay(5);
    a.destroy();
    await pb.until(() => pb.closed, "reset");
    assert.equal((pb.closeError as { code?: string }).code, "ECONNRESET");
    assert.equal(pb.closeError!.message, "read ECONNRESET");
    await pa.until(() => pa.closed, "close");
    assert.equal(pa.closeError, null);
  });

  test("write after end/destroy: callback gets an error, no throw", async () => {
    const [a, b] = createMemoryPair();
    b.setHandler(new Peer());
    a.setHandler(new Peer());
    a.end();
    const err = await new Promise<Error | null | undefined>((r) => a.write(bytes("x"), r));
    assert.equal((err as { code?: string }).code, "ERR_STREAM_WRITE_AFTER_END");
    a.destroy();
    const err2 = await new Promise<Error | null | undefined>((r) => a.write(bytes("x"), r));
    assert.equal((err2 as { code?: string }).code, "ERR_STREAM_DESTROYED");
    b.destroy();
  });
});

/** Two Duplex ends joined by two PassThroughs. */
function passThroughPair(): [Duplex, Duplex] {
  const ab = new PassThrough();
  const ba = new PassThrough();
  const a = Duplex.from({ readable: ba, writable: ab });
  const b = Duplex.from({ readable: ab, writable: ba });
  return [a, b];
}

describe("DuplexTransport", () => {
  test("data both ways, end, close over a PassThrough pair", async () => {
    const [da, db] = passThroughPair();
    const a = new DuplexTransport(da);
    const b = new DuplexTransport(db);
    const pa = new Peer();
    const pb = new Peer();
    a.setHandler(pa);
    b.setHandler(pb);
    assert.equal(a.connecting, false);
    a.write(bytes("to b"));
    b.write(bytes("to a"));
    await pb.until(() => pb.bytes === 4, "b data");
    await pa.until(() => pa.bytes === 4, "a data");
    assert.equal(pb.text(), "to b");
    assert.equal(pa.text(), "to a");
    assert.equal(a.bytesWritten, 4);
    assert.equal(b.bytesRead, 4);
    a.end();
    await pb.until(() => pb.ended, "b end");
    b.end();
    await pa.until(() => pa.ended, "a end");
    await pa.until(() => pa.closed, "a close");
    await pb.until(() => pb.closed, "b close");
    assert.equal(pa.closeError, null);
  });

  test("destroy(error) → onClose(error); pause/resume reach the duplex", async () => {
    const da = new PassThrough();
    const a = new DuplexTransport(da);
    const pa = new Peer();
    a.setHandler(pa);
    a.pause();
    assert.equal(da.isPaused(), true);
    a.resume();
    assert.equal(da.isPaused(), false);
    const boom = new Error("boom");
    a.destroy(boom);
    await pa.until(() => pa.closed, "close");
    assert.equal(pa.closeError, boom);
  });

  test("address getters read the duplex's own properties", () => {
    const d = new PassThrough() as PassThrough & Record<string, unknown>;
    d.remoteAddress = "10.0.0.1";
    d.remotePort = 1234;
    d.remoteFamily = "IPv4";
    d.localAddress = "10.0.0.2";
    d.localPort = 80;
    const t = new DuplexTransport(d);
    assert.equal(t.remoteAddress, "10.0.0.1");
    assert.equal(t.remotePort, 1234);
    assert.equal(t.remoteFamily, "IPv4");
    assert.equal(t.localAddress, "10.0.0.2");
    assert.equal(t.localPort, 80);
    t.setNoDelay(true); // no such method: a no-op
    t.detach();
    d.destroy();
  });

  test("detach() removes every listener; the duplex is a plain stream again", async () => {
    const [da, db] = passThroughPair();
    const events = ["data", "end", "drain", "error", "close", "connect"];
    const before = events.map((e) => da.listenerCount(e));
    const a = new DuplexTransport(da);
    const pa = new Peer();
    a.setHandler(pa);
    db.write("first");
    await pa.until(() => pa.bytes === 5, "first");
    a.detach();
    assert.deepEqual(events.map((e) => da.listenerCount(e)), before);
    assert.equal(a.attached, false);
    db.write("second");
    await delay(10);
    assert.equal(pa.bytes, 5, "handler still called after detach");
    const got = await new Promise<string>((resolve) => {
      da.once("data", (c: Buffer) => resolve(c.toString()));
    });
    assert.equal(got, "second");
    da.on("error", () => {});
    db.on("error", () => {});
    da.destroy();
    db.destroy();
  });
});
