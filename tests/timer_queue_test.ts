import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Deadline } from "../src/timer_queue.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("timer queue: many idle deadlines on one runtime timer", () => {
  test("deadlines run in due order, never early, each once", async () => {
    const fired: { name: string; late: number }[] = [];
    const make = (name: string) => {
      const d: Deadline<string> = new Deadline((n: string) => {
        fired.push({ name: n, late: performance.now() - d.at });
      }, name);
      return d;
    };
    const now = performance.now();
    make("c").arm(45, now);
    make("a").arm(15, now);
    make("b").arm(30, now);
    await sleep(120);
    assert.deepEqual(fired.map((f) => f.name), ["a", "b", "c"]);
    for (const f of fired) assert.ok(f.late >= 0, `${f.name} ran ${-f.late} ms early`);
  });

  test("cancel, move later, move earlier", async () => {
    const fired: string[] = [];
    const a = new Deadline((n: string) => fired.push(n), "a");
    const b = new Deadline((n: string) => fired.push(n), "b");
    const c = new Deadline((n: string) => fired.push(n), "c");
    const now = performance.now();
    a.arm(20, now);
    b.arm(25, now);
    c.arm(200, now);
    assert.equal(a.armed, true);
    a.cancel();
    a.cancel();
    assert.equal(a.armed, false);
    b.arm(60, performance.now()); // later
    c.arm(10, performance.now()); // earlier than everything
    await sleep(40);
    assert.deepEqual(fired, ["c"]);
    await sleep(80);
    assert.deepEqual(fired, ["c", "b"]);
    assert.equal(b.armed, false);
  });

  test("a callback may re-arm itself; a thousand deadlines all run", async () => {
    let runs = 0;
    const again: Deadline<null> = new Deadline(() => {
      if (++runs < 3) again.arm(5, performance.now());
    }, null);
    again.arm(5, performance.now());
    const seen = new Set<number>();
    const now = performance.now();
    for (let i = 0; i < 1000; i++) {
      new Deadline((n: number) => seen.add(n), i).arm(1 + (i * 7) % 40, now);
    }
    await sleep(150);
    assert.equal(runs, 3);
    assert.equal(seen.size, 1000);
  });
});
