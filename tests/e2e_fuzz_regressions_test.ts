/**
 * Regressions found by the end-to-end fuzz (`e2e_fuzz_test.ts`), each reduced
 * to one deterministic case over a loopback socket.
 *
 * @module
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "../mod.ts";
import type { IncomingMessage } from "../mod.ts";
import { rawServer, withTimeout } from "./client_util.ts";

describe("e2e fuzz regressions", () => {
  // Client case 65 of the default seed, on Deno: a 100 KB POST answered by
  // `204` at once, then the peer destroys the connection. The response ends,
  // the request's socket is destroyed once the body was handed over, and the
  // transport then met the reset under that write: the request emitted
  // ECONNRESET after its response had ended. Node reports nothing there.
  test("no request error after a complete response when the peer resets under the upload", async () => {
    const srv = await rawServer(() => {}, (socket) => {
      socket.once("data", () => {
        socket.write("HTTP/1.1 204 No Content\r\n\r\n");
        socket.destroy();
      });
    });
    try {
      const events = await withTimeout(
        new Promise<string[]>((resolve) => {
          const events: string[] = [];
          const req = request({
            host: "127.0.0.1",
            port: srv.port,
            method: "POST",
            path: "/",
            agent: false,
          });
          req.on("response", (res: IncomingMessage) => {
            events.push(`response ${res.statusCode}`);
            res.resume();
            res.on("end", () => events.push("end"));
          });
          req.on("error", (e: Error & { code?: string }) => events.push(`error ${e.code}`));
          req.on("close", () => {
            events.push("close");
            setTimeout(() => resolve(events), 50);
          });
          req.end("y".repeat(100_000));
        }),
        4000,
        "request",
      );
      assert.deepEqual(events, ["response 204", "end", "close"]);
    } finally {
      await srv.close();
    }
  });
});
