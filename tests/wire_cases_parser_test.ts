/**
 * Runs the shared wire cases (`../shared/wire-cases/{requests,responses}.json`
 * beside the repository) through the HTTP/1 parser alone: every case whole,
 * byte by byte and split in two at every point (a sample of points for big
 * cases), checking the parsed fields of accepted messages and that rejected
 * input errors before a message is delivered.
 *
 * Cases whose outcome is decided above the parser are marked server-level:
 * `v-http11-no-host` (Host check) and `ex-unknown` (Expect check) must reach
 * the server unchanged; the `lim-*` 431/414 cases must fail with
 * HPE_HEADER_OVERFLOW at the default limits.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  HEADERS_BODY,
  HEADERS_SKIP_BODY,
  HEADERS_UPGRADE,
  HTTPParser,
  type MessageHead,
  type ParseError,
} from "../src/core/parser.ts";
import { addIncomingHeaders } from "../src/core/headers.ts";
import { latin1Decode } from "../src/core/latin1.ts";

// ---------------------------------------------------------------------------
// Locating and loading the cases.

function findCasesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 10; k++) {
    for (
      const candidate of [
        join(dir, "..", "shared", "wire-cases"),
        join(dir, "shared", "wire-cases"),
      ]
    ) {
      if (existsSync(join(candidate, "requests.json"))) return candidate;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error("wire cases not found (expected a shared/wire-cases sibling of the repository)");
}

interface ExpectedMessage {
  event?: string;
  method?: string;
  url?: string;
  httpVersion?: string;
  headers?: Record<string, string | string[]>;
  rawHeaders?: string[];
  rawHeadersLength?: number;
  body?: string;
  trailers?: Record<string, string | string[]>;
  head?: string;
}

interface RequestCase {
  id: string;
  raw: string;
  expect: "accept" | "reject";
  requests?: ExpectedMessage[];
  alsoAllow?: string[];
  prefixOk?: boolean;
  noSplit?: boolean;
  splitAll?: boolean;
}

interface ExpectedInfo {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  rawHeaders: string[];
}

interface ExpectedResponse {
  outcome: string;
  httpVersion?: string;
  statusCode?: number;
  statusMessage?: string;
  headers?: Record<string, string | string[]>;
  rawHeaders?: string[];
  body?: string;
  trailers?: Record<string, string | string[]>;
  information?: ExpectedInfo[];
}

interface ResponseCase {
  id: string;
  raw: string;
  expect: "accept" | "reject";
  method?: string;
  response?: ExpectedResponse;
  alsoAllow?: string[];
  noSplit?: boolean;
  splitAll?: boolean;
}

const casesDir = findCasesDir();
const requestCases = (JSON.parse(readFileSync(join(casesDir, "requests.json"), "latin1")) as {
  cases: RequestCase[];
}).cases;
const responseCases = (JSON.parse(readFileSync(join(casesDir, "responses.json"), "latin1")) as {
  cases: ResponseCase[];
}).cases;

/** Decided by the server, not the parser: the parser must deliver these unchanged. */
const SERVER_LEVEL_ACCEPT = new Set(["v-http11-no-host", "ex-unknown"]);
/** 431/414 by the default maxHeaderSize: the parser must report HPE_HEADER_OVERFLOW. */
const isLimitCase = (id: string) => id.startsWith("lim-");

// ---------------------------------------------------------------------------
// Feeding.

function bytesOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function headersOf(raw: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  addIncomingHeaders(out, raw);
  return out;
}

/** The ways one input is cut into chunks. */
function splits(bytes: Uint8Array, noSplit: boolean): { name: string; chunks: Uint8Array[] }[] {
  const out = [{ name: "whole", chunks: [bytes] }];
  if (noSplit) return out;
  const n = bytes.length;
  const perByte: Uint8Array[] = [];
  for (let i = 0; i < n; i++) perByte.push(bytes.subarray(i, i + 1));
  out.push({ name: "byte-by-byte", chunks: perByte });
  // Every split point for normal cases; for big ones the edges plus a stride.
  const points: number[] = [];
  for (let p = 1; p < n; p++) {
    if (n <= 2048 || p < 64 || p > n - 64 || p % 97 === 0) points.push(p);
  }
  for (const p of points) {
    out.push({ name: `split@${p}`, chunks: [bytes.subarray(0, p), bytes.subarray(p)] });
  }
  return out;
}

interface Delivered {
  event: string;
  head: MessageHead;
  body: string;
  rawTrailers: string[];
  upgradeHead: string;
}

interface RequestRun {
  delivered: Delivered[];
  error: ParseError | null;
  /** onHeaders was called for a message that did not complete. */
  partial: boolean;
}

function runRequests(chunks: Uint8Array[]): RequestRun {
  const delivered: Delivered[] = [];
  let current: Delivered | null = null;
  let upgraded: Delivered | null = null;
  const parser = new HTTPParser("request", {
    onHeaders(head) {
      current = {
        event: head.method === "CONNECT" ? "connect" : "request",
        head,
        body: "",
        rawTrailers: [],
        upgradeHead: "",
      };
      if (head.upgrade) {
        // As a server with an 'upgrade' listener (CONNECT always goes to 'connect').
        if (head.method !== "CONNECT") current.event = "upgrade";
        upgraded = current;
        return HEADERS_UPGRADE;
      }
      return HEADERS_BODY;
    },
    onBody(chunk) {
      assert.ok(current !== null, "body outside a message");
      current.body += latin1Decode(chunk, 0, chunk.length);
    },
    onComplete(rawTrailers) {
      assert.ok(current !== null, "completion outside a message");
      current.rawTrailers = rawTrailers;
      delivered.push(current);
      current = null;
    },
  });
  let error: ParseError | null = null;
  for (const chunk of chunks) {
    if (upgraded !== null) {
      (upgraded as Delivered).upgradeHead += latin1Decode(chunk, 0, chunk.length);
      continue;
    }
    const ret = parser.execute(chunk);
    if (ret < 0) {
      error = parser.error;
      assert.ok(error !== null, "execute returned -1 without an error");
      break;
    }
    if (parser.upgraded) {
      assert.ok(upgraded !== null);
      (upgraded as Delivered).upgradeHead += latin1Decode(chunk, ret, chunk.length);
    } else {
      assert.equal(ret, chunk.length, "all bytes consumed");
    }
  }
  if (error === null && upgraded === null) error = parser.finish();
  return { delivered, error, partial: current !== null };
}

function compareRequest(got: Delivered, want: ExpectedMessage, where: string): void {
  const h = got.head;
  if (want.event !== undefined) assert.equal(got.event, want.event, `${where}: event`);
  if (want.method !== undefined) assert.equal(h.method, want.method, `${where}: method`);
  if (want.url !== undefined) assert.equal(h.url, want.url, `${where}: url`);
  if (want.httpVersion !== undefined) {
    assert.equal(`${h.versionMajor}.${h.versionMinor}`, want.httpVersion, `${where}: version`);
  }
  if (want.rawHeaders !== undefined) {
    assert.deepEqual(h.rawHeaders, want.rawHeaders, `${where}: rawHeaders`);
  }
  if (want.rawHeadersLength !== undefined) {
    assert.equal(h.rawHeaders.length, want.rawHeadersLength, `${where}: rawHeaders.length`);
  }
  if (want.headers !== undefined) {
    assert.deepEqual(headersOf(h.rawHeaders), want.headers, `${where}: headers`);
  }
  if (want.body !== undefined) assert.equal(got.body, want.body, `${where}: body`);
  if (want.trailers !== undefined) {
    assert.deepEqual(headersOf(got.rawTrailers), want.trailers, `${where}: trailers`);
  }
  if (want.head !== undefined) assert.equal(got.upgradeHead, want.head, `${where}: upgrade head`);
}

function checkRequestCase(c: RequestCase): void {
  const bytes = bytesOf(c.raw);
  let firstCode: string | null | undefined;
  for (const { name, chunks } of splits(bytes, c.noSplit === true && c.splitAll !== true)) {
    const where = `${c.id} [${name}]`;
    const run = runRequests(chunks);
    const code = run.error?.code ?? null;
    if (firstCode === undefined) firstCode = code;
    else assert.equal(code, firstCode, `${where}: same outcome as whole input`);

    if (isLimitCase(c.id) && c.expect === "reject") {
      assert.equal(run.delivered.length, 0, `${where}: nothing delivered`);
      assert.equal(code, "HPE_HEADER_OVERFLOW", `${where}: header overflow`);
      continue;
    }
    const expectAccept = c.expect === "accept" || SERVER_LEVEL_ACCEPT.has(c.id);
    if (!expectAccept) {
      assert.equal(run.delivered.length, 0, `${where}: no request may be delivered`);
      assert.ok(run.error !== null, `${where}: must fail`);
      assert.match(run.error.code, /^HPE_/, `${where}: llhttp-style code`);
      continue;
    }
    if (run.error !== null && run.delivered.length === 0 && c.alsoAllow?.includes("reject")) {
      continue; // the alternative outcome the RFC permits
    }
    const want = c.requests ?? [];
    if (c.prefixOk) {
      // The listed requests, then possibly an error for what follows: nothing more.
      assert.equal(run.delivered.length, want.length, `${where}: delivered count`);
    } else {
      assert.equal(run.error, null, `${where}: unexpected ${run.error?.code} ${run.error?.reason}`);
      assert.equal(run.partial, false, `${where}: message left open`);
      if (SERVER_LEVEL_ACCEPT.has(c.id)) {
        assert.equal(run.delivered.length, 1, `${where}: delivered to the server`);
        continue;
      }
      assert.equal(run.delivered.length, want.length, `${where}: delivered count`);
    }
    for (let k = 0; k < want.length; k++) {
      compareRequest(run.delivered[k], want[k], `${where} #${k}`);
    }
  }
}

// ---------------------------------------------------------------------------
// Responses.

interface ResponseRun {
  info: { head: MessageHead }[];
  final: Delivered | null;
  complete: boolean;
  error: ParseError | null;
}

function runResponse(chunks: Uint8Array[], method: string): ResponseRun {
  const info: { head: MessageHead }[] = [];
  let final: Delivered | null = null;
  let complete = false;
  let interim = false;
  const parser = new HTTPParser("response", {
    onHeaders(head) {
      if (head.upgrade) {
        final = { event: "upgrade", head, body: "", rawTrailers: [], upgradeHead: "" };
        return HEADERS_UPGRADE;
      }
      if (head.statusCode >= 100 && head.statusCode < 200) {
        info.push({ head });
        interim = true;
        return HEADERS_SKIP_BODY;
      }
      assert.equal(final, null, "a second final response");
      final = { event: "response", head, body: "", rawTrailers: [], upgradeHead: "" };
      return method === "HEAD" ? HEADERS_SKIP_BODY : HEADERS_BODY;
    },
    onBody(chunk) {
      assert.ok(final !== null && !interim, "body outside the final response");
      (final as Delivered).body += latin1Decode(chunk, 0, chunk.length);
    },
    onComplete(rawTrailers) {
      if (interim) {
        interim = false;
        return;
      }
      assert.ok(final !== null);
      (final as Delivered).rawTrailers = rawTrailers;
      complete = true;
    },
  });
  let error: ParseError | null = null;
  for (const chunk of chunks) {
    if (parser.upgraded) continue;
    const ret = parser.execute(chunk);
    if (ret < 0) {
      error = parser.error;
      break;
    }
  }
  if (error === null) error = parser.finish();
  return { info, final, complete, error };
}

function checkResponseCase(c: ResponseCase): void {
  const bytes = bytesOf(c.raw);
  let firstCode: string | null | undefined;
  for (const { name, chunks } of splits(bytes, c.noSplit === true && c.splitAll !== true)) {
    const where = `${c.id} [${name}]`;
    const run = runResponse(chunks, c.method ?? "GET");
    const code = run.error?.code ?? null;
    if (firstCode === undefined) firstCode = code;
    else assert.equal(code, firstCode, `${where}: same outcome as whole input`);
    const accepted = run.error === null && run.complete;
    if (c.expect === "reject") {
      if (accepted && c.alsoAllow?.includes("accept")) continue;
      assert.ok(run.error !== null, `${where}: must fail`);
      assert.match(run.error.code, /^HPE_/, `${where}: llhttp-style code`);
      continue;
    }
    if (!accepted && c.alsoAllow?.includes("reject")) continue;
    assert.equal(run.error, null, `${where}: unexpected ${run.error?.code} ${run.error?.reason}`);
    assert.ok(run.complete && run.final !== null, `${where}: response completed`);
    const want = c.response as ExpectedResponse;
    const got = run.final as Delivered;
    const h = got.head;
    assert.equal(got.event, want.outcome, `${where}: outcome`);
    if (want.httpVersion !== undefined) {
      assert.equal(`${h.versionMajor}.${h.versionMinor}`, want.httpVersion, `${where}: version`);
    }
    if (want.statusCode !== undefined) assert.equal(h.statusCode, want.statusCode, where);
    if (want.statusMessage !== undefined) {
      assert.equal(h.statusMessage, want.statusMessage, `${where}: statusMessage`);
    }
    if (want.rawHeaders !== undefined) {
      assert.deepEqual(h.rawHeaders, want.rawHeaders, `${where}: rawHeaders`);
    }
    if (want.headers !== undefined) {
      assert.deepEqual(headersOf(h.rawHeaders), want.headers, `${where}: headers`);
    }
    if (want.body !== undefined) assert.equal(got.body, want.body, `${where}: body`);
    if (want.trailers !== undefined) {
      assert.deepEqual(headersOf(got.rawTrailers), want.trailers, `${where}: trailers`);
    }
    if (want.information !== undefined) {
      assert.equal(run.info.length, want.information.length, `${where}: information count`);
      want.information.forEach((inf, k) => {
        const ih = run.info[k].head;
        assert.equal(ih.statusCode, inf.statusCode, `${where}: info #${k} status`);
        assert.equal(ih.statusMessage, inf.statusMessage, `${where}: info #${k} message`);
        assert.deepEqual(ih.rawHeaders, inf.rawHeaders, `${where}: info #${k} rawHeaders`);
        assert.deepEqual(headersOf(ih.rawHeaders), inf.headers, `${where}: info #${k} headers`);
      });
    }
  }
}

// ---------------------------------------------------------------------------

describe("wire cases: requests.json through HTTPParser('request')", () => {
  test("the case file is not empty", () => {
    assert.ok(requestCases.length >= 50, `only ${requestCases.length} cases`);
  });
  for (const c of requestCases) {
    test(`${c.id} (${c.expect})`, () => checkRequestCase(c));
  }
});

describe("wire cases: responses.json through HTTPParser('response')", () => {
  test("the case file is not empty", () => {
    assert.ok(responseCases.length >= 10, `only ${responseCases.length} cases`);
  });
  for (const c of responseCases) {
    test(`${c.id} (${c.expect})`, () => checkResponseCase(c));
  }
});
