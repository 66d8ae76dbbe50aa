/**
 * Split invariance under bad input: wire cases (the shared sample when it is
 * beside the repo, and our own extra case files) are mutated with a seeded
 * generator — bytes inserted, dropped, replaced or repeated — and each result
 * is parsed whole, one byte at a time and split in two at random points. The
 * outcome must not depend on how the bytes arrived: the same heads, bodies,
 * trailers and completions, and an error in the same place or none. Only the
 * error's code may differ, as with llhttp, whose header-size check runs where
 * a read ends (HPE_HEADER_OVERFLOW byte by byte, the token error whole). No
 * input may make the parser throw.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  HEADERS_BODY,
  HEADERS_UPGRADE,
  HTTPParser,
  type MessageHead,
  type ParserKind,
} from "../src/core/parser.ts";
import { findShared, findTestData, readJson } from "./server_util.ts";
import { BYTE_INSERTS } from "./fuzz_util.ts";

const CASES_PER_KIND = 1500;

/** Raw bytes (one char = one byte) of every case in the files that exist. */
function seeds(files: (string | null)[]): string[] {
  const out: string[] = [];
  for (const file of files) {
    if (file === null) continue;
    const data = readJson(file) as { cases: { raw?: unknown }[] };
    for (const c of data.cases) if (typeof c.raw === "string") out.push(c.raw);
  }
  return out;
}

/** A small deterministic generator (LCG), so a failure can be replayed. */
function generator(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
}

const INSERTS = [
  ...BYTE_INSERTS,
  ",",
  "chunked",
  "Content-Length: 5\r\n",
  "Transfer-Encoding: chunked\r\n",
  "\r\n0\r\n\r\n",
  "GET / HTTP/1.1\r\nHost: a\r\n\r\n",
];

function mutate(raw: string, rnd: () => number): string {
  let x = raw;
  const edits = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(rnd() * (x.length + 1));
    const op = rnd();
    if (op < 0.35) {
      x = x.slice(0, at) + INSERTS[Math.floor(rnd() * INSERTS.length)] + x.slice(at);
    } else if (op < 0.6) {
      x = x.slice(0, at) + x.slice(at + 1 + Math.floor(rnd() * 3));
    } else if (op < 0.8) {
      x = x.slice(0, at) + String.fromCharCode(Math.floor(rnd() * 256)) + x.slice(at + 1);
    } else {
      const from = Math.floor(rnd() * x.length);
      x = x.slice(0, at) + x.slice(from, from + 1 + Math.floor(rnd() * 10)) + x.slice(at);
    }
  }
  return x;
}

function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

function latin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return s;
}

interface Outcome {
  /** Heads, complete bodies and completions, in order. */
  events: string[];
  /** The error's code, "" when none. */
  error: string;
}

/** Parses `chunks` in order, then the end of input (unless upgraded or failed). */
function parse(kind: ParserKind, chunks: Uint8Array[]): Outcome {
  const events: string[] = [];
  let body = "";
  const parser = new HTTPParser(kind, {
    onHeaders(h: MessageHead): number {
      events.push(
        JSON.stringify([
          h.method,
          h.url,
          h.statusCode,
          h.statusMessage,
          h.versionMajor,
          h.versionMinor,
          h.rawHeaders,
          h.upgrade,
          h.shouldKeepAlive,
        ]),
      );
      return h.upgrade ? HEADERS_UPGRADE : HEADERS_BODY;
    },
    onBody(chunk: Uint8Array): void {
      body += latin1(chunk);
    },
    onComplete(rawTrailers: string[]): void {
      events.push(`body ${JSON.stringify(body)}`, `complete ${JSON.stringify(rawTrailers)}`);
      body = "";
    },
  });
  for (const chunk of chunks) {
    parser.execute(chunk);
    if (parser.error !== null || parser.upgraded) break;
  }
  if (parser.error === null && !parser.upgraded) parser.finish();
  return { events, error: parser.error?.code ?? "" };
}

function splits(bytes: Uint8Array, rnd: () => number): [string, Uint8Array[]][] {
  const out: [string, Uint8Array[]][] = [];
  const single: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) single.push(bytes.subarray(i, i + 1));
  out.push(["byte by byte", single]);
  for (let k = 0; k < 3 && bytes.length > 1; k++) {
    const at = 1 + Math.floor(rnd() * (bytes.length - 1));
    out.push([`split at ${at}`, [bytes.subarray(0, at), bytes.subarray(at)]]);
  }
  return out;
}

function fuzz(kind: ParserKind, files: (string | null)[], seed: number): void {
  const raws = seeds(files);
  assert.ok(raws.length > 0, "no wire cases found to mutate");
  const rnd = generator(seed);
  for (let n = 0; n < CASES_PER_KIND; n++) {
    const raw = mutate(raws[Math.floor(rnd() * raws.length)], rnd);
    const bytes = bytesOf(raw);
    const whole = parse(kind, [bytes]);
    for (const [how, chunks] of splits(bytes, rnd)) {
      const got = parse(kind, chunks);
      const where = `case ${n} ${how}: ${JSON.stringify(raw.slice(0, 300))}`;
      assert.deepEqual(got.events, whole.events, where);
      assert.equal(
        got.error === "",
        whole.error === "",
        `${where}: error ${got.error} vs ${whole.error}`,
      );
    }
  }
}

describe("parser: split invariance on mutated wire cases", () => {
  const shared = findShared();
  const sharedFile = (name: string) => shared === null ? null : join(shared, "wire-cases", name);

  test(`requests: ${CASES_PER_KIND} mutated cases, whole = byte by byte = split`, () => {
    fuzz("request", [
      sharedFile("requests.json"),
      findTestData("wire_cases_extra_requests.json"),
    ], 20261205);
  });

  test(`responses: ${CASES_PER_KIND} mutated cases, whole = byte by byte = split`, () => {
    fuzz("response", [
      sharedFile("responses.json"),
      findTestData("wire_cases_extra_responses.json"),
    ], 5122026);
  });
});
