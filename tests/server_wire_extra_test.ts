/**
 * What the extra request cases (`wire_cases_extra_requests.json`, run by
 * `server_wire_cases_test.ts`) cannot express, found by the same differential
 * run against Node 20's server: the `clientError` code, `bytesParsed` and
 * `rawPacket` of bad framing fields and targets, and the order of interim,
 * canned and pending responses on the wire.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Duplex } from "node:stream";
import { createServer } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";
import { listen, type QuietResult, sendQuiet, stop } from "./server_util.ts";

describe("server: 'clientError' codes for bad framing fields and targets (as Node 20)", () => {
  const head = "POST / HTTP/1.1\r\nHost: a\r\n";
  const chunkedHead = head + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n";
  const table: [string, string][] = [
    [head + "Content-Length: 5\x00\r\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: \x015\r\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: +5\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: 0x5\r\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: 5\n\r\nhello", "HPE_CR_EXPECTED"],
    [head + "Content-Length: 5\r\nContent-Length: 6\n\r\nhello!", "HPE_UNEXPECTED_CONTENT_LENGTH"],
    [
      head + "Content-Length: 5\r\nTransfer-Encoding: \x00chunked\r\n\r\n",
      "HPE_INVALID_TRANSFER_ENCODING",
    ],
    [head + "Transfer-Encoding: chunked, gzip\n\r\n", "HPE_INVALID_TRANSFER_ENCODING"],
    [head + "Transfer-Encoding: chunked\x00\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],
    [chunkedHead + "Content-Length: 3\r\n\r\n", "HPE_INVALID_CONTENT_LENGTH"],
    [chunkedHead + "Transfer-Encoding: gzip\r\n\r\n", "HPE_INVALID_TRANSFER_ENCODING"],
    ["GET HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_URL"],
    ["GET \r/a HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_URL"],
    // Found by the second differential pass (tests/wire_cases_extra_requests.json
    // holds the outcomes): framing values read byte by byte, a head cut short.
    [head + "Content-Length: 5\t\r\n\r\nhello", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Transfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n", "HPE_INVALID_TRANSFER_ENCODING"],
    [head + "Content-Length: 1000000000000000000000\r\n", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Content-Length: 1\r\nContent-Length: 2", "HPE_UNEXPECTED_CONTENT_LENGTH"],
    [head + "Content-Length: 1\r\nTransfer-Encoding:", "HPE_INVALID_TRANSFER_ENCODING"],
    [head + "Transfer-Encoding: chunked\r\nContent-Length:", "HPE_INVALID_CONTENT_LENGTH"],
    [head + "Transfer-Encoding: chunked, deflate", "HPE_INVALID_TRANSFER_ENCODING"],
    [head + "Transfer-Encoding: chunked\r\n\r\n5;\nhello", "HPE_CR_EXPECTED"],
    [head + "Transfer-Encoding: chunked\r\n\r\n5;a=\nhello", "HPE_CR_EXPECTED"],
    ["DESCRIBE /x HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_CONSTANT"],
    ["ANNOUNCE /x HTTP/1.0\r\n\r\n", "HPE_INVALID_CONSTANT"],
    ["PRI /x HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_VERSION"],
    ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HPE_PAUSED_H2_UPGRADE"],
    ["GET /a\rb HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_URL"],
    ["GET /a\nb HTTP/1.1\r\nHost: a\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],
  ];

  test("the code, bytesParsed and rawPacket of each", async () => {
    const seen = new Map<number, { code?: string; bytesParsed?: unknown; rawPacket?: unknown }>();
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.on("error", () => {});
      req.resume();
      req.on("end", () => res.end());
    });
    server.on("clientError", (e: Error & { code?: string }, socket: Duplex) => {
      seen.set((socket as { remotePort?: number }).remotePort ?? 0, e);
      socket.destroy();
    });
    const port = await listen(server);
    try {
      const outs = await Promise.all(table.map(([raw]) => sendQuiet(port, raw, 200)));
      const got = outs.map((o) => {
        const e = seen.get(o.localPort);
        return [e?.code, typeof e?.bytesParsed, e?.rawPacket instanceof Uint8Array];
      });
      assert.deepEqual(got, table.map(([, code]) => [code, "number", true]));
    } finally {
      await stop(server);
    }
  });
});

/** Serves `handler`, sends `raw` on one connection and returns what came back. */
async function exchange(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  raw: string,
): Promise<QuietResult> {
  const server = createServer(handler);
  const port = await listen(server);
  try {
    return await sendQuiet(port, raw, 250);
  } finally {
    await stop(server);
  }
}

/** Reads the request body, then answers `text`. */
const answerAfterBody = (text: string) => (req: IncomingMessage, res: ServerResponse): void => {
  req.resume();
  req.on("end", () => res.end(text));
};

describe("server: interim and pending responses on the wire", () => {
  test("100 Continue goes out before the 400 for a bad request pipelined behind", async () => {
    const r = await exchange(
      answerAfterBody("ok"),
      "POST /e HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi" +
        "GET /bad HTTP/1.1\r\nBad Name: x\r\n\r\n",
    );
    assert.ok(r.response.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), JSON.stringify(r.response));
    assert.match(r.response, /HTTP\/1\.1 400 Bad Request/);
  });

  test("writeProcessing is on the wire before a later parse error's 400", async () => {
    const answer = answerAfterBody("ok");
    const r = await exchange(
      (req, res) => {
        res.writeProcessing();
        answer(req, res);
      },
      "GET /p HTTP/1.1\r\nHost: a\r\n\r\nGET /bad HTTP/1.1\r\nBad Name: x\r\n\r\n",
    );
    assert.ok(r.response.startsWith("HTTP/1.1 102 Processing\r\n\r\n"), JSON.stringify(r.response));
  });

  test("nothing follows the canned 400: a response still pending is not written after it", async () => {
    const r = await exchange(
      answerAfterBody("late"),
      "POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\nhello",
    );
    assert.equal(r.response, "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    assert.equal(r.closed, true);
  });

  test("no canned 400 after a missing-Host 400 when the body then goes wrong", async () => {
    // The 400 for the missing Host closes the connection: Node has ended the
    // socket after it, so the chunk error that follows adds no second answer.
    const r = await exchange(
      answerAfterBody("ok"),
      "PUT /url HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nfoo\r\n\r\n",
    );
    assert.equal(r.response.match(/HTTP\/1\.1 \d{3} /g)?.length, 1, JSON.stringify(r.response));
    assert.match(r.response, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(r.closed, true);
  });

  test("a response still pending when an 'upgrade' listener ends the socket is dropped, not a crash", async () => {
    const errors: unknown[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on("end", () => res.end("late"));
    });
    server.on("upgrade", (_req: IncomingMessage, socket: Duplex) => {
      socket.on("error", (e: unknown) => errors.push(e));
      socket.end("HTTP/1.1 101 Switching Protocols\r\n\r\n");
    });
    const port = await listen(server);
    try {
      const r = await sendQuiet(
        port,
        "GET /first HTTP/1.1\r\nHost: a\r\n\r\n" +
          "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: x\r\n\r\n",
        250,
      );
      assert.equal(r.response, "HTTP/1.1 101 Switching Protocols\r\n\r\n");
      assert.deepEqual(errors, []);
    } finally {
      await stop(server);
    }
  });
});
