import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import http from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";

function listen(server: ReturnType<typeof http.createServer>): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
}

test("createClient(port, host).request(method, path, headers) sends a request (deprecated shim)", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const seen: string[] = [];
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url} ${req.headers["x-old"]}`);
    res.end("old-school");
  });
  const port = await listen(server);
  try {
    const client = http.createClient(port, "127.0.0.1");
    assert.equal(client.port, port);
    assert.equal(client.host, "127.0.0.1");
    const body = await new Promise<string>((resolve, reject) => {
      const req = client.request("PUT", "/legacy", { "X-Old": "yes" });
      req.on("response", (res: IncomingMessage) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => text += c);
        res.on("end", () => resolve(text));
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(body, "old-school");
    // request(path) alone means GET, as in the old API.
    await new Promise<void>((resolve, reject) => {
      const req = client.request("/short");
      req.on("response", (res: IncomingMessage) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end();
    });
    assert.deepEqual(seen, ["PUT /legacy yes", "GET /short undefined"]);
    client.agent.destroy();
    await new Promise((r) => setTimeout(r, 0));
    assert.ok(
      warnings.some((w) => w.startsWith("DeprecationWarning") && w.includes("createClient")),
      `no deprecation warning in ${JSON.stringify(warnings)}`,
    );
  } finally {
    process.removeListener("warning", onWarning);
    await new Promise((r) => server.close(r));
  }
});

test("createClient re-emits request errors on the client", async () => {
  const server = http.createServer(() => {});
  const port = await listen(server);
  await new Promise((r) => server.close(r)); // nothing listens on that port now
  const client = http.createClient(port, "127.0.0.1");
  const err = await new Promise<Error & { code?: string }>((resolve) => {
    client.on("error", resolve);
    client.request("GET", "/").end();
  });
  assert.equal(err.code, "ECONNREFUSED");
  client.agent.destroy();
});

test("getAgent(host, port) returns the agent request() uses (deprecated shim)", () => {
  assert.equal(http.getAgent("127.0.0.1", 80), http.globalAgent);
  const mine = new http.Agent();
  const original = http.globalAgent;
  http.globalAgent = mine;
  try {
    assert.equal(http.getAgent("example.test", 8080), mine);
  } finally {
    http.globalAgent = original;
    mine.destroy();
  }
});
