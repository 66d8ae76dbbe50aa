/**
 * Behaviours found by running Node's own http tests (agent / client / chunked /
 * connect areas) through anyhttp: calling `Server` and `Agent` without `new`,
 * the legacy `agent.addRequest(req, host, port, localAddress)` form, the Host
 * header type check, `signal` on `agent.createConnection()`, and
 * `socket.bytesWritten` counting bytes a response wrote in the current tick.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import http, { Agent, Server } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import type { Duplex } from "node:stream";
import { raw } from "./server_util.ts";

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe("nodecompat n1", () => {
  test("Server and Agent construct when called without new", async () => {
    const callServer = Server as unknown as (
      fn: (req: IncomingMessage, res: ServerResponse) => void,
    ) => Server;
    const server = callServer((_req, res) => res.end("plain call"));
    assert.ok(server instanceof Server);
    assert.ok(server instanceof http.Server);
    const port = await listen(server);

    const callAgent = http.Agent as unknown as (o: { keepAlive: boolean }) => Agent;
    const agent = callAgent({ keepAlive: true });
    assert.ok(agent instanceof Agent);
    assert.equal(agent.keepAlive, true);

    const body = await new Promise<string>((resolve, reject) => {
      http.get({ port, host: "127.0.0.1", agent }, (res) => {
        let text = "";
        res.setEncoding("latin1");
        res.on("data", (d: string) => text += d);
        res.on("end", () => resolve(text));
      }).on("error", reject);
    });
    assert.equal(body, "plain call");
    agent.destroy();
    await close(server);
  });

  test("subclasses, statics and prototype patches still reach the classes", () => {
    class MyAgent extends Agent {
      marker(): string {
        return "mine";
      }
    }
    const a = new MyAgent({ maxSockets: 3 });
    assert.ok(a instanceof Agent);
    assert.equal(a.marker(), "mine");
    assert.equal(a.maxSockets, 3);
    assert.equal(Agent.defaultMaxSockets, Infinity);
    assert.equal(typeof Agent.prototype.addRequest, "function");
    class MyServer extends Server {}
    const s = new MyServer();
    assert.ok(s instanceof Server);
    assert.equal(s.listening, false);
  });

  test("addRequest(req, host, port, localAddress) keys the queue like an options object", () => {
    const agent = new Agent();
    agent.maxSockets = 0;
    const stubReq = {
      getHeader: (): undefined => undefined,
      onSocket: (): void => {},
      shouldKeepAlive: false,
      reusedSocket: false,
    };
    agent.addRequest(stubReq, "localhost", 8080, "127.0.0.1");
    assert.deepEqual(Object.keys(agent.requests), ["localhost:8080:127.0.0.1"]);
    agent.addRequest(stubReq, {
      host: "localhost",
      port: 8080,
      localAddress: "127.0.0.1",
      path: "/ignored",
    });
    assert.deepEqual(Object.keys(agent.requests), ["localhost:8080:127.0.0.1"]);
    assert.equal(agent.requests["localhost:8080:127.0.0.1"].length, 2);
  });

  test("a Host header that is not a string is refused with ERR_INVALID_ARG_TYPE", () => {
    assert.throws(
      () => http.request({ port: 80, path: "/", headers: { host: [] as unknown as string } }),
      {
        name: "TypeError",
        code: "ERR_INVALID_ARG_TYPE",
        message:
          'The "options.headers.host" property must be of type string. Received an instance of Array',
      },
    );
  });

  test("agent.createConnection honours signal (abort later, and already aborted)", async () => {
    const server = http.createServer((_req, res) => res.end());
    const port = await listen(server);
    const agent = new Agent();

    const ac = new AbortController();
    let added = 0;
    const origAdd = ac.signal.addEventListener.bind(ac.signal);
    ac.signal.addEventListener = ((...args: Parameters<AbortSignal["addEventListener"]>) => {
      if (args[0] === "abort") added++;
      return origAdd(...args);
    }) as AbortSignal["addEventListener"];
    const later = agent.createConnection({ host: "127.0.0.1", port, signal: ac.signal });
    assert.ok(later);
    assert.equal(added, 1);
    const laterErr = new Promise<Error>((resolve) => later.once("error", resolve));
    ac.abort();
    const e1 = await laterErr;
    assert.equal(e1.name, "AbortError");
    assert.equal((e1 as Error & { code?: string }).code, "ABORT_ERR");

    const pre = new AbortController();
    pre.abort();
    const early = agent.createConnection({ host: "127.0.0.1", port, signal: pre.signal });
    assert.ok(early);
    const e2 = await new Promise<Error>((resolve) => early.once("error", resolve));
    assert.equal(e2.name, "AbortError");

    await close(server);
  });

  test("socket.bytesWritten counts what the response wrote in this tick", async () => {
    let seen = -1;
    let headerOnly = -1;
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.write("x".repeat(5000));
      res.write(new Uint8Array(3000));
      seen = res.socket!.bytesWritten;
      headerOnly = res.socket!.bytesWritten - 8000;
      res.end();
    });
    const port = await listen(server);
    const length = await new Promise<number>((resolve, reject) => {
      http.get({ port, host: "127.0.0.1", agent: false }, (res) => {
        let n = 0;
        res.on("data", (d: Uint8Array) => n += d.length);
        res.on("end", () => resolve(n));
      }).on("error", reject);
    });
    assert.equal(length, 8000);
    // The head plus both chunks (chunked framing included) are counted at once.
    assert.ok(seen > 8000, `bytesWritten was ${seen}`);
    assert.ok(headerOnly > 0);
    await close(server);
  });

  test("a request that arrives with the client's FIN still gets its response", async () => {
    // The handler answers on req 'end' (a later tick than the bytes); the
    // peer's half-close right behind the data must not cut the response off.
    const server = http.createServer((req, res) => {
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/plain", connection: "close" });
        res.end("bye");
      });
      req.resume();
    });
    const port = await listen(server);
    const ext = ";" + "A".repeat(10000) + "=bar";
    const result = await raw(
      port,
      "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
        `2${ext}\r\nAA\r\n2${ext}\r\nAA\r\n2${ext}\r\nAA\r\n0\r\n\r\n`,
      { end: true, timeout: 5000 },
    );
    assert.equal(result.timedOut, false);
    assert.match(result.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(result.text.endsWith("\r\n\r\n3\r\nbye\r\n0\r\n\r\n"), result.text);
    await close(server);
  });

  test("after CONNECT each side's socket carries only the bytes past the heads", async () => {
    const server = http.createServer(() => assert.fail("no request event for CONNECT"));
    server.on("connect", (_req: IncomingMessage, socket: Duplex, head: Uint8Array) => {
      let seen = String.fromCharCode(...head);
      socket.write("HTTP/1.1 200 Connection established\r\n\r\nHead");
      socket.on("data", (d: Uint8Array) => seen += String.fromCharCode(...d));
      socket.on("end", () => socket.end("echo:" + seen));
    });
    const port = await listen(server);
    const got = await new Promise<{ head: string; rest: string }>((resolve, reject) => {
      const req = http.request({ port, host: "127.0.0.1", method: "CONNECT", path: "x:1" });
      req.on("error", reject);
      req.on("connect", (_res: IncomingMessage, socket: Duplex, head: Uint8Array) => {
        let rest = "";
        socket.on("data", (d: Uint8Array) => rest += String.fromCharCode(...d));
        socket.on("end", () => resolve({ head: String.fromCharCode(...head), rest }));
        socket.end("ping");
      });
      // Bytes sent before the answer travel with the CONNECT head.
      req.write("early");
      req.end();
    });
    assert.equal(got.head, "Head");
    assert.equal(got.rest, "echo:earlyping");
    await close(server);
  });
});
