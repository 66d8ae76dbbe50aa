import { test } from "node:test";
import assert from "node:assert/strict";
import http, * as named from "../mod.ts";

const g = globalThis as unknown as { Deno?: unknown; Bun?: unknown };
const plainNode = !g.Deno && !g.Bun;

const nodeHttpNames = [
  "Agent",
  "_connectionListener",
  "ClientRequest",
  "IncomingMessage",
  "METHODS",
  "OutgoingMessage",
  "STATUS_CODES",
  "Server",
  "ServerResponse",
  "createServer",
  "get",
  "globalAgent",
  "maxHeaderSize",
  "request",
  "setMaxIdleHTTPParsers",
  "validateHeaderName",
  "validateHeaderValue",
];

test("default export is shaped like node:http", () => {
  for (const name of nodeHttpNames) {
    assert.ok(name in http, `default export lacks ${name}`);
    assert.equal(
      (http as unknown as Record<string, unknown>)[name],
      (named as unknown as Record<string, unknown>)[name],
      `default.${name} differs from the named export`,
    );
  }
  assert.equal(typeof http.createServer, "function");
  assert.equal(http.maxHeaderSize, 16384);
  assert.ok(http.METHODS.includes("GET"));
  assert.equal(http.STATUS_CODES[404], "Not Found");
});

test("globalAgent can be replaced through the module object, as in Node", () => {
  const original = http.globalAgent;
  const replacement = new http.Agent({ keepAlive: false });
  try {
    http.globalAgent = replacement;
    assert.equal(http.globalAgent, replacement);
  } finally {
    http.globalAgent = original;
    replacement.destroy();
  }
  assert.equal(http.globalAgent, original);
});

test("setMaxIdleHTTPParsers validates its argument like Node", () => {
  assert.throws(() => http.setMaxIdleHTTPParsers(0), {
    name: "RangeError",
    code: "ERR_OUT_OF_RANGE",
    message:
      'The value of "max" is out of range. It must be >= 1 && <= 9007199254740991. Received 0',
  });
  assert.throws(
    () => (http.setMaxIdleHTTPParsers as (v: unknown) => void)("5"),
    {
      name: "TypeError",
      code: "ERR_INVALID_ARG_TYPE",
      message: `The "max" argument must be of type number. Received type string ('5')`,
    },
  );
  http.setMaxIdleHTTPParsers(1000);
});

test(
  "the module has the same names as Node's own http (Node leg)",
  { skip: !plainNode },
  async () => {
    const nodeHttp = (await import("node:http")).default as unknown as Record<string, unknown>;
    for (const name of nodeHttpNames) {
      assert.equal(
        typeof (http as unknown as Record<string, unknown>)[name],
        typeof nodeHttp[name],
        name,
      );
    }
    assert.deepEqual(http.METHODS, nodeHttp.METHODS);
    assert.deepEqual(http.STATUS_CODES, nodeHttp.STATUS_CODES);
  },
);

test("require('anyhttp') and import both give the node:http-shaped object (Node leg)", {
  skip: !plainNode,
}, async () => {
  const { createRequire } = await import("node:module");
  const require = createRequire(import.meta.url);
  // In the Node leg this file runs from npm/esm/tests/, where `anyhttp` resolves to the built package.
  const required = require("anyhttp") as Record<string, unknown>;
  assert.equal(typeof required.createServer, "function");
  assert.equal(typeof required.request, "function");
  assert.equal(required.default, undefined, "require() must not return a module namespace");
  const imported = (await import("anyhttp" as string)) as { default: Record<string, unknown> };
  assert.equal(imported.default.createServer, required.createServer);
  assert.equal(imported.default.Server, required.Server);
});

test("_connectionListener serves sockets accepted by a plain net server, and is the server's 'connection' listener", async () => {
  const { createServer: netServer } = await import("node:net");
  const { raw } = await import("./server_util.ts");
  const server = http.createServer((req, res) => res.end(`served ${req.url}`));
  assert.ok(server.listeners("connection").includes(http._connectionListener));
  const tcp = netServer((socket) => http._connectionListener.call(server, socket));
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  const port = (tcp.address() as { port: number }).port;
  try {
    const r = await raw(port, "GET /via-net HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(r.text.endsWith("served /via-net"), r.text);

    // Without its connection listener the server no longer serves what it is handed.
    server.removeListener("connection", http._connectionListener);
    const { Duplex } = await import("node:stream");
    let answered = "";
    const duplex = new Duplex({
      read() {},
      write(chunk, _encoding, callback) {
        answered += String(chunk);
        callback();
      },
    });
    server.emit("connection", duplex);
    duplex.push("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(answered, "");
    // Handed over again, the same socket is served.
    http._connectionListener.call(server, duplex);
    duplex.push("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(answered.endsWith("served /again"), answered);
    duplex.destroy();
  } finally {
    await new Promise((resolve) => tcp.close(resolve));
  }
});
