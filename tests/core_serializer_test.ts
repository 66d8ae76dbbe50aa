import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  addHeader,
  addHeaders,
  appendLine,
  chunkOverhead,
  createHeadState,
  finishHead,
  frameChunk,
  lastChunk,
  serializeTrailers,
  writeChunkHeader,
} from "../src/core/serializer.ts";

const dec = (u: Uint8Array): string => {
  let s = "";
  for (const b of u) s += String.fromCharCode(b);
  return s;
};

describe("serializer: heads", () => {
  test("object headers, one line each, first line kept", () => {
    const st = createHeadState("HTTP/1.1 200 OK\r\n");
    addHeaders(st, { "Content-Type": "text/plain", "X-Num": 5 }, true);
    assert.equal(finishHead(st), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Num: 5\r\n\r\n");
  });

  test("array values repeat lines; Cookie with 2+ values joins with '; '", () => {
    const st = createHeadState("GET / HTTP/1.1\r\n");
    addHeaders(st, { "Set-Cookie": ["a=1", "b=2"], Cookie: ["x=1", "y=2"], "X-One": ["z"] }, true);
    assert.equal(
      finishHead(st),
      "GET / HTTP/1.1\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nCookie: x=1; y=2\r\nX-One: z\r\n\r\n",
    );
  });

  test("unique headers join with '; '", () => {
    const st = createHeadState("HTTP/1.1 200 OK\r\n");
    addHeader(st, "X-Multi", ["a", "b"], true, new Set(["x-multi"]));
    assert.equal(st.text, "HTTP/1.1 200 OK\r\nX-Multi: a; b\r\n");
  });

  test("flat raw array and array of pairs", () => {
    const a = createHeadState("");
    addHeaders(a, ["A", "1", "b", "2", "A", "3"], true);
    assert.equal(a.text, "A: 1\r\nb: 2\r\nA: 3\r\n");
    const b = createHeadState("");
    addHeaders(b, [["A", "1"], ["B", ["2", "3"]]], true);
    assert.equal(b.text, "A: 1\r\nB: 2\r\nB: 3\r\n");
  });

  test("odd flat array is ERR_INVALID_ARG_VALUE", () => {
    const st = createHeadState("");
    assert.throws(() => addHeaders(st, ["A", "1", "B"], true), { code: "ERR_INVALID_ARG_VALUE" });
  });

  test("validation: bad name, undefined value, bad char", () => {
    const st = createHeadState("");
    assert.throws(() => addHeader(st, "x y", "1", true), { code: "ERR_INVALID_HTTP_TOKEN" });
    assert.throws(() => addHeader(st, "x", undefined, true), {
      code: "ERR_HTTP_INVALID_HEADER_VALUE",
    });
    assert.throws(() => addHeader(st, "x", "a\r\nb", true), { code: "ERR_INVALID_CHAR" });
    // Without validation nothing is checked (store entries were validated by setHeader).
    addHeader(st, "x y", "1", false);
    assert.equal(st.text, "x y: 1\r\n");
  });

  test("notes framing fields case-insensitively", () => {
    const st = createHeadState("");
    addHeaders(st, {
      connection: "Upgrade, Close",
      "CONTENT-LENGTH": "12",
      "Transfer-Encoding": "gzip, chunked",
      date: "x",
      Expect: "100-continue",
      Trailer: "X",
      "Keep-Alive": "timeout=1",
      Host: "h",
      Upgrade: "websocket",
    }, true);
    assert.equal(st.connection, true);
    assert.equal(st.connectionClose, true);
    assert.equal(st.connectionOther, false);
    assert.equal(st.contentLength, true);
    assert.equal(st.contentLengthValue, 12);
    assert.equal(st.transferEncoding, true);
    assert.equal(st.chunked, true);
    assert.equal(st.date, true);
    assert.equal(st.expect, true);
    assert.equal(st.trailer, true);
    assert.equal(st.keepAlive, true);
    assert.equal(st.host, true);
    assert.equal(st.upgrade, true);
  });

  test("keep-alive connection is not close; te without chunked", () => {
    const st = createHeadState("");
    addHeaders(st, { Connection: "keep-alive", "Transfer-Encoding": "gzip" }, true);
    assert.equal(st.connectionClose, false);
    assert.equal(st.connectionOther, true);
    assert.equal(st.chunked, false);
    assert.equal(st.contentLength, false);
    appendLine(st, "Date", "now");
    assert.equal(st.date, false, "generated lines are not noted");
  });
});

describe("serializer: chunks and trailers", () => {
  test("frameChunk", () => {
    assert.equal(dec(frameChunk(new TextEncoder().encode("hello"))), "5\r\nhello\r\n");
    const big = new Uint8Array(300).fill(97);
    const framed = dec(frameChunk(big));
    assert.equal(framed.slice(0, 5), "12c\r\n");
    assert.equal(framed.length, 300 + 3 + 4);
    assert.equal(framed.slice(-2), "\r\n");
    assert.equal(frameChunk(new Uint8Array(0)).byteLength, 0);
  });

  test("writeChunkHeader / chunkOverhead", () => {
    const buf = new Uint8Array(16);
    assert.equal(writeChunkHeader(buf, 1, 0x1f2e), 7);
    assert.equal(dec(buf.subarray(1, 7)), "1f2e\r\n");
    assert.equal(chunkOverhead(15), 5);
    assert.equal(chunkOverhead(16), 6);
  });

  test("lastChunk and trailers", () => {
    assert.equal(lastChunk(""), "0\r\n\r\n");
    const t = serializeTrailers({ "Content-MD5": "abc", "X-L": ["1", "2"], "X-S": ["only"] });
    assert.equal(t, "Content-MD5: abc\r\nX-L: 1\r\nX-L: 2\r\nX-S: only\r\n");
    assert.equal(lastChunk(t), "0\r\n" + t + "\r\n");
    assert.equal(serializeTrailers([["A", "1"], ["B", "2"]]), "A: 1\r\nB: 2\r\n");
    assert.equal(serializeTrailers({ U: ["1", "2"] }, new Set(["u"])), "U: 1; 2\r\n");
  });

  test("trailer validation", () => {
    assert.throws(() => serializeTrailers({ "bad name": "1" }), {
      code: "ERR_INVALID_HTTP_TOKEN",
      message: 'Trailer name must be a valid HTTP token ["bad name"]',
    });
    assert.throws(() => serializeTrailers({ X: "a\nb" }), {
      code: "ERR_INVALID_CHAR",
      message: 'Invalid character in trailer content ["X"]',
    });
  });
});
