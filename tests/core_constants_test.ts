/**
 * `src/core/constants.ts`: METHODS, STATUS_CODES and the limits, checked by
 * spot values and counts everywhere, and deep-equal to `node:http`'s own
 * tables when running under plain Node 20.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MAX_HEADER_SIZE,
  MAX_HEADERS_COUNT,
  METHODS,
  STATUS_CODES,
} from "../src/core/constants.ts";
import { checkIsHttpToken } from "../src/core/headers.ts";

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
  process?: { versions?: { node?: string } };
}
const g = globalThis as unknown as RuntimeGlobals;
/** Plain Node 20 (not Deno's or Bun's node compatibility layer). */
const isNode20 = g.Deno === undefined && g.Bun === undefined &&
  (g.process?.versions?.node ?? "").startsWith("20.");

describe("constants: METHODS", () => {
  test("35 distinct upper-case tokens in sorted order", () => {
    assert.equal(METHODS.length, 35);
    assert.equal(new Set(METHODS).size, METHODS.length);
    assert.deepEqual([...METHODS].sort(), METHODS);
    for (const m of METHODS) {
      assert.ok(checkIsHttpToken(m), m);
      assert.equal(m, m.toUpperCase());
    }
  });

  test("spot checks", () => {
    for (
      const m of [
        "ACL",
        "CONNECT",
        "DELETE",
        "GET",
        "HEAD",
        "M-SEARCH",
        "MKCALENDAR",
        "OPTIONS",
        "PATCH",
        "POST",
        "PURGE",
        "PUT",
        "QUERY",
        "SOURCE",
        "TRACE",
        "UNSUBSCRIBE",
      ]
    ) {
      assert.ok(METHODS.includes(m), m);
    }
    assert.equal(METHODS[0], "ACL");
    assert.equal(METHODS[METHODS.length - 1], "UNSUBSCRIBE");
    assert.ok(!METHODS.includes("PRI"));
    assert.ok(!METHODS.includes("get"));
  });
});

describe("constants: STATUS_CODES", () => {
  test("63 codes, all 1xx-5xx with non-empty phrases", () => {
    const keys = Object.keys(STATUS_CODES);
    assert.equal(keys.length, 63);
    for (const k of keys) {
      const n = Number(k);
      assert.ok(Number.isInteger(n) && n >= 100 && n <= 599, k);
      assert.equal(typeof STATUS_CODES[n], "string");
      assert.ok(STATUS_CODES[n].length > 0);
    }
  });

  test("spot checks", () => {
    const expected: [number, string][] = [
      [100, "Continue"],
      [101, "Switching Protocols"],
      [103, "Early Hints"],
      [200, "OK"],
      [203, "Non-Authoritative Information"],
      [226, "IM Used"],
      [302, "Found"],
      [308, "Permanent Redirect"],
      [404, "Not Found"],
      [413, "Payload Too Large"],
      [414, "URI Too Long"],
      [416, "Range Not Satisfiable"],
      [418, "I'm a Teapot"],
      [422, "Unprocessable Entity"],
      [425, "Too Early"],
      [431, "Request Header Fields Too Large"],
      [451, "Unavailable For Legal Reasons"],
      [500, "Internal Server Error"],
      [505, "HTTP Version Not Supported"],
      [509, "Bandwidth Limit Exceeded"],
      [511, "Network Authentication Required"],
    ];
    for (const [code, phrase] of expected) assert.equal(STATUS_CODES[code], phrase, String(code));
    for (const missing of [104, 306, 419, 420, 430, 512, 599]) {
      assert.equal(STATUS_CODES[missing], undefined, String(missing));
    }
  });
});

describe("constants: limits", () => {
  test("Node's defaults", () => {
    assert.equal(MAX_HEADER_SIZE, 16384);
    assert.equal(MAX_HEADERS_COUNT, 2000);
  });
});

if (isNode20) {
  describe("constants: same as node:http (plain Node 20 only)", () => {
    test("METHODS, STATUS_CODES and maxHeaderSize deep-equal node:http's", async () => {
      const http = await import("node:http");
      assert.deepEqual(METHODS, http.METHODS);
      assert.deepEqual({ ...STATUS_CODES }, { ...http.STATUS_CODES });
      assert.equal(MAX_HEADER_SIZE, http.maxHeaderSize);
    });
  });
}
