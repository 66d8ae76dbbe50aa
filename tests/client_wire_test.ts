/**
 * Every case of shared/wire-cases/responses.json through the client, over a
 * raw `node:net` server that writes the case bytes (whole, and split in pieces).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as net from "node:net";
import { request } from "../src/request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { delay, findShared, latin1, rawServer, withTimeout } from "./client_util.ts";

interface Info {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, unknown>;
  rawHeaders: string[];
}
interface ExpectedResponse {
  outcome: "response" | "upgrade";
  httpVersion: string;
  headers: Record<string, unknown>;
  rawHeaders: string[];
  body: string;
  trailers: Record<string, unknown>;
  information: Info[];
  statusCode: number;
  statusMessage: string;
  head?: string;
}
interface WireCase {
  id: string;
  raw: string;
  expect: "accept" | "reject";
  alsoAllow?: string[];
  method?: string;
  path?: string;
  requestHeaders?: Record<string, string>;
  holdOpenMs?: number;
  response?: ExpectedResponse;
}

const cases = (JSON.parse(fs.readFileSync(findShared("responses.json"), "utf8")) as {
  cases: WireCase[];
}).cases;

interface Outcome {
  res: IncomingMessage | null;
  body: string;
  ended: boolean;
  error: Error | null;
  information: Info[];
  upgradeHead: string | null;
}

function writeSplit(socket: net.Socket, bytes: Uint8Array, pieces: number): Promise<void> {
  return (async () => {
    if (pieces <= 1) {
      socket.write(bytes);
      return;
    }
    const step = Math.max(1, Math.ceil(bytes.length / pieces));
    for (let i = 0; i < bytes.length; i += step) {
      if (socket.destroyed) return;
      socket.write(bytes.subarray(i, i + step));
      await delay(2);
    }
  })();
}

async function runCase(c: WireCase, pieces: number): Promise<Outcome> {
  const srv = await rawServer((socket) => {
    void writeSplit(socket, latin1(c.raw), pieces).then(async () => {
      if (c.holdOpenMs) await delay(c.holdOpenMs);
      socket.end();
    });
  });
  try {
    return await withTimeout(
      new Promise<Outcome>((resolve) => {
        const out: Outcome = {
          res: null,
          body: "",
          ended: false,
          error: null,
          information: [],
          upgradeHead: null,
        };
        const req = request({
          host: "127.0.0.1",
          port: srv.port,
          method: c.method ?? "GET",
          path: c.path ?? (c.method === "CONNECT" ? "example.com:443" : "/"),
          headers: c.requestHeaders,
          agent: false,
        });
        req.on("information", (i: Info) => out.information.push(i));
        const onUpgrade = (res: IncomingMessage, socket: net.Socket, head: Uint8Array): void => {
          out.res = res;
          out.upgradeHead = String.fromCharCode(...head);
          socket.destroy();
        };
        req.on("upgrade", onUpgrade);
        req.on("connect", onUpgrade);
        req.on("response", (res: IncomingMessage) => {
          out.res = res;
          res.setEncoding("latin1");
          res.on("data", (d: string) => out.body += d);
          res.on("end", () => out.ended = true);
          res.on("error", (e: Error) => out.error ??= e);
        });
        req.on("error", (e: Error) => out.error ??= e);
        req.on("close", () => setTimeout(() => resolve(out), 20));
        req.end();
      }),
      4000,
      c.id,
    );
  } finally {
    await srv.close();
  }
}

function checkAccept(c: WireCase, out: Outcome): void {
  const exp = c.response!;
  assert.equal(out.error, null, `${c.id}: unexpected error ${out.error?.message}`);
  assert.ok(out.res, `${c.id}: no response`);
  const res = out.res!;
  assert.equal(res.statusCode, exp.statusCode);
  assert.equal(res.statusMessage, exp.statusMessage);
  assert.equal(res.httpVersion, exp.httpVersion);
  assert.deepEqual(res.rawHeaders, exp.rawHeaders);
  assert.deepEqual({ ...res.headers }, exp.headers);
  assert.deepEqual(
    out.information.map((i) => ({
      statusCode: i.statusCode,
      statusMessage: i.statusMessage,
      headers: { ...i.headers },
      rawHeaders: i.rawHeaders,
    })),
    exp.information,
  );
  if (exp.outcome === "upgrade") {
    assert.equal(out.upgradeHead, exp.head ?? "");
    return;
  }
  assert.ok(out.ended, `${c.id}: response did not end`);
  assert.equal(res.complete, true);
  assert.equal(out.body, exp.body);
  assert.deepEqual({ ...res.trailers }, exp.trailers);
}

function checkReject(c: WireCase, out: Outcome): void {
  assert.ok(out.error, `${c.id}: expected an error`);
  assert.ok(!(out.ended && out.res?.complete), `${c.id}: a complete response was delivered`);
}

for (const pieces of [1, 3]) {
  describe(`wire responses (${pieces === 1 ? "whole" : "split"})`, () => {
    for (const c of cases) {
      test(c.id, async () => {
        const out = await runCase(c, pieces);
        const allowed = [c.expect, ...(c.alsoAllow ?? [])];
        const errors: string[] = [];
        for (const kind of allowed) {
          try {
            if (kind === "accept") checkAccept(c, out);
            else checkReject(c, out);
            return;
          } catch (e) {
            errors.push(String((e as Error).message));
          }
        }
        assert.fail(errors.join("\n"));
      });
    }
  });
}
