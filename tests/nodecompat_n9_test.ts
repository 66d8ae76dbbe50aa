/**
 * Behaviours found by rerunning Node's http tests: an `Agent` subclass written
 * the pre-class way (a function whose prototype inherits `Agent.prototype`
 * through `util.inherits`, calling `Agent.call(this, options)`) gets its own
 * instance set up as an agent, as Node's function constructor does: its
 * options apply, its requests are served and pooled, and its
 * `createConnection` override is the one used. The same holds for a `Server`
 * subclass calling `Server.call(this, listener)`: it listens, serves with that
 * listener and its own listeners, and closes.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import util from "node:util";
import { Agent, createServer, get, Server } from "../mod.ts";
import type { AgentOptions } from "../src/agent.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import type { RequestListener } from "../src/server.ts";
import { listen, stop } from "./server_util.ts";

type AgentCtor = new (options?: AgentOptions) => Agent;
const callAgent = Agent as unknown as { call(self: unknown, options?: AgentOptions): unknown };

/** A subclass made with util.inherits, as code older than ES classes writes it. */
function legacySubclass(
  createConnection?: (this: Agent, options: AgentOptions) => net.Socket,
): AgentCtor {
  function LegacyAgent(this: Agent, options?: AgentOptions): void {
    callAgent.call(this, options);
  }
  util.inherits(LegacyAgent, Agent);
  if (createConnection) {
    (LegacyAgent.prototype as { createConnection: unknown }).createConnection = createConnection;
  }
  return LegacyAgent as unknown as AgentCtor;
}

describe("nodecompat n9: an Agent subclass written as a function", () => {
  test("Agent.call(this, options) sets up that instance as an agent", async () => {
    const LegacyAgent = legacySubclass();
    const agent = new LegacyAgent({ keepAlive: true, maxSockets: 3 });
    assert.ok(agent instanceof Agent);
    assert.equal(agent.keepAlive, true);
    assert.equal(agent.maxSockets, 3);
    assert.equal(agent.defaultPort, 80);
    assert.equal(agent.totalSocketCount, 0);

    const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
      res.end("hello");
    });
    const port = await listen(server);
    try {
      const fetchOnce = () =>
        new Promise<string>((resolve, reject) => {
          const req = get({ host: "127.0.0.1", port, agent }, (res) => {
            let text = "";
            res.setEncoding("latin1");
            res.on("data", (c: string) => (text += c));
            res.on("end", () => resolve(text));
          });
          req.on("error", reject);
        });
      assert.equal(await fetchOnce(), "hello");
      // The kept-alive socket went back to this agent's own pool.
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(Object.values(agent.freeSockets).flat().length, 1);
      assert.equal(await fetchOnce(), "hello");
      assert.equal(agent.totalSocketCount, 1);
    } finally {
      agent.destroy();
      await stop(server);
    }
  });

  test("the subclass's createConnection is the one the agent uses", async () => {
    let made = 0;
    const LegacyAgent = legacySubclass(function (options: AgentOptions) {
      made++;
      const socket = new net.Socket();
      // The connection fails before it ever connects.
      process.nextTick(() => socket.destroy(new Error("no route, on purpose")));
      void options;
      return socket;
    });
    const agent = new LegacyAgent();
    const err = await new Promise<Error>((resolve) => {
      const req = get({ host: "127.0.0.1", port: 9, agent }, () => {
        resolve(new Error("unexpected response"));
      });
      req.on("error", resolve);
    });
    assert.equal(err.message, "no route, on purpose");
    assert.equal(made, 1);
    agent.destroy();
  });
});

describe("nodecompat n9: a Server subclass written as a function", () => {
  test("Server.call(this, listener) sets up that instance as a server", async () => {
    const callServer = Server as unknown as {
      call(self: unknown, listener?: RequestListener): unknown;
    };
    let connections = 0;
    function LegacyServer(this: Server): void {
      callServer.call(this, (_req, res) => {
        res.end("from the legacy server");
      });
      this.on("connection", () => connections++);
    }
    util.inherits(LegacyServer, Server);
    const server = new (LegacyServer as unknown as new () => Server)();
    assert.ok(server instanceof Server);
    assert.equal(server.keepAliveTimeout, 5000);
    assert.equal(server.listening, false);

    const port = await listen(server);
    try {
      assert.equal(server.listening, true);
      const body = await new Promise<string>((resolve, reject) => {
        const req = get({ host: "127.0.0.1", port, agent: false }, (res) => {
          let text = "";
          res.setEncoding("latin1");
          res.on("data", (c: string) => (text += c));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
      });
      assert.equal(body, "from the legacy server");
      assert.equal(connections, 1);
    } finally {
      await stop(server);
    }
    assert.equal(server.listening, false);
  });
});
