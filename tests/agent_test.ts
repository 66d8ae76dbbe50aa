/**
 * Agent pooling: getName, reuse, maxSockets queueing, maxFreeSockets,
 * maxTotalSockets, lifo/fifo, free-socket timeouts, Keep-Alive hints,
 * agentRemove, stale sockets and the global agent.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type * as net from "node:net";
import { Agent, getGlobalAgent, globalAgent } from "../src/agent.ts";
import { get, request } from "../src/request.ts";
import type { ClientRequest } from "../src/client_request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { delay, rawServer, waitFor } from "./client_util.ts";

const KEEP = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok";

interface Done {
  req: ClientRequest;
  res: IncomingMessage;
  body: string;
  localPort: number | undefined;
}

function fetchOnce(opts: Record<string, unknown>): Promise<Done> {
  return new Promise((resolve, reject) => {
    const req = get(opts, (res) => {
      let body = "";
      const localPort = (req.socket as net.Socket | null)?.localPort;
      res.setEncoding("latin1");
      res.on("data", (d: string) => body += d);
      res.on("end", () => resolve({ req, res, body, localPort }));
    });
    req.on("error", reject);
  });
}

describe("Agent", () => {
  test("getName", () => {
    const a = new Agent();
    assert.equal(a.getName(), "localhost::");
    assert.equal(a.getName({ host: "a", port: 80 }), "a:80:");
    assert.equal(a.getName({ host: "a", port: 80, localAddress: "1.2.3.4" }), "a:80:1.2.3.4");
    assert.equal(a.getName({ host: "a", port: 80, family: 6 }), "a:80::6");
    assert.equal(a.getName({ host: "a", port: 80, family: 5 }), "a:80:");
    assert.equal(a.getName({ socketPath: "/tmp/s" }), "localhost:::/tmp/s");
  });

  test("defaults, option validation and the global agent", () => {
    const a = new Agent();
    assert.equal(a.keepAlive, false);
    assert.equal(a.keepAliveMsecs, 1000);
    assert.equal(a.maxSockets, Infinity);
    assert.equal(a.maxTotalSockets, Infinity);
    assert.equal(a.maxFreeSockets, 256);
    assert.equal(a.scheduling, "lifo");
    assert.equal(a.defaultPort, 80);
    assert.equal(a.protocol, "http:");
    assert.equal(Object.getPrototypeOf(a.sockets), null);
    assert.equal(Object.getPrototypeOf(a.freeSockets), null);
    assert.equal(Object.getPrototypeOf(a.requests), null);
    assert.equal(a.options.noDelay, true);
    assert.throws(() => new Agent({ scheduling: "x" as "fifo" }), {
      code: "ERR_INVALID_ARG_VALUE",
      message: "The argument 'scheduling' must be one of: 'fifo', 'lifo'. Received 'x'",
    });
    assert.throws(() => new Agent({ maxTotalSockets: 0 }), { code: "ERR_OUT_OF_RANGE" });
    assert.throws(() => new Agent({ maxTotalSockets: "1" as unknown as number }), {
      code: "ERR_INVALID_ARG_TYPE",
    });
    assert.equal(globalAgent.keepAlive, true);
    assert.equal(globalAgent.scheduling, "lifo");
    assert.equal(globalAgent.options.timeout, 5000);
    assert.equal(getGlobalAgent(), globalAgent);
  });

  test("keep-alive reuse: one connection, reusedSocket, free pool", async () => {
    const srv = await rawServer((c) => c.write(KEEP));
    const agent = new Agent({ keepAlive: true });
    try {
      const opts = { host: "127.0.0.1", port: srv.port, agent };
      const a = await fetchOnce(opts);
      assert.equal(a.body, "ok");
      assert.equal(a.req.reusedSocket, false);
      assert.match(srv.heads[0], /\r\nConnection: keep-alive\r\n/);
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "free socket");
      assert.equal(agent.sockets[name], undefined);
      const b = await fetchOnce(opts);
      assert.equal(b.req.reusedSocket, true);
      assert.equal(b.localPort, a.localPort);
      assert.equal(srv.sockets.length, 1);
      assert.equal(srv.heads.length, 2);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("non-keep-alive agent with finite maxSockets still sends keep-alive and reuses for queued requests", async () => {
    const srv = await rawServer((c) => c.write(KEEP));
    const agent = new Agent({ maxSockets: 1 });
    try {
      const opts = { host: "127.0.0.1", port: srv.port, agent };
      const reqs = [fetchOnce(opts), fetchOnce(opts), fetchOnce(opts)];
      const name = `127.0.0.1:${srv.port}:`;
      assert.equal(agent.requests[name].length, 2);
      const done = await Promise.all(reqs);
      assert.deepEqual(done.map((d) => d.body), ["ok", "ok", "ok"]);
      assert.equal(srv.sockets.length, 1, "queued requests reuse the one socket");
      assert.deepEqual(done.map((d) => d.req.reusedSocket), [false, false, false]);
      assert.equal(agent.requests[name], undefined);
      // Not a keepAlive agent: the socket is closed when the queue is empty.
      await waitFor(() => agent.totalSocketCount === 0, 2000, "socket closed");
      assert.equal(agent.freeSockets[name], undefined);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("agent keepAlive=false, maxSockets=Infinity sends Connection: close", async () => {
    const srv = await rawServer((c) => c.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    const agent = new Agent();
    try {
      const a = await fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      assert.equal(a.body, "ok");
      assert.match(srv.heads[0], /\r\nConnection: close\r\n/);
      await waitFor(() => agent.totalSocketCount === 0, 2000, "socket gone");
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("maxFreeSockets limits the pool", async () => {
    let n = 0;
    const srv = await rawServer(() => {
      // Answer the three requests only once all three connections exist.
      n++;
      if (n === 3) { for (const s of srv.sockets) s.write(KEEP); }
    });
    const agent = new Agent({ keepAlive: true, maxFreeSockets: 1 });
    try {
      const opts = { host: "127.0.0.1", port: srv.port, agent };
      await Promise.all([fetchOnce(opts), fetchOnce(opts), fetchOnce(opts)]);
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.totalSocketCount === 1, 2000, "two sockets destroyed");
      assert.equal(agent.freeSockets[name].length, 1);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  for (const scheduling of ["lifo", "fifo"] as const) {
    test(`scheduling ${scheduling}`, async () => {
      let n = 0;
      const srv = await rawServer((c, _h) => {
        n++;
        if (n === 2) {
          // First connection answers first, second one a bit later.
          srv.sockets[0].write(KEEP);
          setTimeout(() => srv.sockets[1].write(KEEP), 60);
        } else if (n > 2) c.write(KEEP);
      });
      const agent = new Agent({ keepAlive: true, scheduling });
      try {
        const opts = { host: "127.0.0.1", port: srv.port, agent };
        const [a, b] = await Promise.all([fetchOnce(opts), fetchOnce(opts)]);
        const name = `127.0.0.1:${srv.port}:`;
        await waitFor(() => agent.freeSockets[name]?.length === 2, 2000, "two free");
        const c = await fetchOnce(opts);
        assert.equal(c.req.reusedSocket, true);
        const first = srv.sockets[0].remotePort;
        const second = srv.sockets[1].remotePort;
        assert.deepEqual(new Set([a.localPort, b.localPort]), new Set([first, second]));
        assert.equal(c.localPort, scheduling === "lifo" ? second : first);
      } finally {
        agent.destroy();
        await srv.close();
      }
    });
  }

  test("maxTotalSockets queues across origins", async () => {
    const srv = await rawServer((c) => setTimeout(() => c.write(KEEP), 30));
    const agent = new Agent({ keepAlive: true, maxTotalSockets: 1 });
    try {
      const p1 = fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      const p2 = fetchOnce({ host: "localhost", family: 4, port: srv.port, agent });
      assert.equal(agent.totalSocketCount, 1);
      assert.equal(Object.keys(agent.requests).length, 1);
      const [a, b] = await Promise.all([p1, p2]);
      assert.equal(a.body + b.body, "okok");
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("free sockets die on the agent timeout", async () => {
    const srv = await rawServer((c) => c.write(KEEP));
    const agent = new Agent({ keepAlive: true, timeout: 150 });
    try {
      await fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled");
      const t0 = Date.now();
      await waitFor(() => agent.freeSockets[name] === undefined, 2000, "timed out");
      assert.ok(Date.now() - t0 >= 100);
      assert.equal(agent.totalSocketCount, 0);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("Keep-Alive: timeout=N hint shortens the idle timeout; timeout=1 is not pooled", async () => {
    const hint = (t: number) =>
      `HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=${t}\r\n\r\nok`;
    let t = 2;
    const srv = await rawServer((c) => c.write(hint(t)));
    const agent = new Agent({ keepAlive: true, timeout: 5000 });
    try {
      const name = `127.0.0.1:${srv.port}:`;
      await fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled");
      assert.equal((agent.freeSockets[name][0] as unknown as { timeout: number }).timeout, 1000);
      agent.destroy();
      await waitFor(() => agent.totalSocketCount === 0, 2000, "destroyed");
      t = 1;
      await fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      await waitFor(() => agent.totalSocketCount === 0, 2000, "not pooled");
      assert.equal(agent.freeSockets[name], undefined);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("a pooled socket closed by the server leaves the pool", async () => {
    const srv = await rawServer((c) => {
      c.write(KEEP);
      setTimeout(() => c.end(), 50);
    });
    const agent = new Agent({ keepAlive: true });
    try {
      await fetchOnce({ host: "127.0.0.1", port: srv.port, agent });
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled");
      await waitFor(() => agent.freeSockets[name] === undefined, 2000, "removed");
      assert.equal(agent.totalSocketCount, 0);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("reused socket reset by the server → ECONNRESET with reusedSocket", async () => {
    const srv = await rawServer((c, _h, i) => {
      if (i === 0) c.write(KEEP);
      else c.destroy();
    });
    const agent = new Agent({ keepAlive: true });
    try {
      const opts = { host: "127.0.0.1", port: srv.port, agent };
      await fetchOnce(opts);
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled");
      const err = await new Promise<Error & { code?: string }>((resolve) => {
        const req = get(opts, () => resolve(new Error("unexpected response")));
        req.on("error", (e) => {
          assert.equal(req.reusedSocket, true);
          resolve(e);
        });
      });
      assert.equal(err.code, "ECONNRESET");
      await waitFor(() => agent.totalSocketCount === 0, 2000, "socket dropped");
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("request Connection: close and unread responses are never pooled", async () => {
    const srv = await rawServer((c) => c.write(KEEP));
    const agent = new Agent({ keepAlive: true });
    try {
      const name = `127.0.0.1:${srv.port}:`;
      const a = await fetchOnce({
        host: "127.0.0.1",
        port: srv.port,
        agent,
        headers: { Connection: "close" },
      });
      assert.equal(a.body, "ok");
      await waitFor(() => agent.totalSocketCount === 0, 2000, "closed after Connection: close");
      // A response abandoned mid-body: destroy the request, the socket goes too.
      const srv2 = await rawServer((c) =>
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
      );
      try {
        await new Promise<void>((resolve) => {
          const req = get({ host: "127.0.0.1", port: srv2.port, agent }, (res) => {
            res.once("data", () => req.destroy());
            res.on("error", () => {});
          });
          req.on("close", () => resolve());
        });
        await waitFor(() => agent.totalSocketCount === 0, 2000, "destroyed");
        assert.equal(agent.freeSockets[`127.0.0.1:${srv2.port}:`], undefined);
      } finally {
        await srv2.close();
      }
      assert.equal(agent.freeSockets[name], undefined);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("agentRemove takes a socket out of the agent", async () => {
    const srv = await rawServer(() => {});
    const agent = new Agent({ keepAlive: true });
    try {
      const req = request({ host: "127.0.0.1", port: srv.port, agent });
      req.on("error", () => {});
      req.end();
      await new Promise((r) => req.once("socket", r));
      const name = `127.0.0.1:${srv.port}:`;
      assert.equal(agent.sockets[name].length, 1);
      assert.equal(agent.totalSocketCount, 1);
      req.socket!.emit("agentRemove");
      assert.equal(agent.sockets[name], undefined);
      assert.equal(agent.totalSocketCount, 0);
      req.destroy();
      await delay(20);
      assert.equal(agent.totalSocketCount, 0);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });

  test("keepSocketAlive and reuseSocket are overridable", async () => {
    const srv = await rawServer((c) => c.write(KEEP));
    const calls: string[] = [];
    class MyAgent extends Agent {
      override keepSocketAlive(socket: Parameters<Agent["keepSocketAlive"]>[0]): boolean {
        calls.push("keep");
        return super.keepSocketAlive(socket);
      }
      override reuseSocket(
        socket: Parameters<Agent["reuseSocket"]>[0],
        req: Parameters<Agent["reuseSocket"]>[1],
      ): void {
        calls.push("reuse");
        super.reuseSocket(socket, req);
      }
    }
    const agent = new MyAgent({ keepAlive: true });
    try {
      const opts = { host: "127.0.0.1", port: srv.port, agent };
      await fetchOnce(opts);
      const name = `127.0.0.1:${srv.port}:`;
      await waitFor(() => agent.freeSockets[name]?.length === 1, 2000, "pooled");
      const b = await fetchOnce(opts);
      assert.equal(b.req.reusedSocket, true);
      assert.deepEqual(calls.slice(0, 2), ["keep", "reuse"]);
    } finally {
      agent.destroy();
      await srv.close();
    }
  });
});
