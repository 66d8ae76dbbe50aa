/**
 * `src/core/latin1.ts`: one character per byte both ways (not windows-1252),
 * every byte value, every decode path (short, medium, chunked), and UTF-8.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  isAscii,
  latin1Decode,
  latin1Encode,
  latin1EncodeInto,
  utf8ByteLength,
  utf8Encode,
} from "../src/core/latin1.ts";

function allBytes(): Uint8Array {
  const b = new Uint8Array(256);
  for (let i = 0; i < 256; i++) b[i] = i;
  return b;
}

describe("latin1Decode", () => {
  test("all 256 byte values map to the same code unit", () => {
    const s = latin1Decode(allBytes(), 0, 256);
    assert.equal(s.length, 256);
    for (let i = 0; i < 256; i++) assert.equal(s.charCodeAt(i), i, `byte ${i}`);
  });

  test("0x80-0x9F are not remapped as windows-1252 would", () => {
    const s = latin1Decode(new Uint8Array([0x80, 0x93, 0x9f]), 0, 3);
    assert.equal(s, "\u0080\u0093\u009f");
  });

  test("every single byte through the short path, at an offset", () => {
    const bytes = allBytes();
    for (let i = 0; i < 256; i++) {
      assert.equal(latin1Decode(bytes, i, i + 1), String.fromCharCode(i));
    }
  });

  test("ranges of every length 0..40 and around the 4096 chunk boundary", () => {
    const big = new Uint8Array(3 * 4096 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 131 + 7) & 0xff;
    const expected = (start: number, end: number): string => {
      const parts: string[] = [];
      for (let i = start; i < end; i++) parts.push(String.fromCharCode(big[i]));
      return parts.join("");
    };
    for (let len = 0; len <= 40; len++) {
      assert.equal(latin1Decode(big, 5, 5 + len), expected(5, 5 + len), `len ${len}`);
    }
    for (const len of [4095, 4096, 4097, 8192, 8193, big.length - 3]) {
      assert.equal(latin1Decode(big, 3, 3 + len), expected(3, 3 + len), `len ${len}`);
    }
  });

  test("long pure-ASCII ranges (native decoder path) incl. NUL and DEL", () => {
    const ascii = new Uint8Array(300);
    for (let i = 0; i < ascii.length; i++) ascii[i] = i & 0x7f;
    const s = latin1Decode(ascii, 0, ascii.length);
    assert.equal(s.length, 300);
    for (let i = 0; i < 300; i++) assert.equal(s.charCodeAt(i), i & 0x7f);
    // One high byte at the very end switches paths but must not change the result.
    ascii[299] = 0xff;
    assert.equal(latin1Decode(ascii, 200, 300).charCodeAt(99), 0xff);
    // A BOM-looking prefix stays as three characters.
    const bom = new Uint8Array(40).fill(0x41);
    bom.set([0xef, 0xbb, 0xbf]);
    assert.equal(latin1Decode(bom, 0, 40), "\u00ef\u00bb\u00bf" + "A".repeat(37));
  });

  test("empty and inverted ranges give the empty string", () => {
    const b = allBytes();
    assert.equal(latin1Decode(b, 10, 10), "");
    assert.equal(latin1Decode(b, 10, 5), "");
  });

  test("works on a view with a non-zero byteOffset", () => {
    const view = allBytes().subarray(65, 91);
    assert.equal(latin1Decode(view, 0, view.length), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
  });
});

describe("latin1Encode", () => {
  test("round-trips all 256 byte values", () => {
    const bytes = allBytes();
    assert.deepEqual(latin1Encode(latin1Decode(bytes, 0, 256)), bytes);
  });

  test("characters above 0xFF keep their low byte, like Buffer.from(s, 'latin1')", () => {
    assert.deepEqual(
      latin1Encode("\u0100\u20ac\uffff\u0141A"),
      new Uint8Array([0x00, 0xac, 0xff, 0x41, 0x41]),
    );
    assert.deepEqual(latin1Encode(""), new Uint8Array(0));
  });

  test("latin1EncodeInto writes at an offset and returns the end", () => {
    const buf = new Uint8Array(10).fill(0xee);
    assert.equal(latin1EncodeInto("GET \u00e9", buf, 2), 7);
    assert.deepEqual(
      buf,
      new Uint8Array([0xee, 0xee, 0x47, 0x45, 0x54, 0x20, 0xe9, 0xee, 0xee, 0xee]),
    );
  });
});

describe("utf8Encode / isAscii", () => {
  test("UTF-8 with multi-byte characters and lone surrogates", () => {
    assert.deepEqual(
      utf8Encode("a\u00e9\u20ac"),
      new Uint8Array([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac]),
    );
    assert.deepEqual(utf8Encode("\ud83d\ude00"), new Uint8Array([0xf0, 0x9f, 0x98, 0x80]));
    assert.deepEqual(utf8Encode("\ud800"), new Uint8Array([0xef, 0xbf, 0xbd]));
  });

  test("isAscii", () => {
    assert.equal(isAscii(""), true);
    assert.equal(isAscii("hello\x7f"), true);
    assert.equal(isAscii("caf\u00e9"), false);
    assert.equal(isAscii("\x80"), false);
  });
});

describe("utf8ByteLength", () => {
  test("counts what the UTF-8 encoder writes, for every kind of code unit", () => {
    const samples = [
      "",
      "Hello World!",
      "caf\u00e9",
      "\u07ff\u0800",
      "\u65e5\u672c\u8a9e",
      "\ud83d\ude00",
      "\ud83d",
      "\ude00x",
      "a\ud83d",
      "\ud83d\ude00\ud83d",
      "\udbff\udfff\uffff\u0000\u007f\u0080",
    ];
    for (const s of samples) {
      assert.equal(utf8ByteLength(s), utf8Encode(s).byteLength, JSON.stringify(s));
    }
  });

  test("agrees with the encoder on every BMP code unit alone and after a high surrogate", () => {
    for (let c = 0; c < 0x10000; c += 7) {
      const one = String.fromCharCode(c);
      assert.equal(utf8ByteLength(one), utf8Encode(one).byteLength, c.toString(16));
      const pair = "\ud800" + one;
      assert.equal(utf8ByteLength(pair), utf8Encode(pair).byteLength, "d800+" + c.toString(16));
    }
  });
});
