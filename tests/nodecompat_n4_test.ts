/**
 * Behaviours found by running Node's own http tests (keep-alive, pipelining,
 * request/response areas) through anyhttp. First: a user's 'data' listener on
 * a socket the HTTP server is reading sees the bytes as well (Node
 * "unconsumes" its parser), without stealing them from the parser and without
 * repeating an upgrade's bytes on the upgraded socket.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import type { Buffer } from "node:buffer";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { createServer, type Server } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe("nodecompat n4", () => {
  test("a 'data' listener on req.socket sees the body bytes; the request still gets them", async () => {
    let tapped = "";
    let body = "";
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.socket.on("data", (d: Buffer) => {
        tapped += d.toString("latin1");
      });
      req.setEncoding("latin1");
      req.on("data", (d: string) => {
        body += d;
      });
      req.on("end", () => res.end("done"));
    });
    const port = await listen(server);
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        let got = "";
        const sock = net.connect(port, "127.0.0.1", () => {
          sock.write(
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nConnection: close\r\n\r\n",
          );
          setTimeout(() => sock.write("0123456789"), 30);
        });
        sock.on("data", (d: Buffer) => {
          got += d.toString("latin1");
        });
        sock.on("error", reject);
        sock.on("close", () => resolve(got));
      });
      assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
      assert.ok(reply.endsWith("done"));
      assert.equal(body, "0123456789");
      assert.equal(tapped, "0123456789");
    } finally {
      await close(server);
    }
  });

  test("after an upgrade, bytes reach a socket tapped before it exactly once", async () => {
    const server = createServer(() => assert.fail("no request event for an upgrade"));
    let early = "";
    server.on("connection", (socket: Duplex) => {
      socket.on("data", (d: Buffer) => {
        early += d.toString("latin1");
      });
    });
    const upgraded = new Promise<{ head: string; later: string }>((resolve) => {
      server.on("upgrade", (_req: IncomingMessage, socket: Duplex, head: Buffer) => {
        let later = "";
        socket.write(
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n",
        );
        socket.on("data", (d: Buffer) => {
          later += d.toString("latin1");
          if (later.endsWith("END")) {
            socket.end();
            resolve({ head: head.toString("latin1"), later });
          }
        });
      });
    });
    const port = await listen(server);
    let sock: net.Socket | null = null;
    try {
      sock = net.connect(port, "127.0.0.1", () => {
        sock!.write("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\nHEAD");
      });
      sock.on("error", () => {});
      sock.once("data", () => sock!.write("more-END"));
      sock.resume();
      const { head, later } = await upgraded;
      assert.equal(head, "HEAD");
      assert.equal(later, "more-END", "no byte of the upgrade request or head repeated");
      // The listener from 'connection' saw the whole upgrade request (as Node's).
      assert.ok(early.startsWith("GET / HTTP/1.1\r\n"));
      assert.ok(early.includes("HEAD"));
      assert.ok(early.endsWith("more-END"));
      assert.equal(early.split("more-END").length, 2, "later bytes seen once");
      const s = sock;
      await new Promise<void>((resolve) => {
        if (s.destroyed) resolve();
        else s.on("close", () => resolve());
      });
    } finally {
      sock?.destroy();
      await close(server);
    }
  });
});
