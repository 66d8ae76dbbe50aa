import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { httpDate, loopNow } from "../src/clock.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

describe("clock: loop time and the Date header", () => {
  test("loopNow stays put while one callback runs and moves on in the next turn", async () => {
    await sleep(1);
    const first = loopNow();
    const spinUntil = performance.now() + 5;
    while (performance.now() < spinUntil) { /* busy */ }
    assert.equal(loopNow(), first);
    await sleep(10);
    const later = loopNow();
    assert.ok(later - first >= 10, `advanced ${later - first} ms`);
    assert.ok(Math.abs(later - performance.now()) < 5);
  });

  test("httpDate is the current second as an IMF-fixdate, renewed each second", async () => {
    const a = httpDate();
    assert.match(a, HTTP_DATE);
    assert.ok(Math.abs(Date.parse(a) - Date.now()) < 1500);
    assert.equal(httpDate(), a);
    // Into the next second (with margin for a late timer): a new value.
    await sleep(1000 - (Date.now() % 1000) + 60);
    const b = httpDate();
    assert.match(b, HTTP_DATE);
    assert.equal(Date.parse(b), Math.floor(Date.now() / 1000) * 1000);
    assert.notEqual(b, a);
  });
});
