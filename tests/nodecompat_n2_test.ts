/**
 * Behaviours found by running Node's own http tests (destroy … response areas)
 * through anyhttp: a second response to one request is dropped without an
 * error, `outputData` exists, header-limit errors report llhttp's
 * `bytesParsed`, `IncomingMessage._addHeaderLine`, and `_writeRaw()` taking
 * strings (hand-written interim responses).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";
import type { AddressInfo } from "node:net";
import http from "../mod.ts";
import type { Server } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { InformationEvent } from "../src/client_request.ts";

function listen(server: Server | net.Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    res.setEncoding("latin1");
    res.on("data", (d: string) => text += d);
    res.on("end", () => resolve(text));
    res.on("error", reject);
  });
}

/**
 * Feeds `payload` as ONE chunk into a server through an in-memory Duplex (so no
 * transport splits it) and resolves the server's 'clientError'.
 */
function clientErrorFor(
  payload: string,
): Promise<Error & { code?: string; bytesParsed?: number }> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(() => reject(new Error("no request expected")));
    server.on("clientError", (err: Error & { code?: string; bytesParsed?: number }, socket) => {
      socket.destroy();
      resolve(err);
    });
    const duplex = new Duplex({
      read() {},
      write(_chunk, _enc, cb) {
        cb();
      },
    });
    server.emit("connection", duplex);
    duplex.push(Buffer.from(payload, "latin1"));
  });
}

describe("nodecompat n2", () => {
  test("a second response sent after a complete one is dropped, not a parse error", async () => {
    const body = "hello world\r\n";
    const response = "HTTP/1.1 500 Internal Server Error\r\n" +
      `Content-Length: ${body.length}\r\nContent-Type: text/plain\r\n\r\n${body}`;
    const raw = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => socket.end(response + response));
    });
    const port = await listen(raw);
    const agent = new http.Agent({ keepAlive: true });
    const errors: Error[] = [];
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.get({ port, host: "127.0.0.1", agent }, (res) => {
        assert.equal(res.statusCode, 500);
        readAll(res).then(resolve, reject);
      });
      req.on("error", (e) => errors.push(e));
    });
    assert.equal(text, body);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(errors, []);
    agent.destroy();
    await close(raw);
  });

  test("outputData lists queued chunks and is empty once they were sent", async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok"));
    });
    const port = await listen(server);
    const req = http.request({ port, host: "127.0.0.1", method: "POST", agent: false });
    req.write("hello");
    assert.ok(Array.isArray(req.outputData));
    assert.ok(req.outputData.length > 0);
    const res = await new Promise<IncomingMessage>((resolve) => {
      req.on("response", resolve);
      req.end();
    });
    assert.equal(req.outputData.length, 0);
    assert.equal(await readAll(res), "ok");
    await close(server);
  });

  test("header limit errors carry the offsets llhttp reports", async () => {
    const value = await clientErrorFor(
      "GET /blah HTTP/1.1\r\nCookie: " + "a".repeat(16380) + "\r\n\r\n",
    );
    assert.equal(value.code, "HPE_HEADER_OVERFLOW");
    assert.equal(value.message, "Parse Error: Header overflow");
    // One past the CR that ends the over-long value.
    assert.equal(value.bytesParsed, 28 + 16380 + 1);

    const name = await clientErrorFor(
      "GET /blah HTTP/1.1\r\n" + "X".repeat(16400) + ": v\r\n\r\n",
    );
    assert.equal(name.code, "HPE_HEADER_OVERFLOW");
    assert.equal(name.bytesParsed, 20 + 16400 + 1);

    const url = await clientErrorFor("GET /" + "u".repeat(16400) + " HTTP/1.1\r\n\r\n");
    assert.equal(url.code, "HPE_HEADER_OVERFLOW");
    // The space after the target.
    assert.equal(url.bytesParsed, 5 + 16400);
  });

  test("IncomingMessage._addHeaderLine applies message.headers' duplicate rules", () => {
    const msg = new http.IncomingMessage(null as never);
    const dest: Record<string, string | string[]> = {};
    msg._addHeaderLine("Content-Type", "a", dest);
    msg._addHeaderLine("content-type", "b", dest);
    msg._addHeaderLine("X-Foo", "1", dest);
    msg._addHeaderLine("x-foo", "2", dest);
    msg._addHeaderLine("Cookie", "c=1", dest);
    msg._addHeaderLine("cookie", "d=2", dest);
    msg._addHeaderLine("Set-Cookie", "s=1", dest);
    msg._addHeaderLine("set-cookie", "s=2", dest);
    assert.deepEqual(dest, {
      "content-type": "a",
      "x-foo": "1, 2",
      cookie: "c=1; d=2",
      "set-cookie": ["s=1", "s=2"],
    });
  });

  test("invalid status codes are shown as util.format('%s') shows them", () => {
    const res = new http.ServerResponse(
      { method: "GET", httpVersionMajor: 1, httpVersionMinor: 1, headers: {} } as never,
    );
    const cases: [unknown, string][] = [
      [{}, "{}"],
      [[], "[]"],
      [{ a: 1 }, "{ a: 1 }"],
      [[1, 2], "[ 1, 2 ]"],
      [-0, "-0"],
      [null, "null"],
      ["1000", "1000"],
      [Infinity, "Infinity"],
    ];
    for (const [value, shown] of cases) {
      assert.throws(() => res.writeHead(value as number), {
        name: "RangeError",
        code: "ERR_HTTP_INVALID_STATUS_CODE",
        message: `Invalid status code: ${shown}`,
      });
    }
  });

  test("_writeRaw takes strings: a hand-written 102 reaches the client as 'information'", async () => {
    let rawDone = false;
    const server = http.createServer((_req, res) => {
      res._writeRaw("HTTP/1.1 102 Processing\r\n");
      res._writeRaw("Foo: Bar\r\n", "latin1");
      res._writeRaw("\r\n", () => rawDone = true);
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("final");
    });
    const port = await listen(server);
    const infos: InformationEvent[] = [];
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request({ port, host: "127.0.0.1", agent: false });
      req.on("information", (info: InformationEvent) => infos.push(info));
      req.on("response", (res) => {
        assert.equal(res.statusCode, 200);
        readAll(res).then(resolve, reject);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(text, "final");
    assert.equal(infos.length, 1);
    assert.equal(infos[0].statusCode, 102);
    assert.equal(infos[0].statusMessage, "Processing");
    assert.equal(infos[0].headers.foo, "Bar");
    assert.ok(rawDone);
    await close(server);
  });
});
