/**
 * `src/core/headers.ts`: token / header-character validation over every
 * UTF-16 code unit, Node's validateHeaderName/Value errors, the
 * `message.headers` join rules, `headersDistinct`, lower-casing and
 * `uniqueHeaders`. Under plain Node 20 the results are also compared with
 * node:http's own implementation.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addIncomingHeaders,
  buildDistinctHeaders,
  checkInvalidHeaderChar,
  checkIsHttpToken,
  isSingleValueHeader,
  joinUniqueHeaderValue,
  parseUniqueHeadersOption,
  toLowerCaseHeader,
  validateHeaderName,
  validateHeaderValue,
} from "../src/core/headers.ts";

interface RuntimeGlobals {
  Deno?: unknown;
  Bun?: unknown;
  process?: { versions?: { node?: string } };
}
const g = globalThis as unknown as RuntimeGlobals;
const isNode20 = g.Deno === undefined && g.Bun === undefined &&
  (g.process?.versions?.node ?? "").startsWith("20.");

const TCHAR_EXTRA = "!#$%&'*+-.^_`|~";

/** Independent definition of RFC 9110 tchar. */
function isTchar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    TCHAR_EXTRA.includes(String.fromCharCode(c));
}

/** Independent definition of a header value character Node accepts. */
function isFieldChar(c: number): boolean {
  return c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
}

function throwsCoded(fn: () => void, ctor: ErrorConstructor, code: string, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ctor, `expected ${ctor.name}, got ${String(err)}`);
    assert.equal((err as { code?: string }).code, code);
    assert.equal((err as Error).message, message);
    return true;
  });
}

describe("checkIsHttpToken", () => {
  test("every UTF-16 code unit alone, and in the middle / at the end of a token", () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const want = isTchar(c);
      if (checkIsHttpToken(ch) !== want) assert.fail(`char 0x${c.toString(16)} alone`);
      if (checkIsHttpToken(`ab${ch}cd`) !== want) assert.fail(`char 0x${c.toString(16)} inside`);
      if (checkIsHttpToken(`abcd${ch}`) !== want) assert.fail(`char 0x${c.toString(16)} at end`);
    }
  });

  test("the full tchar set is accepted; empty is not", () => {
    assert.equal(
      checkIsHttpToken(
        "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
      ),
      true,
    );
    assert.equal(checkIsHttpToken(""), false);
    for (const bad of ["a b", "a:b", "a\tb", '"q"', "(x)", "a,b", "a/b", "a@b", "{}", "[]", "é"]) {
      assert.equal(checkIsHttpToken(bad), false, bad);
    }
  });
});

describe("checkInvalidHeaderChar", () => {
  test("every UTF-16 code unit alone and inside a value", () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      const invalid = !isFieldChar(c);
      if (checkInvalidHeaderChar(ch) !== invalid) assert.fail(`char 0x${c.toString(16)} alone`);
      if (checkInvalidHeaderChar(`text/${ch}html`) !== invalid) {
        assert.fail(`char 0x${c.toString(16)} inside`);
      }
    }
  });

  test("typical values", () => {
    assert.equal(checkInvalidHeaderChar(""), false);
    assert.equal(checkInvalidHeaderChar("text/html; charset=utf-8"), false);
    assert.equal(checkInvalidHeaderChar("caf\u00e9 \t tab"), false);
    assert.equal(checkInvalidHeaderChar("a\r\nX-Injected: 1"), true);
    assert.equal(checkInvalidHeaderChar("nul\0"), true);
    assert.equal(checkInvalidHeaderChar("euro \u20ac"), true);
  });
});

describe("validateHeaderName", () => {
  test("valid names pass", () => {
    for (const n of ["x", "Content-Type", "X-Custom_Header.1", "~!#$%&'*+-.^_`|"]) {
      validateHeaderName(n);
    }
  });

  test("invalid names: TypeError ERR_INVALID_HTTP_TOKEN with Node's message", () => {
    const cases: [unknown, string][] = [
      ["a b", '["a b"]'],
      ["", '[""]'],
      ["x:y", '["x:y"]'],
      ["caf\u00e9", '["caf\u00e9"]'],
      ["a\r\nb", '["a\r\nb"]'],
      [undefined, '["undefined"]'],
      [null, '["null"]'],
      [5, '["5"]'],
    ];
    for (const [name, suffix] of cases) {
      throwsCoded(
        () => validateHeaderName(name as string),
        TypeError,
        "ERR_INVALID_HTTP_TOKEN",
        `Header name must be a valid HTTP token ${suffix}`,
      );
    }
  });

  test("custom label", () => {
    throwsCoded(
      () => validateHeaderName("a b", "Method"),
      TypeError,
      "ERR_INVALID_HTTP_TOKEN",
      'Method must be a valid HTTP token ["a b"]',
    );
    // An empty label falls back to the default, as in Node.
    throwsCoded(
      () => validateHeaderName("a b", ""),
      TypeError,
      "ERR_INVALID_HTTP_TOKEN",
      'Header name must be a valid HTTP token ["a b"]',
    );
  });
});

describe("validateHeaderValue", () => {
  test("valid values of any type pass", () => {
    for (const v of ["", "x", "caf\u00e9", 5, 0, null, true, ["a", "b"], [], { a: 1 }]) {
      validateHeaderValue("x-h", v);
    }
  });

  test("undefined: TypeError ERR_HTTP_INVALID_HEADER_VALUE", () => {
    throwsCoded(
      () => validateHeaderValue("x-h", undefined),
      TypeError,
      "ERR_HTTP_INVALID_HEADER_VALUE",
      'Invalid value "undefined" for header "x-h"',
    );
  });

  test("invalid characters, also inside arrays and string conversions: ERR_INVALID_CHAR", () => {
    const bad: unknown[] = [
      "a\nb",
      "a\rb",
      "\0",
      "\x7f",
      "\u0100",
      ["ok", "b\n"],
      [["nested\r"]],
      { toString: () => "x\n" },
    ];
    for (const v of bad) {
      throwsCoded(
        () => validateHeaderValue("X-Name", v),
        TypeError,
        "ERR_INVALID_CHAR",
        'Invalid character in header content ["X-Name"]',
      );
    }
  });

  test("a symbol value throws a TypeError (cannot be converted), like Node", () => {
    assert.throws(() => validateHeaderValue("x", Symbol("s")), TypeError);
  });
});

describe("toLowerCaseHeader", () => {
  test("known names in canonical, lower, upper and odd casing", () => {
    const names = [
      "Host",
      "Content-Type",
      "Content-Length",
      "ETag",
      "WWW-Authenticate",
      "TE",
      "Set-Cookie",
      "Transfer-Encoding",
      "Sec-WebSocket-Key",
      "User-Agent",
      "X-Forwarded-For",
      "Access-Control-Allow-Origin",
    ];
    for (const n of names) {
      const lower = n.toLowerCase();
      for (const variant of [n, lower, n.toUpperCase(), n.replace(/e/g, "E")]) {
        assert.equal(toLowerCaseHeader(variant), lower, variant);
      }
    }
  });

  test("unknown names, non-ASCII, empty", () => {
    assert.equal(toLowerCaseHeader("X-My-Header"), "x-my-header");
    assert.equal(toLowerCaseHeader("x-already-lower"), "x-already-lower");
    assert.equal(toLowerCaseHeader("\u00c9T\u00c9"), "\u00e9t\u00e9");
    assert.equal(toLowerCaseHeader(""), "");
    // Same length as known names but different text.
    assert.equal(toLowerCaseHeader("Hoxt"), "hoxt");
    assert.equal(toLowerCaseHeader("Content-Typo"), "content-typo");
  });
});

const DISCARDED = [
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent",
];

function mixedCase(s: string, seed: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    out += (i + seed) % 2 === 0 ? s[i].toUpperCase() : s[i];
  }
  return out;
}

describe("addIncomingHeaders (message.headers)", () => {
  test("keys are lower-cased; a single header keeps its value", () => {
    const h: Record<string, string | string[]> = {};
    addIncomingHeaders(h, ["Content-Type", "text/plain", "X-FOO", "Bar", "accept", "*/*"]);
    assert.deepEqual(h, { "content-type": "text/plain", "x-foo": "Bar", "accept": "*/*" });
  });

  test("duplicates of each discard-list header keep the first value, any casing", () => {
    for (const [i, name] of DISCARDED.entries()) {
      const h: Record<string, string | string[]> = {};
      addIncomingHeaders(h, [
        mixedCase(name, i),
        "first",
        name.toUpperCase(),
        "second",
        name,
        "third",
      ]);
      assert.deepEqual(h, { [name]: "first" }, name);
      assert.equal(isSingleValueHeader(name), true, name);
    }
  });

  test("joinDuplicateHeaders joins the discard list with ', '", () => {
    for (const name of DISCARDED) {
      const h: Record<string, string | string[]> = {};
      addIncomingHeaders(h, [name, "a", mixedCase(name, 1), "b", name, "c"], true);
      assert.deepEqual(h, { [name]: "a, b, c" }, name);
    }
  });

  test("set-cookie is always an array, even once, with or without joinDuplicateHeaders", () => {
    for (const join of [false, true]) {
      const one: Record<string, string | string[]> = {};
      addIncomingHeaders(one, ["Set-Cookie", "a=1"], join);
      assert.deepEqual(one, { "set-cookie": ["a=1"] });
      const many: Record<string, string | string[]> = {};
      addIncomingHeaders(
        many,
        ["Set-Cookie", "a=1", "SET-COOKIE", "b=2", "set-cookie", "c=3"],
        join,
      );
      assert.deepEqual(many, { "set-cookie": ["a=1", "b=2", "c=3"] });
    }
  });

  test("cookie duplicates are joined with '; ' (also with joinDuplicateHeaders)", () => {
    for (const join of [false, true]) {
      const h: Record<string, string | string[]> = {};
      addIncomingHeaders(h, ["Cookie", "a=1", "COOKIE", "b=2", "cookie", "c=3"], join);
      assert.deepEqual(h, { cookie: "a=1; b=2; c=3" });
    }
  });

  test("every other header joins duplicates with ', '", () => {
    for (const name of ["accept", "x-foo", "date", "vary", "connection", "via", "te", "dnt"]) {
      const h: Record<string, string | string[]> = {};
      addIncomingHeaders(h, [mixedCase(name, 0), "a", name.toUpperCase(), "b", name, ""]);
      assert.deepEqual(h, { [name]: "a, b, " }, name);
      assert.equal(isSingleValueHeader(name), false);
    }
  });

  test("a mix of rules in one message, order of keys = first appearance", () => {
    const h: Record<string, string | string[]> = {};
    addIncomingHeaders(h, [
      "Host",
      "example.com",
      "Accept",
      "text/html",
      "Set-Cookie",
      "s=1",
      "Cookie",
      "c=1",
      "HOST",
      "evil.com",
      "accept",
      "*/*",
      "set-cookie",
      "s=2",
      "cookie",
      "c=2",
      "Content-Length",
      "5",
      "content-length",
      "6",
    ]);
    assert.deepEqual(Object.keys(h), ["host", "accept", "set-cookie", "cookie", "content-length"]);
    assert.deepEqual(h, {
      host: "example.com",
      accept: "text/html, */*",
      "set-cookie": ["s=1", "s=2"],
      cookie: "c=1; c=2",
      "content-length": "5",
    });
  });

  test("adds to an existing object (trailers after headers) and ignores a dangling name", () => {
    const h: Record<string, string | string[]> = { accept: "a", "set-cookie": ["x"] };
    addIncomingHeaders(h, ["Accept", "b", "Set-Cookie", "y", "X-Dangling"]);
    assert.deepEqual(h, { accept: "a, b", "set-cookie": ["x", "y"] });
  });

  test("names shadowing Object.prototype members behave like any other header", () => {
    const h: Record<string, string | string[]> = {};
    addIncomingHeaders(h, ["Constructor", "a", "constructor", "b", "toString", "c"]);
    assert.equal(h.constructor, "a, b");
    assert.equal(h.tostring, "c");
    // "__proto__" cannot become an own key of a plain object (as in Node) and must not
    // change the prototype.
    const p: Record<string, string | string[]> = {};
    addIncomingHeaders(p, ["__proto__", "x"]);
    assert.equal(Object.getPrototypeOf(p), Object.prototype);
    assert.deepEqual(Object.keys(p), []);
  });
});

describe("buildDistinctHeaders (message.headersDistinct)", () => {
  test("every name maps to an array of all values, no joining, any rule", () => {
    const d = buildDistinctHeaders([
      "Host",
      "a",
      "HOST",
      "b",
      "Set-Cookie",
      "s",
      "Cookie",
      "c1",
      "cookie",
      "c2",
      "X-One",
      "1",
    ]);
    assert.deepEqual({ ...d }, {
      host: ["a", "b"],
      "set-cookie": ["s"],
      cookie: ["c1", "c2"],
      "x-one": ["1"],
    });
  });

  test("empty input and prototype-member names", () => {
    assert.deepEqual({ ...buildDistinctHeaders([]) }, {});
    const d = buildDistinctHeaders(["constructor", "a", "Constructor", "b", "__proto__", "p"]);
    assert.deepEqual(d.constructor, ["a", "b"]);
    assert.ok(Object.prototype.hasOwnProperty.call(d, "__proto__"));
    assert.equal(Object.getPrototypeOf(d), null);
  });
});

describe("uniqueHeaders helpers", () => {
  test("parseUniqueHeadersOption", () => {
    assert.equal(parseUniqueHeadersOption(undefined), null);
    assert.equal(parseUniqueHeadersOption("x"), null);
    assert.deepEqual(parseUniqueHeadersOption(["X-A", "x-b", "X-A"]), new Set(["x-a", "x-b"]));
  });

  test("joinUniqueHeaderValue", () => {
    assert.equal(joinUniqueHeaderValue(["a=1", "b=2"]), "a=1; b=2");
    assert.equal(joinUniqueHeaderValue("one"), "one");
    assert.equal(joinUniqueHeaderValue(7), "7");
  });
});

if (isNode20) {
  describe("headers: same as node:http (plain Node 20 only)", () => {
    test("validateHeaderName / validateHeaderValue throw what node:http throws", async () => {
      const http = await import("node:http");
      const names: unknown[] = ["ok", "a b", "", "é", "x:y", undefined, null, 7, "a\nb"];
      for (const n of names) {
        let theirs: Error | undefined;
        let ours: Error | undefined;
        try {
          http.validateHeaderName(n as string);
        } catch (e) {
          theirs = e as Error;
        }
        try {
          validateHeaderName(n as string);
        } catch (e) {
          ours = e as Error;
        }
        assert.equal(ours?.message, theirs?.message, String(n));
        assert.equal((ours as { code?: string })?.code, (theirs as { code?: string })?.code);
        assert.equal(ours?.constructor, theirs?.constructor);
      }
      const values: unknown[] = ["ok", "a\nb", undefined, null, 5, ["a", "b\r"], "\u0100", "\x7f"];
      for (const v of values) {
        let theirs: Error | undefined;
        let ours: Error | undefined;
        try {
          http.validateHeaderValue("X-T", v as string);
        } catch (e) {
          theirs = e as Error;
        }
        try {
          validateHeaderValue("X-T", v);
        } catch (e) {
          ours = e as Error;
        }
        assert.equal(ours?.message, theirs?.message, String(v));
        assert.equal((ours as { code?: string })?.code, (theirs as { code?: string })?.code);
      }
    });

    test("addIncomingHeaders / buildDistinctHeaders equal IncomingMessage's for a random mix", async () => {
      const http = await import("node:http");
      type Adder = (this: unknown, f: string, v: string, d: Record<string, unknown>) => void;
      const proto = http.IncomingMessage.prototype as unknown as {
        _addHeaderLine: Adder;
        _addHeaderLineDistinct: Adder;
      };
      const pool = [
        ...DISCARDED,
        "set-cookie",
        "cookie",
        "accept",
        "date",
        "vary",
        "x-foo",
        "connection",
        "transfer-encoding",
        "upgrade",
        "keep-alive",
        "www-authenticate",
      ];
      let seed = 12345;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      for (let round = 0; round < 200; round++) {
        const raw: string[] = [];
        const count = 1 + rand(30);
        for (let i = 0; i < count; i++) {
          const name = pool[rand(pool.length)];
          raw.push(mixedCase(name, rand(3)), `v${i}`);
        }
        for (const join of [false, true]) {
          const theirs: Record<string, unknown> = {};
          for (let i = 0; i < raw.length; i += 2) {
            proto._addHeaderLine.call({ joinDuplicateHeaders: join }, raw[i], raw[i + 1], theirs);
          }
          const ours: Record<string, string | string[]> = {};
          addIncomingHeaders(ours, raw, join);
          assert.deepEqual(ours, theirs);
          assert.deepEqual(Object.keys(ours), Object.keys(theirs));
        }
        const theirsDistinct: Record<string, unknown> = {};
        for (let i = 0; i < raw.length; i += 2) {
          proto._addHeaderLineDistinct.call({}, raw[i], raw[i + 1], theirsDistinct);
        }
        assert.deepEqual({ ...buildDistinctHeaders(raw) }, theirsDistinct);
      }
    });
  });
}
