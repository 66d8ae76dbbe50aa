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
import { createServer, get } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, stop as close } from "./server_util.ts";

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

  test("a 'data' listener prepended on req.socket after the response sees what comes next", async () => {
    let tapped = "";
    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.end();
      res.socket!.prependListener("data", (d: Buffer) => {
        tapped += d.toString("latin1");
      });
    });
    const port = await listen(server);
    try {
      await new Promise<void>((resolve, reject) => {
        const sock = net.connect(port, "127.0.0.1", () => {
          sock.write("PUT / HTTP/1.1\r\nHost: a\r\n\r\n");
        });
        // After the response, bytes that are no HTTP: the listener sees them,
        // the parser answers 400 and closes.
        sock.once("data", () => sock.end("not http at all"));
        sock.on("error", reject);
        sock.on("close", () => resolve());
        sock.resume();
      });
      assert.equal(tapped, "not http at all");
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

  test("responses in HTTP/0.9 and 2.0 are read (as llhttp); 1.2 is a parse error", async () => {
    // Each status line from a raw TCP server (requests stay 1.0/1.1 only: shared/wire-cases).
    const statusLine = async (version: string): Promise<string> => {
      const conns: net.Socket[] = [];
      const raw = net.createServer((c: net.Socket) => {
        conns.push(c);
        c.resume();
        c.end(`HTTP/${version} 200 OK\r\n\r\nbody`);
      });
      await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", () => resolve()));
      const port = (raw.address() as AddressInfo).port;
      try {
        return await new Promise<string>((resolve) => {
          get({ port, host: "127.0.0.1" }, (res: IncomingMessage) => {
            let body = "";
            res.setEncoding("latin1");
            res.on("data", (d: string) => {
              body += d;
            });
            res.on("end", () => resolve(`${res.httpVersion} ${body}`));
          }).on("error", (e: Error & { code?: string }) => resolve(String(e.code)));
        });
      } finally {
        for (const c of conns) c.destroy();
        await new Promise<void>((resolve) => raw.close(() => resolve()));
      }
    };
    assert.equal(await statusLine("0.9"), "0.9 body");
    assert.equal(await statusLine("2.0"), "2.0 body");
    assert.equal(await statusLine("1.2"), "HPE_INVALID_VERSION");
  });

  test("an unread request body pauses the server socket with 'pause', reading it resumes", async () => {
    const events: string[] = [];
    let bodyLength = 0;
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.socket.on("pause", () => {
        events.push("pause");
        // Start reading only once the server has stopped reading the socket.
        if (events.length === 1) {
          req.on("data", (d: Uint8Array) => {
            bodyLength += d.byteLength;
          });
        }
      });
      req.socket.on("resume", () => events.push("resume"));
      req.on("end", () => res.end("ok"));
    });
    const port = await listen(server);
    const size = 1024 * 1024;
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        let got = "";
        const sock = net.connect(port, "127.0.0.1", () => {
          sock.write(
            `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`,
          );
          sock.write(new Uint8Array(size));
        });
        sock.on("data", (d: Buffer) => {
          got += d.toString("latin1");
        });
        sock.on("error", reject);
        sock.on("close", () => resolve(got));
      });
      assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
      assert.equal(bodyLength, size);
      assert.equal(events[0], "pause");
      assert.ok(events.includes("resume"));
    } finally {
      await close(server);
    }
  });

  test("a response finished before its unread body dumps it: the next request is served", async () => {
    const seen: string[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`${req.method} ${req.url}`);
      // POST: answer once the socket stopped reading the untouched body.
      if (req.method === "POST") req.socket.once("pause", () => res.end("posted"));
      else res.end("got");
    });
    const port = await listen(server);
    const size = 256 * 1024;
    let sock: net.Socket | null = null;
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        let got = "";
        const timer = setTimeout(() => reject(new Error(`stalled: ${JSON.stringify(got)}`)), 3000);
        const s = net.connect(port, "127.0.0.1", () => {
          s.write(`POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\n\r\n`);
          s.write(new Uint8Array(size));
          s.write("GET /g HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        });
        sock = s;
        s.on("data", (d: Buffer) => {
          got += d.toString("latin1");
        });
        s.on("error", reject);
        s.on("close", () => {
          clearTimeout(timer);
          resolve(got);
        });
      });
      assert.deepEqual(seen, ["POST /p", "GET /g"]);
      assert.ok(reply.includes("posted"));
      assert.ok(reply.endsWith("got"));
    } finally {
      (sock as net.Socket | null)?.destroy();
      await close(server);
    }
  });
});
