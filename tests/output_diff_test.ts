/**
 * What anyhttp writes, checked against what Node 20's `node:http` writes for
 * the same use of the API: the exact bytes on the wire and the events a
 * handler sees. Each case here was a difference found by comparing both.
 *
 * @module
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, raw, stop } from "./server_util.ts";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function withServer(
  handler: Handler,
  fn: (port: number) => Promise<void>,
  options: Parameters<typeof createServer>[0] = {},
): Promise<void> {
  const server = createServer(options, handler);
  const port = await listen(server);
  try {
    await fn(port);
  } finally {
    await stop(server);
  }
}

const GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe("output: server responses", () => {
  test("destroy() fails the callbacks of writes not sent yet with ERR_STREAM_DESTROYED", async () => {
    const events: string[] = [];
    let closed!: () => void;
    const done = new Promise<void>((resolve) => closed = resolve);
    await withServer((_req, res) => {
      res.on("close", () => {
        events.push("close");
        closed();
      });
      res.write("abc", (err) => events.push(`write: ${(err as { code?: string })?.code}`));
      res.destroy();
      events.push(`destroyed ${res.destroyed}`);
    }, async (port) => {
      await raw(port, GET, { timeout: 500 });
      await done;
    });
    assert.deepEqual(events, ["destroyed true", "write: ERR_STREAM_DESTROYED", "close"]);
  });

  test("a response still waiting for its turn drops its write callbacks on destroy()", async () => {
    const events: string[] = [];
    await withServer((req, res) => {
      if (req.url === "/1") {
        setTimeout(() => res.end("one"), 50);
        return;
      }
      res.write("two", (err) => events.push(`write: ${(err as { code?: string })?.code}`));
      res.destroy();
    }, async (port) => {
      await raw(port, "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n", {
        timeout: 300,
      });
      await tick(20);
    });
    assert.deepEqual(events, []);
  });
});
