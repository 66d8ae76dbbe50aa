/**
 * Event orders of ClientRequest / its response in every documented scenario
 * (orders observed on Node 20), against raw `node:net` servers.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { get, request } from "../src/request.ts";
import { Agent } from "../src/agent.ts";
import type { ClientRequest } from "../src/client_request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { delay, rawServer, waitFor } from "./client_util.ts";

type Reply = ((socket: net.Socket, head: string) => void) | null;

function track(req: ClientRequest, log: string[]): void {
  const fmt = (e: unknown): string => {
    const err = e as { code?: string; message?: string };
    return `(${err.code}:${err.message})`;
  };
  for (const ev of ["socket", "finish", "response", "close", "error", "abort", "timeout"]) {
    req.on(ev, (a: unknown) => {
      log.push("req:" + ev + (ev === "error" ? fmt(a) : ""));
      if (ev === "response") {
        const res = a as IncomingMessage;
        for (const rev of ["data", "end", "close", "aborted", "error"]) {
          res.on(rev, (x: unknown) => log.push("res:" + rev + (rev === "error" ? fmt(x) : "")));
        }
      }
    });
  }
  for (const ev of ["information", "upgrade", "connect"]) {
    req.on(ev, (_res: unknown, socket?: net.Socket) => {
      log.push("req:" + ev);
      if (socket) socket.destroy();
    });
  }
}

async function scenario(
  reply: Reply,
  make: (port: number) => ClientRequest,
  after?: (req: ClientRequest) => void,
): Promise<string[]> {
  const srv = await rawServer((s, h) => reply?.(s, h));
  const log: string[] = [];
  try {
    const req = make(srv.port);
    track(req, log);
    after?.(req);
    await waitFor(() => log.includes("req:close"), 4000, "req close");
    // Let trailing events (res 'close', 'abort') land.
    await delay(60);
  } finally {
    await srv.close();
  }
  return log;
}

const OK = (c: net.Socket): void => {
  c.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
};
const OK_KEEP = (c: net.Socket): void => {
  c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
};
const PARTIAL = (c: net.Socket): void => {
  c.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi");
};

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe("ClientRequest event orders", () => {
  test("success, no keep-alive (agent: false)", async () => {
    const log = await scenario(OK, (port) => get({ host: "127.0.0.1", port, agent: false }));
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "res:end",
      "res:close",
      "req:close",
    ]);
  });

  test("success, keep-alive agent", async () => {
    const agent = new Agent({ keepAlive: true });
    const log = await scenario(OK_KEEP, (port) => get({ host: "127.0.0.1", port, agent }));
    agent.destroy();
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "res:end",
      "req:close",
      "res:close",
    ]);
  });

  test("connection error", async () => {
    const port = await closedPort();
    const log = await scenario(null, () => get({ host: "127.0.0.1", port, agent: false }));
    assert.equal(log[0], "req:socket");
    assert.match(log[1], /^req:error\(ECONNREFUSED:/);
    assert.equal(log[log.length - 1], "req:close");
    assert.equal(log.filter((e) => e.startsWith("req:error")).length, 1);
    assert.ok(!log.includes("req:response"));
  });

  test("premature close before the response", async () => {
    const log = await scenario(
      (c) => c.end(),
      (port) => get({ host: "127.0.0.1", port, agent: false }),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:error(ECONNRESET:socket hang up)",
      "req:close",
    ]);
  });

  test("premature close after the response", async () => {
    const log = await scenario(
      (c) => {
        PARTIAL(c);
        setTimeout(() => c.end(), 30);
      },
      (port) => get({ host: "127.0.0.1", port, agent: false }),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "res:aborted",
      "req:close",
      "res:error(ECONNRESET:aborted)",
      "res:close",
    ]);
  });

  test("destroy() before a socket is assigned", async () => {
    const log = await scenario(OK, (port) => {
      const r = get({ host: "127.0.0.1", port, agent: false });
      r.destroy();
      return r;
    });
    assert.deepEqual(log, ["req:error(ECONNRESET:socket hang up)", "req:close"]);
  });

  test("destroy() before the connection succeeds", async () => {
    const log = await scenario(
      OK,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("socket", () => r.destroy()),
    );
    assert.deepEqual(log, ["req:socket", "req:error(ECONNRESET:socket hang up)", "req:close"]);
  });

  test("destroy() after the response", async () => {
    const log = await scenario(
      PARTIAL,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", (res: IncomingMessage) => res.on("data", () => r.destroy())),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "res:aborted",
      "req:close",
      "res:error(ECONNRESET:aborted)",
      "res:close",
    ]);
  });

  // A destroy with an error goes through the socket's 'error' (Node's
  // socketErrorListener): the request reports it first, then the parser is
  // finished (a body read to EOF completes), then the close aborts the rest.
  const boom = (): Error => Object.assign(new Error("boom"), { code: "EBOOM" });
  const CLOSE_DELIMITED = (c: net.Socket): void => {
    c.write("HTTP/1.1 200 OK\r\n\r\npartial");
  };

  test("destroy(err) during a body read to EOF: 'error', then the body ends", async () => {
    const log = await scenario(
      CLOSE_DELIMITED,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", (res: IncomingMessage) => res.on("data", () => r.destroy(boom()))),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "req:error(EBOOM:boom)",
      "res:end",
      "res:close",
      "req:close",
    ]);
  });

  test("destroy(err) in 'response' of a whole response: 'error' before 'end'", async () => {
    const log = await scenario(
      OK_KEEP,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", () => r.destroy(boom())),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "req:error(EBOOM:boom)",
      "res:end",
      "res:close",
      "req:close",
    ]);
  });

  test("socket.destroy(err) mid-body: the request's 'error', nothing uncaught", async () => {
    const log = await scenario(
      PARTIAL,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", () => r.socket!.destroy(boom())),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "req:error(EBOOM:boom)",
      "res:aborted",
      "req:close",
      "res:error(ECONNRESET:aborted)",
      "res:close",
    ]);
  });

  test("res.destroy(err) mid-body: 'aborted', the request's 'error', then the response's", async () => {
    const log = await scenario(
      PARTIAL,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", (res: IncomingMessage) => res.on("data", () => res.destroy(boom()))),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "res:aborted",
      "req:error(EBOOM:boom)",
      "res:error(EBOOM:boom)",
      "res:close",
      "req:close",
    ]);
  });

  test("a response left unread: the request's 'close' when the socket closes", async () => {
    const srv = await rawServer((s) => s.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"));
    const log: string[] = [];
    try {
      const req = get({ host: "127.0.0.1", port: srv.port, agent: false });
      for (const ev of ["response", "close", "error"]) req.on(ev, () => log.push("req:" + ev));
      req.on("response", (res: IncomingMessage) => {
        for (const ev of ["end", "close", "aborted", "error"]) {
          res.on(ev, () => log.push("res:" + ev));
        }
      });
      await waitFor(() => log.includes("req:close"), 4000, "req close");
      await delay(60);
    } finally {
      await srv.close();
    }
    assert.deepEqual(log, ["req:response", "req:close"]);
  });

  test("a paused response: the request's 'close' first, the body after resume()", async () => {
    const log = await scenario(
      OK,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) =>
        r.on("response", (res: IncomingMessage) => {
          res.pause();
          setTimeout(() => res.resume(), 60);
        }),
    );
    await delay(100);
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "req:close",
      "res:data",
      "res:end",
      "res:close",
    ]);
  });

  test("abort() before a socket is assigned", async () => {
    const log = await scenario(OK, (port) => {
      const r = get({ host: "127.0.0.1", port, agent: false });
      r.abort();
      return r;
    });
    // Node 20's real order (its docs list 'abort' first): 'close' is emitted
    // in the tick that hands out the socket, before abort()'s queued 'abort'.
    assert.deepEqual(log, ["req:close", "req:abort"]);
  });

  test("abort() before the connection succeeds", async () => {
    const log = await scenario(
      OK,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("socket", () => r.abort()),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:abort",
      "req:error(ECONNRESET:socket hang up)",
      "req:close",
    ]);
  });

  test("abort() after the response", async () => {
    const log = await scenario(
      PARTIAL,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) => r.on("response", (res: IncomingMessage) => res.on("data", () => r.abort())),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "req:abort",
      "res:aborted",
      "req:close",
      "res:error(ECONNRESET:aborted)",
      "res:close",
    ]);
  });

  test("AbortSignal after the response behaves as destroy(AbortError)", async () => {
    const ac = new AbortController();
    const log = await scenario(
      PARTIAL,
      (port) => get({ host: "127.0.0.1", port, agent: false, signal: ac.signal }),
      (r) => r.on("response", (res: IncomingMessage) => res.on("data", () => ac.abort())),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:response",
      "res:data",
      "req:error(ABORT_ERR:The operation was aborted)",
      "res:aborted",
      "req:close",
      "res:error(ECONNRESET:aborted)",
      "res:close",
    ]);
  });

  test("AbortSignal already aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const log = await scenario(
      OK,
      (port) => get({ host: "127.0.0.1", port, agent: false, signal: ac.signal }),
    );
    assert.deepEqual(log, ["req:error(ABORT_ERR:The operation was aborted)", "req:close"]);
  });

  test("garbage answer → parse error", async () => {
    const log = await scenario(
      (c) => c.end("SSH-2.0-OpenSSH_9.0\r\n"),
      (port) => get({ host: "127.0.0.1", port, agent: false }),
    );
    assert.equal(log.length, 4);
    assert.deepEqual(log.slice(0, 2), ["req:socket", "req:finish"]);
    assert.match(log[2], /^req:error\(HPE_/);
    assert.equal(log[3], "req:close");
  });

  test("server never answers: timeout option, 'timeout', destroy()", async () => {
    const t0 = Date.now();
    const log = await scenario(
      null,
      (port) => get({ host: "127.0.0.1", port, agent: false, timeout: 150 }),
      (r) => r.on("timeout", () => r.destroy()),
    );
    assert.ok(Date.now() - t0 >= 140);
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:timeout",
      "req:error(ECONNRESET:socket hang up)",
      "req:close",
    ]);
  });

  test("setTimeout() on the request", async () => {
    let fired = 0;
    const log = await scenario(
      null,
      (port) => get({ host: "127.0.0.1", port, agent: false }),
      (r) =>
        r.setTimeout(100, () => {
          fired++;
          r.destroy();
        }),
    );
    assert.equal(fired, 1);
    assert.ok(log.includes("req:timeout"));
  });

  test("1xx → 'information' before 'response'", async () => {
    const log = await scenario(
      (c) =>
        c.end(
          "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        ),
      (port) => get({ host: "127.0.0.1", port, agent: false }),
    );
    assert.deepEqual(log, [
      "req:socket",
      "req:finish",
      "req:information",
      "req:response",
      "res:end",
      "res:close",
      "req:close",
    ]);
  });

  test("upgrade with a listener", async () => {
    let head = "";
    let status = 0;
    const srv = await rawServer((c) =>
      c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\nHEAD")
    );
    try {
      const req = request({
        host: "127.0.0.1",
        port: srv.port,
        headers: { Upgrade: "x", Connection: "upgrade" },
      });
      const log: string[] = [];
      req.on("upgrade", (res: IncomingMessage, socket: net.Socket, h: Uint8Array) => {
        log.push("upgrade");
        status = res.statusCode!;
        head = String.fromCharCode(...h);
        // The socket is the user's now: data after the head flows to it.
        socket.on("data", (d: Uint8Array) => {
          head += "|" + String.fromCharCode(...d);
          socket.destroy();
        });
        srv.sockets[0].write("MORE");
      });
      req.on("close", () => log.push("close"));
      req.on("response", () => log.push("response"));
      req.end();
      await waitFor(() => head.includes("MORE"), 3000, "upgrade data");
      assert.deepEqual(log, ["upgrade", "close"]);
      assert.equal(status, 101);
      assert.equal(head, "HEAD|MORE");
    } finally {
      await srv.close();
    }
  });

  test("upgrade without a listener destroys the connection", async () => {
    let closed = false;
    const srv = await rawServer((c) => {
      c.on("close", () => closed = true);
      c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n");
    });
    try {
      const req = request({
        host: "127.0.0.1",
        port: srv.port,
        agent: false,
        headers: { Upgrade: "x", Connection: "upgrade" },
      });
      let responded = false;
      req.on("response", () => responded = true);
      req.on("error", () => {});
      req.end();
      await waitFor(() => closed, 3000, "server sees close");
      assert.equal(responded, false);
    } finally {
      await srv.close();
    }
  });

  test("CONNECT → 'connect' with head, socket usable", async () => {
    const srv = await rawServer((c, h) => {
      assert.match(h, /^CONNECT example\.com:443 HTTP\/1\.1\r\n/);
      c.write("HTTP/1.1 200 Connection Established\r\n\r\nEARLY");
      c.on("data", (d: Uint8Array) => c.write(d));
    });
    try {
      const req = request({
        host: "127.0.0.1",
        port: srv.port,
        method: "CONNECT",
        path: "example.com:443",
      });
      let got = "";
      let closed = false;
      req.on("close", () => closed = true);
      req.on("connect", (res: IncomingMessage, socket: net.Socket, head: Uint8Array) => {
        assert.equal(res.statusCode, 200);
        got = String.fromCharCode(...head);
        socket.on("data", (d: Uint8Array) => {
          got += "|" + String.fromCharCode(...d);
          socket.destroy();
        });
        socket.write("ping");
      });
      req.end();
      await waitFor(() => got.includes("ping"), 3000, "tunnel echo");
      assert.equal(got, "EARLY|ping");
      assert.equal(closed, true);
    } finally {
      await srv.close();
    }
  });
});
