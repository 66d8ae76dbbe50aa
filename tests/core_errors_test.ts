/**
 * `src/core/errors.ts`: every code factory's class, code, name, toString,
 * stack header and Node 20's exact message; ERR_INVALID_ARG_TYPE's wording of
 * expected types and received values; the small inspect; system errors,
 * ECONNRESET and AbortError. Under plain Node 20 messages are also compared
 * with errors thrown by Node's own public APIs.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as E from "../src/core/errors.ts";

interface RuntimeGlobals {
  Deno?: { build?: { os?: string } };
  Bun?: unknown;
  process?: { versions?: { node?: string }; platform?: string };
}
const g = globalThis as unknown as RuntimeGlobals;
const isNode20 = g.Deno === undefined && g.Bun === undefined &&
  (g.process?.versions?.node ?? "").startsWith("20.");
const isLinux = (g.Deno?.build?.os ?? g.process?.platform) === "linux";

type Ctor = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

function checkCoded(err: Error, ctor: Ctor, code: string, message: string): void {
  assert.ok(err instanceof ctor, `${code} should be a ${ctor.name}`);
  assert.equal(err.constructor, ctor, `${code} constructor`);
  assert.equal((err as { code?: string }).code, code);
  assert.equal(err.message, message);
  assert.equal(err.name, ctor.name);
  assert.equal(String(err), `${ctor.name} [${code}]: ${message}`);
  assert.equal(Object.prototype.propertyIsEnumerable.call(err, "code"), true);
  assert.equal(Object.prototype.propertyIsEnumerable.call(err, "message"), false);
  assert.equal(Object.prototype.hasOwnProperty.call(err, "name"), false);
  const firstLine = `${ctor.name} [${code}]: ${message.split("\n")[0]}`;
  assert.ok(
    typeof err.stack === "string" && err.stack.startsWith(firstLine),
    `stack of ${code} starts with ${firstLine}: ${err.stack?.slice(0, 200)}`,
  );
}

describe("errors: fixed-message codes", () => {
  const cases: [() => Error, Ctor, string, string][] = [
    [
      () => E.ERR_HTTP_BODY_NOT_ALLOWED(),
      Error,
      "ERR_HTTP_BODY_NOT_ALLOWED",
      "Adding content for this request method or response status is not allowed.",
    ],
    [
      () => E.ERR_HTTP_CONTENT_LENGTH_MISMATCH(5, 3),
      Error,
      "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
      "Response body's content-length of 5 byte(s) does not match the content-length of 3 byte(s) set in header",
    ],
    [
      () => E.ERR_HTTP_HEADERS_SENT("set"),
      Error,
      "ERR_HTTP_HEADERS_SENT",
      "Cannot set headers after they are sent to the client",
    ],
    [
      () => E.ERR_HTTP_HEADERS_SENT("render"),
      Error,
      "ERR_HTTP_HEADERS_SENT",
      "Cannot render headers after they are sent to the client",
    ],
    [
      () => E.ERR_HTTP_INVALID_HEADER_VALUE(undefined, "foo"),
      TypeError,
      "ERR_HTTP_INVALID_HEADER_VALUE",
      'Invalid value "undefined" for header "foo"',
    ],
    [
      () => E.ERR_HTTP_INVALID_STATUS_CODE(99),
      RangeError,
      "ERR_HTTP_INVALID_STATUS_CODE",
      "Invalid status code: 99",
    ],
    [
      () => E.ERR_HTTP_INVALID_STATUS_CODE("abc"),
      RangeError,
      "ERR_HTTP_INVALID_STATUS_CODE",
      "Invalid status code: abc",
    ],
    [() => E.ERR_HTTP_REQUEST_TIMEOUT(), Error, "ERR_HTTP_REQUEST_TIMEOUT", "Request timeout"],
    [
      () => E.ERR_HTTP_SOCKET_ASSIGNED(),
      Error,
      "ERR_HTTP_SOCKET_ASSIGNED",
      "ServerResponse has an already assigned socket",
    ],
    [
      () => E.ERR_HTTP_SOCKET_ENCODING(),
      Error,
      "ERR_HTTP_SOCKET_ENCODING",
      "Changing the socket encoding is not allowed per RFC7230 Section 3.",
    ],
    [
      () => E.ERR_HTTP_TRAILER_INVALID(),
      Error,
      "ERR_HTTP_TRAILER_INVALID",
      "Trailers are invalid with this transfer encoding",
    ],
    [
      () => E.ERR_INVALID_CHAR("header content", "foo"),
      TypeError,
      "ERR_INVALID_CHAR",
      'Invalid character in header content ["foo"]',
    ],
    [
      () => E.ERR_INVALID_CHAR("header content"),
      TypeError,
      "ERR_INVALID_CHAR",
      "Invalid character in header content",
    ],
    [
      () => E.ERR_INVALID_HTTP_TOKEN("Header name", "x y"),
      TypeError,
      "ERR_INVALID_HTTP_TOKEN",
      'Header name must be a valid HTTP token ["x y"]',
    ],
    [
      () => E.ERR_INVALID_IP_ADDRESS("1.2"),
      TypeError,
      "ERR_INVALID_IP_ADDRESS",
      "Invalid IP address: 1.2",
    ],
    [
      () => E.ERR_INVALID_PROTOCOL("ftp:", "http:"),
      TypeError,
      "ERR_INVALID_PROTOCOL",
      'Protocol "ftp:" not supported. Expected "http:"',
    ],
    [() => E.ERR_INVALID_STATE("x"), Error, "ERR_INVALID_STATE", "Invalid state: x"],
    [() => E.ERR_INVALID_URL("x"), TypeError, "ERR_INVALID_URL", "Invalid URL"],
    [
      () => E.ERR_METHOD_NOT_IMPLEMENTED("_write()"),
      Error,
      "ERR_METHOD_NOT_IMPLEMENTED",
      "The _write() method is not implemented",
    ],
    [
      () => E.ERR_MULTIPLE_CALLBACK(),
      Error,
      "ERR_MULTIPLE_CALLBACK",
      "Callback called multiple times",
    ],
    [
      () => E.ERR_SERVER_ALREADY_LISTEN(),
      Error,
      "ERR_SERVER_ALREADY_LISTEN",
      "Listen method has been called more than once without closing.",
    ],
    [() => E.ERR_SERVER_NOT_RUNNING(), Error, "ERR_SERVER_NOT_RUNNING", "Server is not running."],
    [() => E.ERR_SOCKET_CLOSED(), Error, "ERR_SOCKET_CLOSED", "Socket is closed"],
    [
      () => E.ERR_SOCKET_CLOSED_BEFORE_CONNECTION(),
      Error,
      "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
      "Socket closed before the connection was established",
    ],
    [
      () => E.ERR_SOCKET_CONNECTION_TIMEOUT(),
      Error,
      "ERR_SOCKET_CONNECTION_TIMEOUT",
      "Socket connection timeout",
    ],
    [
      () => E.ERR_STREAM_ALREADY_FINISHED("end"),
      Error,
      "ERR_STREAM_ALREADY_FINISHED",
      "Cannot call end after a stream was finished",
    ],
    [
      () => E.ERR_STREAM_CANNOT_PIPE(),
      Error,
      "ERR_STREAM_CANNOT_PIPE",
      "Cannot pipe, not readable",
    ],
    [
      () => E.ERR_STREAM_DESTROYED("write"),
      Error,
      "ERR_STREAM_DESTROYED",
      "Cannot call write after a stream was destroyed",
    ],
    [
      () => E.ERR_STREAM_NULL_VALUES(),
      TypeError,
      "ERR_STREAM_NULL_VALUES",
      "May not write null values to stream",
    ],
    [() => E.ERR_STREAM_PREMATURE_CLOSE(), Error, "ERR_STREAM_PREMATURE_CLOSE", "Premature close"],
    [
      () => E.ERR_STREAM_PUSH_AFTER_EOF(),
      Error,
      "ERR_STREAM_PUSH_AFTER_EOF",
      "stream.push() after EOF",
    ],
    [() => E.ERR_STREAM_WRITE_AFTER_END(), Error, "ERR_STREAM_WRITE_AFTER_END", "write after end"],
    [
      () => E.ERR_UNESCAPED_CHARACTERS("Request path"),
      TypeError,
      "ERR_UNESCAPED_CHARACTERS",
      "Request path contains unescaped characters",
    ],
    [
      () => E.ERR_UNKNOWN_ENCODING("foo"),
      TypeError,
      "ERR_UNKNOWN_ENCODING",
      "Unknown encoding: foo",
    ],
    [
      () => E.ERR_SOCKET_BAD_PORT("options.port", 99999),
      RangeError,
      "ERR_SOCKET_BAD_PORT",
      "options.port should be >= 0 and < 65536. Received type number (99999).",
    ],
    [
      () => E.ERR_SOCKET_BAD_PORT("options.port", 0, false),
      RangeError,
      "ERR_SOCKET_BAD_PORT",
      "options.port should be > 0 and < 65536. Received type number (0).",
    ],
    [
      () => E.ERR_SOCKET_BAD_PORT("Port", "abc"),
      RangeError,
      "ERR_SOCKET_BAD_PORT",
      "Port should be >= 0 and < 65536. Received type string ('abc').",
    ],
    [
      () => E.ERR_SOCKET_BAD_PORT("Port", {}),
      RangeError,
      "ERR_SOCKET_BAD_PORT",
      "Port should be >= 0 and < 65536. Received an instance of Object.",
    ],
    [
      () => E.ERR_MISSING_ARGS("a"),
      TypeError,
      "ERR_MISSING_ARGS",
      'The "a" argument must be specified',
    ],
    [
      () => E.ERR_MISSING_ARGS("a", "b"),
      TypeError,
      "ERR_MISSING_ARGS",
      'The "a" and "b" arguments must be specified',
    ],
    [
      () => E.ERR_MISSING_ARGS("a", "b", "c"),
      TypeError,
      "ERR_MISSING_ARGS",
      'The "a", "b", and "c" arguments must be specified',
    ],
    [
      () => E.ERR_MISSING_ARGS(["a", "b"], "c"),
      TypeError,
      "ERR_MISSING_ARGS",
      'The "a" or "b" and "c" arguments must be specified',
    ],
  ];
  for (const [make, ctor, code, message] of cases) {
    test(`${code}: ${message.slice(0, 50)}`, () => {
      checkCoded(make(), ctor, code, message);
    });
  }

  test("each call returns a fresh error", () => {
    assert.notEqual(E.ERR_STREAM_WRITE_AFTER_END(), E.ERR_STREAM_WRITE_AFTER_END());
  });

  test("ERR_INVALID_URL carries input and base, keys in Node's order", () => {
    const a = E.ERR_INVALID_URL("http://[");
    assert.equal(a.input, "http://[");
    assert.deepEqual(Object.keys(a), ["code", "input"]);
    const b = E.ERR_INVALID_URL("/x", "nope");
    assert.deepEqual(Object.keys(b), ["code", "input", "base"]);
    assert.equal(b.base, "nope");
  });

  test("isCodedError", () => {
    assert.equal(E.isCodedError(E.ERR_SOCKET_CLOSED()), true);
    assert.equal(E.isCodedError(new Error("x")), false);
    assert.equal(E.isCodedError({ code: "X" }), false);
  });
});

/** Values and the text Node 20 prints after "Received ". */
const received: [unknown, string][] = [
  [null, "null"],
  [undefined, "undefined"],
  [5, "type number (5)"],
  [-0, "type number (-0)"],
  [0, "type number (0)"],
  [1.5, "type number (1.5)"],
  [NaN, "type number (NaN)"],
  [Infinity, "type number (Infinity)"],
  [-Infinity, "type number (-Infinity)"],
  [1.2345678901234568e+29, "type number (1.2345678901234568e+29)"],
  [10n, "type bigint (10n)"],
  [true, "type boolean (true)"],
  [false, "type boolean (false)"],
  ["abc", "type string ('abc')"],
  ["a".repeat(40), `type string ('${"a".repeat(25)}...')`],
  ["x".repeat(28), `type string ('${"x".repeat(28)}')`],
  ["x".repeat(29), `type string ('${"x".repeat(25)}...')`],
  ["it's", 'type string ("it\'s")'],
  ['a"b', "type string ('a\"b')"],
  ["a'b\"c", 'type string ("a\'b\\"c")'],
  ["a\nb", "type string ('a\nb')"],
  [Symbol("s"), "type symbol (Symbol(s))"],
  [Symbol(), "type symbol (Symbol())"],
  [function foo() {}, "function foo"],
  [class A {}, "function A"],
  [{}, "an instance of Object"],
  [[1, 2], "an instance of Array"],
  [new Map(), "an instance of Map"],
  [new Uint8Array(2), "an instance of Uint8Array"],
  [new Date(0), "an instance of Date"],
  [new (class Foo {})(), "an instance of Foo"],
  [Object.create(null), "[Object: null prototype] {}"],
];

describe("errors: ERR_INVALID_ARG_TYPE", () => {
  for (const [value, text] of received) {
    test(`Received ${text}`, () => {
      assert.equal(E.describeReceived(value), text);
      checkCoded(
        E.ERR_INVALID_ARG_TYPE("x", "string", value),
        TypeError,
        "ERR_INVALID_ARG_TYPE",
        `The "x" argument must be of type string. Received ${text}`,
      );
    });
  }

  test("anonymous arrow function", () => {
    assert.equal(E.describeReceived(() => {}), "function ");
  });

  const expectations: [string | string[], string][] = [
    [["string", "number"], "one of type string or number"],
    [["string", "number", "boolean"], "one of type string, number, or boolean"],
    [["Buffer"], "an instance of Buffer"],
    [["Buffer", "Uint8Array"], "an instance of Buffer or Uint8Array"],
    [["string", "Buffer", "Uint8Array"], "of type string or an instance of Buffer or Uint8Array"],
    ["object", "of type object"],
    ["Object", "of type object"],
    ["Function", "of type function"],
    [["Object", "null"], "of type object or null"],
    ["null", "null"],
    [["string", "null"], "of type string or null"],
    [["TypedArray", "DataView"], "an instance of TypedArray or DataView"],
    [["object", "Array"], "an instance of Array or Object"],
    ["array", "array"],
    ["Iterable", "an instance of Iterable"],
    [["string", "foo"], "of type string or foo"],
    [["a-b", "c-d"], "one of a-b or c-d"],
    ["Not-A-Class", "an Not-A-Class"],
  ];
  for (const [expected, text] of expectations) {
    test(`must be ${text}`, () => {
      assert.equal(
        E.ERR_INVALID_ARG_TYPE("x", expected, 1).message,
        `The "x" argument must be ${text}. Received type number (1)`,
      );
    });
  }

  test("argument / property / verbatim names", () => {
    assert.equal(
      E.ERR_INVALID_ARG_TYPE("options.port", "string", 1).message,
      'The "options.port" property must be of type string. Received type number (1)',
    );
    assert.equal(
      E.ERR_INVALID_ARG_TYPE("chunk argument", "string", 1).message,
      "The chunk argument must be of type string. Received type number (1)",
    );
    assert.equal(
      E.ERR_INVALID_ARG_TYPE("x.y argument", "string", 1).message,
      "The x.y argument must be of type string. Received type number (1)",
    );
  });
});

describe("errors: ERR_INVALID_ARG_VALUE / ERR_OUT_OF_RANGE and inspect", () => {
  const argValue: [unknown, string][] = [
    [5, "5"],
    [undefined, "undefined"],
    ["it's", '"it\'s"'],
    [{ a: 1 }, "{ a: 1 }"],
    [[1, 2], "[ 1, 2 ]"],
    [Object.create(null), "[Object: null prototype] {}"],
    [Object.assign(Object.create(null), { a: 1 }), "[Object: null prototype] { a: 1 }"],
    [[1, [2, [3, [4]]]], "[ 1, [ 2, [ 3, [Array] ] ] ]"],
    [{ a: { b: { c: { d: 1 } } } }, "{ a: { b: { c: [Object] } } }"],
    [function foo() {}, "[Function: foo]"],
    [class Q {}, "[class Q]"],
    [() => 1, "[Function (anonymous)]"],
    [
      new (class Foo {
        a = 1;
      })(),
      "Foo { a: 1 }",
    ],
    [{ "a-b": 1, c: "d", [Symbol("s")]: 2 }, "{ 'a-b': 1, c: 'd', [Symbol(s)]: 2 }"],
    [new Map([[1, 2]]), "Map(1) { 1 => 2 }"],
    [new Set(["x"]), "Set(1) { 'x' }"],
    ["a\x01\x7f\x85\u00e9\ud800\\\t", "'a\\x01\\x7F\\x85\u00e9\\ud800\\\\\\t'"],
    ["\ud83d\ude00", "'\ud83d\ude00'"],
    ["a'b\"`c", "'a\\'b\"`c'"],
    [Symbol("q"), "Symbol(q)"],
    [[undefined, null, "a", 1n], "[ undefined, null, 'a', 1n ]"],
    [new Array(3), "[ <3 empty items> ]"],
    [[1, , 3], "[ 1, <1 empty item>, 3 ]"],
    [new Date(0), "1970-01-01T00:00:00.000Z"],
    [/re/g, "/re/g"],
    [new Uint8Array([1, 2]), "Uint8Array(2) [ 1, 2 ]"],
    [{
      get x() {
        return 1;
      },
    }, "{ x: [Getter] }"],
    [-0, "-0"],
    [[], "[]"],
    [{}, "{}"],
  ];
  for (const [value, text] of argValue) {
    test(`inspect -> ${text}`, () => {
      assert.equal(E.inspectValue(value), text);
      checkCoded(
        E.ERR_INVALID_ARG_VALUE("x", value),
        TypeError,
        "ERR_INVALID_ARG_VALUE",
        `The argument 'x' is invalid. Received ${text}`,
      );
    });
  }

  test("long objects break onto lines of two-space indent", () => {
    const obj: Record<string, number> = {};
    for (let i = 0; i < 20; i++) obj[`key${i}`] = i;
    const s = E.inspectValue(obj);
    assert.ok(s.startsWith("{\n  key0: 0,\n  key1: 1,\n"), s);
    assert.ok(s.endsWith("\n  key19: 19\n}"), s);
  });

  test("ERR_INVALID_ARG_VALUE: property wording, custom reason, 128-char cut", () => {
    assert.equal(
      E.ERR_INVALID_ARG_VALUE("x.y", 1).message,
      "The property 'x.y' is invalid. Received 1",
    );
    assert.equal(
      E.ERR_INVALID_ARG_VALUE("x", 5, "is bad").message,
      "The argument 'x' is bad. Received 5",
    );
    assert.equal(
      E.ERR_INVALID_ARG_VALUE("x", "a".repeat(200)).message,
      `The argument 'x' is invalid. Received '${"a".repeat(127)}...`,
    );
  });

  const outOfRange: [unknown, string][] = [
    [-1, "-1"],
    [1.5, "1.5"],
    [-0, "-0"],
    [1234567, "1234567"],
    [2 ** 32, "4294967296"],
    [2 ** 32 + 1, "4_294_967_297"],
    [-(2 ** 32) - 1, "-4_294_967_297"],
    [2 ** 40, "1_099_511_627_776"],
    [10n, "10n"],
    [2n ** 32n + 1n, "4_294_967_297n"],
    [-(2n ** 32n) - 1n, "-4_294_967_297n"],
    [1e21, "1e_+21"],
    ["str", "'str'"],
    [{ a: 1 }, "{ a: 1 }"],
  ];
  for (const [value, text] of outOfRange) {
    test(`ERR_OUT_OF_RANGE received ${text}`, () => {
      checkCoded(
        E.ERR_OUT_OF_RANGE("x", ">= 0", value),
        RangeError,
        "ERR_OUT_OF_RANGE",
        `The value of "x" is out of range. It must be >= 0. Received ${text}`,
      );
    });
  }

  test("ERR_OUT_OF_RANGE with replaceDefaultBoolean", () => {
    assert.equal(
      E.ERR_OUT_OF_RANGE("x", ">= 0", 1234567, true).message,
      "x It must be >= 0. Received 1234567",
    );
  });

  test("formatList", () => {
    assert.equal(E.formatList([]), "");
    assert.equal(E.formatList(["a"]), "a");
    assert.equal(E.formatList(["a", "b"]), "a and b");
    assert.equal(E.formatList(["a", "b", "c"], "or"), "a, b, or c");
  });
});

describe("errors: system errors", () => {
  test("uvException: Node's listen error shape", () => {
    const e = E.uvException({
      code: "EADDRINUSE",
      syscall: "listen",
      address: "127.0.0.1",
      port: 8080,
    });
    assert.equal(e.message, "listen EADDRINUSE: address already in use 127.0.0.1:8080");
    assert.equal(e.constructor, Error);
    assert.equal(e.name, "Error");
    assert.deepEqual(Object.keys(e), ["code", "errno", "syscall", "address", "port"]);
    assert.equal(e.code, "EADDRINUSE");
    assert.equal(e.syscall, "listen");
    assert.equal(e.address, "127.0.0.1");
    assert.equal(e.port, 8080);
    assert.equal(typeof e.errno, "number");
    assert.ok((e.errno as number) < 0);
    if (isLinux) assert.equal(e.errno, -98);
    assert.ok(e.stack?.startsWith("Error: listen EADDRINUSE"));
  });

  test("uvException without port (or port 0) and with an explicit errno", () => {
    const e = E.uvException({ code: "EADDRNOTAVAIL", syscall: "listen", address: "1.2.3.4" });
    assert.equal(e.message, "listen EADDRNOTAVAIL: address not available 1.2.3.4");
    assert.deepEqual(Object.keys(e), ["code", "errno", "syscall", "address"]);
    const z = E.uvException({ code: "EACCES", syscall: "listen", address: "0.0.0.0", port: 0 });
    assert.equal(z.message, "listen EACCES: permission denied 0.0.0.0");
    assert.equal(z.port, undefined);
    const x = E.uvException({ code: "EWHATEVER", errno: -1234, syscall: "bind" });
    assert.equal(x.message, "bind EWHATEVER: unknown error");
    assert.equal(x.errno, -1234);
  });

  test("exceptionWithHostPort: Node's connect error shape", () => {
    const e = E.exceptionWithHostPort({
      code: "ECONNREFUSED",
      syscall: "connect",
      address: "127.0.0.1",
      port: 1,
    });
    assert.equal(e.message, "connect ECONNREFUSED 127.0.0.1:1");
    assert.deepEqual(Object.keys(e), ["errno", "code", "syscall", "address", "port"]);
    if (isLinux) assert.equal(e.errno, -111);
    const l = E.exceptionWithHostPort({
      code: "ETIMEDOUT",
      syscall: "connect",
      address: "10.0.0.1",
      port: 80,
      additional: "10.0.0.2:5555",
    });
    assert.equal(l.message, "connect ETIMEDOUT 10.0.0.1:80 - Local (10.0.0.2:5555)");
  });

  test("dnsException: getaddrinfo ENOTFOUND", () => {
    const e = E.dnsException("ENOTFOUND", "getaddrinfo", "no-such-host.invalid");
    assert.equal(e.message, "getaddrinfo ENOTFOUND no-such-host.invalid");
    assert.deepEqual(Object.keys(e), ["errno", "code", "syscall", "hostname"]);
    assert.equal(e.errno, -3008);
    assert.equal(e.hostname, "no-such-host.invalid");
    const a = E.dnsException("EAI_AGAIN", "getaddrinfo");
    assert.equal(a.message, "getaddrinfo EAI_AGAIN");
    assert.equal(a.errno, -3001);
  });

  test("uvErrno / uvErrorMessage (Linux numbers when on Linux)", () => {
    const linux: Record<string, number> = {
      EADDRINUSE: -98,
      ECONNREFUSED: -111,
      ECONNRESET: -104,
      EACCES: -13,
      EADDRNOTAVAIL: -99,
      EPIPE: -32,
      ETIMEDOUT: -110,
    };
    for (const [code, n] of Object.entries(linux)) {
      const got = E.uvErrno(code);
      assert.equal(typeof got, "number", code);
      if (isLinux) assert.equal(got, n, code);
    }
    assert.equal(E.uvErrno("ENOPE"), undefined);
    assert.equal(E.uvErrorMessage("ECONNRESET"), "connection reset by peer");
    assert.equal(E.uvErrorMessage("EPIPE"), "broken pipe");
  });

  test("connResetException", () => {
    const e = E.connResetException("socket hang up");
    assert.equal(e.message, "socket hang up");
    assert.equal(e.code, "ECONNRESET");
    assert.equal(e.name, "Error");
    assert.equal(e.constructor, Error);
    assert.deepEqual(Object.keys(e), ["code"]);
    assert.equal(String(e), "Error: socket hang up");
  });

  test("AbortError / abortError", () => {
    const e = E.abortError();
    assert.ok(e instanceof Error);
    assert.ok(e instanceof E.AbortError);
    assert.equal(e.name, "AbortError");
    assert.equal(e.code, "ABORT_ERR");
    assert.equal(e.message, "The operation was aborted");
    assert.deepEqual(Object.keys(e), ["code", "name"]);
    assert.equal(String(e), "AbortError: The operation was aborted");
    assert.equal("cause" in e, false);
    const reason = new Error("why");
    const c = E.abortError(reason);
    assert.equal(c.cause, reason);
    const m = new E.AbortError("custom", { cause: 1 });
    assert.equal(m.message, "custom");
    assert.equal(m.cause, 1);
    assert.throws(
      () => new E.AbortError("x", 5 as unknown as { cause?: unknown }),
      (err: unknown) => (err as { code?: string }).code === "ERR_INVALID_ARG_TYPE",
    );
  });
});

if (isNode20) {
  describe("errors: same as Node 20's own errors (plain Node only)", () => {
    function caught(fn: () => unknown): Error {
      try {
        fn();
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a throw");
    }

    function same(ours: Error, theirs: Error): void {
      assert.equal(ours.message, theirs.message);
      assert.equal((ours as { code?: string }).code, (theirs as { code?: string }).code);
      assert.equal(ours.constructor, theirs.constructor);
      assert.equal(ours.name, theirs.name);
      assert.equal(String(ours), String(theirs));
      assert.equal(ours.stack?.split("\n")[0], theirs.stack?.split("\n")[0]);
      assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    }

    test("ERR_INVALID_ARG_TYPE's Received part for many values (util.promisify)", async () => {
      const util = await import("node:util");
      const values: unknown[] = received.map(([v]) => v);
      values.push('it\'s a "quote"', "x".repeat(100), new Error("e"), [1], 0n);
      for (const v of values) {
        if (typeof v === "function") continue; // promisify accepts functions
        const theirs = caught(() => util.promisify(v as () => void));
        same(E.ERR_INVALID_ARG_TYPE("original", "Function", v), theirs);
      }
    });

    test("ERR_OUT_OF_RANGE (EventEmitter#setMaxListeners)", async () => {
      const { EventEmitter } = await import("node:events");
      for (const v of [-1, -1.5, -(2 ** 40), -Infinity, NaN]) {
        const theirs = caught(() => new EventEmitter().setMaxListeners(v));
        same(E.ERR_OUT_OF_RANGE("setMaxListeners", ">= 0", v), theirs);
      }
    });

    test("http's own header / status / headers-sent errors", async () => {
      const http = await import("node:http");
      same(
        E.ERR_INVALID_HTTP_TOKEN("Header name", "a b"),
        caught(() => http.validateHeaderName("a b")),
      );
      same(
        E.ERR_INVALID_CHAR("header content", "x"),
        caught(() => http.validateHeaderValue("x", "a\nb")),
      );
      same(
        E.ERR_HTTP_INVALID_HEADER_VALUE(undefined, "x"),
        caught(() => http.validateHeaderValue("x", undefined as unknown as string)),
      );
      const sent = new http.OutgoingMessage() as unknown as {
        _header: string;
        setHeader(n: string, v: string): void;
        removeHeader(n: string): void;
      };
      sent._header = "HTTP/1.1 200 OK\r\n\r\n";
      same(E.ERR_HTTP_HEADERS_SENT("set"), caught(() => sent.setHeader("a", "b")));
      same(E.ERR_HTTP_HEADERS_SENT("remove"), caught(() => sent.removeHeader("a")));
      const req = { method: "GET", httpVersionMajor: 1, httpVersionMinor: 1, headers: {} };
      const res = new http.ServerResponse(
        req as unknown as InstanceType<typeof http.IncomingMessage>,
      );
      same(E.ERR_HTTP_INVALID_STATUS_CODE(99), caught(() => res.writeHead(99)));
      same(
        E.ERR_INVALID_PROTOCOL("ftp:", "http:"),
        caught(() => http.request("ftp://localhost/")),
      );
      same(
        E.ERR_UNESCAPED_CHARACTERS("Request path"),
        caught(() => http.request({ path: "/a b", host: "localhost", port: 1 })),
      );
    });

    test("ERR_INVALID_ARG_VALUE (dns.lookup family)", async () => {
      const dns = await import("node:dns");
      for (const v of [5, "IPv5", { a: 1 }, [1, 2], "it's", 1.5]) {
        const theirs = caught(() =>
          dns.lookup("localhost", { family: v as number }, () => {
            // not reached: validation throws synchronously
          })
        );
        const msg = theirs.message;
        const reason = msg.slice(msg.indexOf("' ") + 2, msg.indexOf(". Received "));
        same(E.ERR_INVALID_ARG_VALUE("options.family", v, reason), theirs);
      }
    });

    test("AbortError and ECONNRESET match Node's", async () => {
      const { EventEmitter } = await import("node:events");
      const ac = new AbortController();
      ac.abort();
      const theirs = await EventEmitter.once(new EventEmitter(), "x", { signal: ac.signal }).then(
        () => new Error("not aborted"),
        (e: Error) => e,
      );
      const ours = E.abortError(ac.signal.reason);
      assert.equal(ours.name, theirs.name);
      assert.equal(ours.message, theirs.message);
      assert.equal(ours.code, (theirs as { code?: string }).code);
      assert.deepEqual(Object.keys(ours), Object.keys(theirs));
      assert.equal(ours.cause, theirs.cause);
    });
  });
}
