/**
 * Behaviours found by running Node's own http tests (server / socket / status /
 * upgrade / write areas) through anyhttp: llhttp's byte position for a bad
 * method, the canned 400 after a finished keep-alive response, 'clientError'
 * again for every chunk after a parse error, `captureRejections` on the server,
 * raw 'data' listeners on a server-owned socket, and Node's latin1 handling of
 * `Content-Disposition` next to a Content-Length.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { createServer, type Server } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import type { Duplex } from "node:stream";
import { latin1, listen, raw, stop as close } from "./server_util.ts";

interface ClientErr extends Error {
  code?: string;
  bytesParsed?: number;
  reason?: string;
  rawPacket?: Uint8Array;
}

/** Sends `text` on a fresh connection and resolves the first 'clientError'. */
async function firstClientError(text: string): Promise<ClientErr> {
  const server = createServer(() => assert.fail("no request expected"));
  const got = new Promise<ClientErr>((resolve) => {
    server.on("clientError", (err: ClientErr, socket: Duplex) => {
      socket.destroy();
      resolve(err);
    });
  });
  const port = await listen(server);
  // No half-close: a bad partial method must be refused without waiting for more.
  const sock = net.connect(port, "127.0.0.1", () => sock.write(text));
  sock.on("error", () => {});
  try {
    return await got;
  } finally {
    sock.destroy();
    await close(server);
  }
}

describe("nodecompat n3", () => {
  test("a bad method fails at the first byte no method continues with", async () => {
    const foo = await firstClientError("FOO /\r\n");
    assert.equal(foo.code, "HPE_INVALID_METHOD");
    assert.equal(foo.bytesParsed, 1); // "F" may still become FLUSH
    assert.equal(foo.reason, "Invalid method encountered");

    const getx = await firstClientError("GETX / HTTP/1.1\r\n\r\n");
    assert.equal(getx.bytesParsed, 3);
    assert.equal(getx.reason, "Expected space after method");

    const ge = await firstClientError("GE / HTTP/1.1\r\n\r\n");
    assert.equal(ge.bytesParsed, 2);
    assert.equal(ge.reason, "Invalid method encountered");

    // A partial token no method starts with is refused at once.
    const partial = await firstClientError("INVALID");
    assert.equal(partial.code, "HPE_INVALID_METHOD");
    assert.equal(partial.bytesParsed, 0);
  });

  test("a parse error right after a finished keep-alive response still gets its 400", async () => {
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.removeHeader("date");
      res.writeHead(204);
      res.end();
    });
    const port = await listen(server);
    try {
      const r = await raw(
        port,
        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n1\r\nINVALID",
        { timeout: 3000 },
      );
      assert.equal(
        r.text,
        "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n" +
          "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n",
      );
      assert.equal(r.closed, true);
    } finally {
      await close(server);
    }
  });

  test("after a parse error every further chunk raises 'clientError' again", async () => {
    const server = createServer(() => assert.fail("no request expected"));
    const packets: string[] = [];
    let sock: net.Socket | null = null;
    const done = new Promise<void>((resolve) => {
      server.on("clientError", (err: ClientErr) => {
        assert.equal(err.code, "HPE_INVALID_METHOD");
        packets.push(latin1(err.rawPacket ?? new Uint8Array()));
        if (packets.length === 3) resolve();
        else sock?.write(packets.length === 1 ? "+" : "-");
      });
    });
    const port = await listen(server);
    sock = net.connect(port, "127.0.0.1", () => sock?.write("*"));
    sock.on("error", () => {});
    try {
      await done;
      assert.deepEqual(packets, ["*", "+", "-"]);
    } finally {
      sock.destroy();
      await close(server);
    }
  });

  test("captureRejections: a rejected async handler answers 500 without the set headers", async () => {
    const before = EventEmitter.captureRejections;
    EventEmitter.captureRejections = true;
    let server: Server;
    try {
      server = createServer(async (_req: IncomingMessage, res: ServerResponse) => {
        res.setHeader("content-type", "application/json");
        await Promise.resolve();
        throw new Error("kaboom");
      });
    } finally {
      EventEmitter.captureRejections = before;
    }
    const port = await listen(server);
    try {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", {
        timeout: 3000,
      });
      assert.match(r.text, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
      assert.doesNotMatch(r.text, /content-type/i);
      assert.ok(r.text.endsWith("\r\n\r\nInternal Server Error"), r.text);
    } finally {
      await close(server);
    }
  });

  test("captureRejections: a rejection after the head was sent destroys the response", async () => {
    const before = EventEmitter.captureRejections;
    EventEmitter.captureRejections = true;
    let server: Server;
    try {
      server = createServer(async (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, { "content-length": "10" });
        res.write("abc");
        await new Promise((r) => setTimeout(r, 20));
        throw new Error("kaboom");
      });
    } finally {
      EventEmitter.captureRejections = before;
    }
    const port = await listen(server);
    try {
      const r = await raw(port, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", { timeout: 3000 });
      assert.equal(r.closed, true);
      assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(r.text.endsWith("\r\n\r\nabc"), r.text);
    } finally {
      await close(server);
    }
  });

  test("a 'data' listener on a server socket sees the bytes that arrive after it", async () => {
    let seen = "";
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      res.end();
      req.socket.on("data", (d: Uint8Array) => {
        seen += latin1(d);
      });
    });
    server.on("clientError", (_e: Error, s: Duplex) => s.destroy());
    const port = await listen(server);
    try {
      await new Promise<void>((resolve) => {
        const sock = net.connect(port, "127.0.0.1", () => {
          sock.write("PUT / HTTP/1.1\r\nHost: a\r\n\r\n");
        });
        sock.once("data", () => sock.end("hello world"));
        sock.on("error", () => {});
        sock.on("close", () => resolve());
        sock.resume();
      });
      assert.equal(seen, "hello world");
    } finally {
      await close(server);
    }
  });

  test("Content-Disposition after a Content-Length goes out as the UTF-8 reading of its bytes", async () => {
    const binary = Buffer.from("bår").toString("latin1"); // "b\xc3\xa5r"
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url === "/with-length") {
        res.writeHead(200, ["Content-Length", "5", "content-disposition", binary]);
      } else {
        res.writeHead(200, ["content-disposition", binary]);
      }
      res.end("hello");
    });
    const port = await listen(server);
    try {
      for (const path of ["/with-length", "/chunked"]) {
        const r = await raw(port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, {
          timeout: 3000,
        });
        // Either way the peer reads the original bytes 62 c3 a5 72.
        assert.ok(r.text.includes("\r\ncontent-disposition: b\xc3\xa5r\r\n"), `${path}: ${r.text}`);
      }
    } finally {
      await close(server);
    }
  });
});
