/**
 * A response written to a user's own stream (`res.assignSocket(writable)`, or
 * a Duplex handed to `server.emit('connection', duplex)`) shows that stream
 * the writes Node's would: `end(text)` is the head with the text, then an
 * empty write whose callback finishes the response.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Duplex, Writable } from "node:stream";
import { createServer, ServerResponse } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";

type Seen = { bytes: string; at: number };

function recorder(seen: Seen[], order: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      seen.push({ bytes: chunk.toString("latin1"), at: order.length });
      order.push(`write ${chunk.length}`);
      setImmediate(() => {
        order.push("callback");
        callback();
      });
    },
  });
}

describe("a response over a user's stream", () => {
  test("end(text): the head with the text, then an empty write; 'finish' after its callback", async () => {
    const seen: Seen[] = [];
    const order: string[] = [];
    const res = new ServerResponse(
      { method: "GET", httpVersionMajor: 1, httpVersionMinor: 1 } as unknown as IncomingMessage,
    );
    res.assignSocket(recorder(seen, order) as unknown as Duplex);
    const finished = new Promise<void>((resolve) =>
      res.on("finish", () => {
        order.push("finish");
        resolve();
      })
    );
    res.end("hello world");
    await finished;
    assert.equal(seen.length, 2);
    assert.match(seen[0].bytes, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello world$/);
    assert.equal(seen[1].bytes, "");
    assert.equal(order.at(-1), "finish");
    assert.equal(order.filter((o) => o === "callback").length, 2);
  });

  test("write() then end() in the same turn: the body, then the empty write", async () => {
    const seen: Seen[] = [];
    const res = new ServerResponse(
      { method: "GET", httpVersionMajor: 1, httpVersionMinor: 1 } as unknown as IncomingMessage,
    );
    res.assignSocket(recorder(seen, []) as unknown as Duplex);
    res.setHeader("Content-Length", "2");
    res.write("ab");
    const finished = new Promise<void>((resolve) => res.on("finish", () => resolve()));
    res.end();
    await finished;
    assert.equal(seen.at(-1)?.bytes, "");
    assert.match(seen.map((s) => s.bytes).join(""), /\r\n\r\nab$/);
  });

  test("a Duplex given to server.emit('connection') sees the same writes", async () => {
    const writes: string[] = [];
    let pushIn: ((data: Buffer | null) => void) | null = null;
    const duplex = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        writes.push(chunk.toString("latin1"));
        callback();
      },
    });
    pushIn = (data) => duplex.push(data);
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.end("hi");
    });
    const finished = new Promise<void>((resolve) => {
      server.on("request", (_req: IncomingMessage, res: ServerResponse) => {
        res.on("finish", () => resolve());
      });
    });
    server.emit("connection", duplex);
    pushIn(Buffer.from("GET / HTTP/1.1\r\nHost: a\r\n\r\n", "latin1"));
    await finished;
    assert.equal(writes.length, 2);
    assert.match(writes[0], /\r\n\r\nhi$/);
    assert.equal(writes[1], "");
    duplex.destroy();
  });
});
