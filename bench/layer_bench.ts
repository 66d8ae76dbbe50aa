/**
 * Server layer benchmark: the JavaScript cost of one hello-world request above
 * the socket, with no socket at all. A stand-in `Runtime` hands the server 50
 * fake transports; each round feeds every connection one GET (as wrk's does)
 * and lets the event loop turn once, as a real batch of socket reads would.
 * Writes complete on the next microtask. Prints µs per request (median of 7
 * rounds of 0.5 s), so changes to IncomingMessage, ServerResponse, the write
 * path or the connection can be measured without the kernel's noise.
 *
 * Run: `deno run -A bench/layer_bench.ts [post]`, `bun bench/layer_bench.ts [post]`, or
 * after `npm run build`: `node npm/esm/bench/layer_bench.js`.
 *
 * @module
 */

import { createServer } from "../mod.ts";
import { setRuntime } from "../src/transport/runtime.ts";
import type {
  ListenCallbacks,
  Runtime,
  Transport,
  TransportHandler,
  WriteCallback,
} from "../src/transport/transport.ts";
import { setImmediate } from "node:timers";
import { nodeStyleHandler, POST_SIZE } from "./servers/scenario.ts";

const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
const runtimeName = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";

/** `post` as an argument: each request is a 1 KiB POST read with 'data'/'end' (post-json). */
const argv = (globalThis as unknown as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process?: { argv: string[] } }).process?.argv ?? [];
const POST = argv.includes("post");
const REQUEST = new TextEncoder().encode(
  POST
    ? `POST / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: ${POST_SIZE}\r\n\r\n` +
      "p".repeat(POST_SIZE)
    : "GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
);
const CONNECTIONS = 50;

let responses = 0;

/** A transport whose writes succeed at once and whose reads come from the driver. */
class FakeTransport implements Transport {
  handler: TransportHandler | null = null;
  destroyed = false;
  connecting = false;
  writableLength = 0;
  writableNeedDrain = false;
  bytesRead = 0;
  bytesWritten = 0;
  remoteAddress = "127.0.0.1";
  remotePort = 40000;
  remoteFamily = "IPv4";
  localAddress = "127.0.0.1";
  localPort = 8080;
  setHandler(handler: TransportHandler): void {
    this.handler = handler;
  }
  write(chunk: Uint8Array, callback?: WriteCallback): boolean {
    this.bytesWritten += chunk.byteLength;
    responses++;
    if (callback) queueMicrotask(() => callback(null));
    return true;
  }
  end(): void {}
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

let callbacks: ListenCallbacks | null = null;
const fakeRuntime: Runtime = {
  name: "memory",
  listen(_options, cbs) {
    callbacks = cbs;
    queueMicrotask(() => cbs.onListening());
    return { address: () => null, close() {}, ref() {}, unref() {} };
  },
  connect() {
    throw new Error("not used");
  },
};

setRuntime(fakeRuntime);
const server = createServer(nodeStyleHandler(POST ? "post-json" : "hello"));
server.listen(0);
await new Promise((r) => setTimeout(r, 10));
const conns: FakeTransport[] = [];
for (let i = 0; i < CONNECTIONS; i++) {
  const t = new FakeTransport();
  (callbacks as unknown as ListenCallbacks).onConnection(t);
  conns.push(t);
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function round(ms: number): Promise<number> {
  const start = performance.now();
  const before = responses;
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < conns.length; i++) conns[i].handler!.onData(REQUEST);
    await turn();
    now = performance.now();
  }
  return ((now - start) * 1000) / (responses - before);
}

await round(500);
const results: number[] = [];
for (let i = 0; i < 7; i++) results.push(await round(500));
results.sort((a, b) => a - b);
console.log(
  `${runtimeName}: server layer${POST ? " (1 KiB POST)" : ""} ${
    results[3].toFixed(2)
  } µs/request ` +
    `(min ${results[0].toFixed(2)}, max ${results[6].toFixed(2)})`,
);
const proc = (globalThis as unknown as { process?: { exit(code: number): void } }).process;
if (proc) proc.exit(0);
