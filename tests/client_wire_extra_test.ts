/**
 * More raw responses through the client (`wire_cases_extra_responses.json`,
 * expectations as Node 20's client reports them: error codes and messages
 * included), whole and in pieces; then a few behaviours a case file cannot
 * hold (a local destroy during a close-delimited body, header count limits).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { request } from "../src/request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import {
  type ExpectedResponse,
  type InfoSeen as Info,
  type RawResponseOutcome,
  rawServer,
  requestRawResponse,
  withTimeout,
} from "./client_util.ts";

interface ExtraCase {
  id: string;
  raw: string;
  expect: "accept" | "reject" | "close";
  method?: string;
  requestHeaders?: Record<string, string>;
  listenUpgrade?: boolean;
  insecureHTTPParser?: boolean;
  response?: ExpectedResponse;
  head?: { statusCode: number; rawHeaders: string[] };
  information?: Info[];
  error?: { code: string; message: string };
}

function caseFile(): string {
  // Deno and Bun run tests/ from the sources; Node runs the compiled copy,
  // which has no JSON beside it.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = path.join(dir, "tests", "wire_cases_extra_responses.json");
    if (fs.existsSync(p)) return p;
    const q = path.join(dir, "wire_cases_extra_responses.json");
    if (fs.existsSync(q)) return q;
    dir = path.dirname(dir);
  }
  throw new Error("wire_cases_extra_responses.json not found");
}

const cases = (JSON.parse(fs.readFileSync(caseFile(), "utf8")) as { cases: ExtraCase[] }).cases;

type Outcome = RawResponseOutcome;

function checkError(c: ExtraCase, out: Outcome): void {
  if (!c.error) {
    assert.deepEqual(out.errors.map((e) => e.message), [], "no error expected");
    return;
  }
  assert.ok(out.errors.length > 0, `expected ${c.error.code}`);
  const e = out.errors[0] as Error & { code?: string };
  assert.deepEqual({ code: e.code, message: e.message }, c.error);
}

function infoOf(out: Outcome): Info[] {
  return out.information.map((i) => ({
    statusCode: i.statusCode,
    statusMessage: i.statusMessage,
    headers: { ...i.headers },
    rawHeaders: i.rawHeaders,
  }));
}

function check(c: ExtraCase, out: Outcome): void {
  checkError(c, out);
  if (c.expect === "close") {
    assert.equal(out.res, null, "no response expected");
    assert.ok(out.closed);
    return;
  }
  if (c.expect === "reject") {
    if (c.head) {
      assert.ok(out.res, "the head comes first");
      assert.equal(out.res!.statusCode, c.head.statusCode);
      assert.deepEqual(out.res!.rawHeaders, c.head.rawHeaders);
      assert.ok(!(out.ended && out.res!.complete), "a complete response was delivered");
    } else {
      assert.equal(out.res, null, "no response expected");
    }
    assert.deepEqual(infoOf(out), c.information ?? []);
    return;
  }
  const exp = c.response!;
  const res = out.res;
  assert.ok(res, "no response");
  assert.equal(res.statusCode, exp.statusCode);
  assert.equal(res.statusMessage, exp.statusMessage);
  assert.deepEqual(res.rawHeaders, exp.rawHeaders);
  assert.deepEqual({ ...res.headers }, exp.headers);
  assert.deepEqual(infoOf(out), exp.information);
  if (exp.outcome === "upgrade") {
    assert.equal(out.upgradeHead, exp.head ?? "");
    return;
  }
  assert.equal(res.httpVersion, exp.httpVersion);
  assert.ok(out.ended, "response did not end");
  assert.equal(res.complete, true);
  assert.equal(out.body, exp.body);
  assert.deepEqual({ ...res.trailers }, exp.trailers);
  if (exp.rawTrailers) assert.deepEqual(res.rawTrailers, exp.rawTrailers);
}

for (const pieces of [1, 3]) {
  describe(`extra wire responses (${pieces === 1 ? "whole" : "in pieces"})`, () => {
    for (const c of cases) {
      test(c.id, async () => check(c, await requestRawResponse(c, pieces)));
    }
  });
}

describe("client wire behaviours", () => {
  test("destroy() during a close-delimited body aborts it (no 'end')", async () => {
    const srv = await rawServer((socket) => socket.write("HTTP/1.1 200 OK\r\n\r\npartial"));
    try {
      const seen = await withTimeout(
        new Promise<string[]>((resolve) => {
          const events: string[] = [];
          const req = request({ host: "127.0.0.1", port: srv.port, agent: false });
          req.on("error", (e: Error) => events.push(`req error ${e.message}`));
          req.on("response", (res: IncomingMessage) => {
            res.on("data", () => {
              events.push("data");
              req.destroy();
            });
            res.on("end", () => events.push("end"));
            res.on("aborted", () => events.push("aborted"));
            res.on(
              "error",
              (e: Error & { code?: string }) => events.push(`res error ${e.code} ${e.message}`),
            );
            res.on("close", () => {
              events.push("res close");
              setTimeout(() => resolve(events), 20);
            });
          });
          req.end();
        }),
        4000,
        "destroy",
      );
      assert.deepEqual(seen, ["data", "aborted", "res error ECONNRESET aborted", "res close"]);
    } finally {
      await srv.close();
    }
  });

  test("destroy() in the 'response' listener: the body already read is not handed out", async () => {
    const srv = await rawServer((socket) =>
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    );
    try {
      const body = await withTimeout(
        new Promise<string>((resolve) => {
          let got = "";
          const req = request({ host: "127.0.0.1", port: srv.port, agent: false });
          req.on("error", () => {});
          req.on("response", (res: IncomingMessage) => {
            req.destroy();
            res.on("data", (d: Uint8Array) => got += String.fromCharCode(...d));
            res.on("error", () => {});
            res.on("close", () => setTimeout(() => resolve(got), 20));
          });
          req.end();
        }),
        4000,
        "destroy in response",
      );
      assert.equal(body, "");
    } finally {
      await srv.close();
    }
  });

  async function headerCounts(
    fields: number,
    maxHeadersCount?: number,
  ): Promise<[number, number]> {
    const lines = Array.from({ length: fields }, (_, i) => `f${i}: v\r\n`).join("");
    const srv = await rawServer((socket) =>
      socket.end(`HTTP/1.1 200 OK\r\n${lines}Content-Length: 0\r\n\r\n`)
    );
    try {
      return await withTimeout(
        new Promise<[number, number]>((resolve, reject) => {
          const req = request({ host: "127.0.0.1", port: srv.port, agent: false });
          if (maxHeadersCount !== undefined) req.maxHeadersCount = maxHeadersCount;
          req.on("error", reject);
          req.on("response", (res: IncomingMessage) => {
            resolve([res.rawHeaders.length / 2, Object.keys(res.headers).length]);
            res.resume();
          });
          req.end();
        }),
        4000,
        "header counts",
      );
    } finally {
      await srv.close();
    }
  }

  test("headers keeps 1000 fields by default, rawHeaders a few more (Node's batches)", async () => {
    assert.deepEqual(await headerCounts(999), [1000, 1000]);
    assert.deepEqual(await headerCounts(1000), [1001, 1000]);
    assert.deepEqual(await headerCounts(1100), [1023, 1000]);
  });

  test("maxHeadersCount limits headers; rawHeaders keeps whole batches", async () => {
    assert.deepEqual(await headerCounts(9, 5), [10, 5]);
    assert.deepEqual(await headerCounts(39, 20), [31, 20]);
    assert.deepEqual(await headerCounts(99, 50), [62, 50]);
    assert.deepEqual(await headerCounts(99, 0), [100, 100]);
  });
});
