/**
 * Every case of shared/wire-cases/responses.json through the client, over a
 * raw `node:net` server that writes the case bytes (whole, and split in pieces).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import {
  type ExpectedResponse,
  findShared,
  type RawResponseOutcome,
  requestRawResponse,
} from "./client_util.ts";

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

type Outcome = RawResponseOutcome;

function checkAccept(c: WireCase, out: Outcome): void {
  const exp = c.response!;
  assert.deepEqual(out.errors.map((e) => e.message), [], `${c.id}: unexpected error`);
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
  assert.ok(out.errors.length > 0, `${c.id}: expected an error`);
  assert.ok(!(out.ended && out.res?.complete), `${c.id}: a complete response was delivered`);
}

for (const pieces of [1, 3]) {
  describe(`wire responses (${pieces === 1 ? "whole" : "split"})`, () => {
    for (const c of cases) {
      test(c.id, async () => {
        const out = await requestRawResponse(c, pieces);
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
