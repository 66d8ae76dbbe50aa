/**
 * Parser benchmark: ns per typical browser request head, MB/s on a chunked and
 * a Content-Length body. On Node it also runs the same inputs through Node's
 * own llhttp binding in the same process and prints the ratio.
 *
 * Run: `deno run -A bench/parser_bench.ts`, `bun bench/parser_bench.ts`, or
 * after `npm run build`: `node npm/esm/bench/parser_bench.js`.
 *
 * @module
 */

import { HEADERS_BODY, HTTPParser } from "../src/core/parser.ts";

interface ProcessLike {
  versions?: { node?: string };
  noDeprecation?: boolean;
}

const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown; process?: ProcessLike };
const runtime = g.Deno !== undefined ? "deno" : g.Bun !== undefined ? "bun" : "node";

function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A Chrome-like navigation request, ~500 bytes, 12 headers. */
const BROWSER_HEAD = bytes(
  "GET /articles/2024/parsers?page=2&sort=new HTTP/1.1\r\n" +
    "Host: www.example.com\r\n" +
    "Connection: keep-alive\r\n" +
    'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"\r\n' +
    "sec-ch-ua-mobile: ?0\r\n" +
    'sec-ch-ua-platform: "Linux"\r\n' +
    "Upgrade-Insecure-Requests: 1\r\n" +
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) " +
    "Chrome/124.0.0.0 Safari/537.36\r\n" +
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp," +
    "*/*;q=0.8\r\n" +
    "Sec-Fetch-Site: same-origin\r\n" +
    "Sec-Fetch-Mode: navigate\r\n" +
    "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
    "Accept-Language: en-US,en;q=0.9\r\n" +
    "\r\n",
);

const MiB = 1024 * 1024;

function chunkedMessage(): Uint8Array {
  const head = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  const size = 16 * 1024;
  const line = bytes(size.toString(16) + "\r\n");
  const parts: Uint8Array[] = [bytes(head)];
  const data = new Uint8Array(size).fill(0x61);
  for (let k = 0; k < MiB / size; k++) parts.push(line, data, bytes("\r\n"));
  parts.push(bytes("0\r\n\r\n"));
  return concat(parts);
}

function clMessage(): Uint8Array {
  const head = bytes(`POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${MiB}\r\n\r\n`);
  return concat([head, new Uint8Array(MiB).fill(0x62)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Reads of 64 KiB, as a socket would deliver them. */
function slices(msg: Uint8Array, size = 64 * 1024): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < msg.length; o += size) out.push(msg.subarray(o, o + size));
  return out;
}

/** Something that parses a list of chunks per iteration. */
interface Subject {
  name: string;
  run(chunks: Uint8Array[]): number;
}

function oursSubject(): Subject {
  let sink = 0;
  const parser = new HTTPParser("request", {
    onHeaders(head) {
      sink += head.rawHeaders.length + head.url.length;
      return HEADERS_BODY;
    },
    onBody(chunk) {
      sink += chunk.length;
    },
    onComplete() {
      sink++;
    },
  });
  return {
    name: "anyhttp",
    run(chunks) {
      for (let k = 0; k < chunks.length; k++) {
        if (parser.execute(chunks[k]) < 0) throw parser.error;
      }
      return sink;
    },
  };
}

interface NodeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(b: Uint8Array): number | Error;
  [k: number]: unknown;
}

async function nodeSubject(): Promise<Subject | null> {
  if (runtime !== "node") return null;
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  const proc = g.process as ProcessLike;
  proc.noDeprecation = true;
  const binding = (require("node:process") as {
    binding(name: string): {
      HTTPParser: {
        new (): NodeParser;
        REQUEST: number;
        kOnHeadersComplete: number;
        kOnBody: number;
        kOnMessageComplete: number;
        kOnExecute: number;
        kOnHeaders: number;
      };
    };
  }).binding("http_parser");
  const HP = binding.HTTPParser;
  const { Buffer } = await import("node:buffer");
  let sink = 0;
  const parser = new HP();
  parser[HP.kOnHeaders] = () => {};
  parser[HP.kOnHeadersComplete] = (
    _maj: number,
    _min: number,
    headers: string[],
    _method: number,
    url: string,
  ) => {
    sink += headers.length + url.length;
    return 0;
  };
  parser[HP.kOnBody] = (b: Uint8Array) => {
    sink += b.length;
  };
  parser[HP.kOnMessageComplete] = () => {
    sink++;
  };
  parser[HP.kOnExecute] = () => {};
  parser.initialize(HP.REQUEST, {}, 0, 0);
  return {
    name: "node llhttp",
    run(chunks) {
      for (let k = 0; k < chunks.length; k++) {
        const c = chunks[k];
        const r = parser.execute(
          Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength),
        );
        if (typeof r !== "number") throw r;
      }
      return sink;
    },
  };
}

/** Median ns per iteration over `rounds` timed rounds of `iters` iterations. */
function measure(subject: Subject, chunks: Uint8Array[], iters: number, rounds = 15): number {
  for (let k = 0; k < iters; k++) subject.run(chunks); // warm-up
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let k = 0; k < iters; k++) subject.run(chunks);
    times.push(((performance.now() - t0) * 1e6) / iters);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

async function main(): Promise<void> {
  const subjects: Subject[] = [oursSubject()];
  const node = await nodeSubject();
  if (node) subjects.push(node);

  // Node's binding needs Buffers; build them once so copying is not measured.
  let asBuffer = (u: Uint8Array): Uint8Array => u;
  if (runtime === "node") {
    const { Buffer } = await import("node:buffer");
    asBuffer = (u) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  }

  const head = [asBuffer(BROWSER_HEAD)];
  const chunked = slices(asBuffer(chunkedMessage()));
  const cl = slices(asBuffer(clMessage()));
  const results: Record<string, number[]> = {};
  console.log(`parser bench on ${runtime} (median of 15 rounds)`);
  for (const s of subjects) {
    const nsHead = measure(s, head, 20000);
    const nsChunked = measure(s, chunked, 40);
    const nsCl = measure(s, cl, 40);
    const mbps = (ns: number) => (MiB / (1000 * 1000)) / (ns / 1e9);
    results[s.name] = [nsHead, nsChunked, nsCl];
    console.log(
      `${s.name.padEnd(12)} head ${BROWSER_HEAD.length} B: ${nsHead.toFixed(0).padStart(6)} ns` +
        ` | chunked 1 MiB (16 KiB chunks): ${mbps(nsChunked).toFixed(0).padStart(6)} MB/s` +
        ` | Content-Length 1 MiB: ${mbps(nsCl).toFixed(0).padStart(6)} MB/s`,
    );
  }
  if (node) {
    const [a, b] = [results["anyhttp"], results["node llhttp"]];
    console.log(
      `ratio anyhttp/llhttp time (lower is better): head ${(a[0] / b[0]).toFixed(2)}` +
        ` | chunked ${(a[1] / b[1]).toFixed(2)} | content-length ${(a[2] / b[2]).toFixed(2)}`,
    );
  }
}

await main();
