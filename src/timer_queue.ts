/**
 * One runtime timer for every socket's idle deadline. Each idle socket used
 * to hold its own `setTimeout`, which costs a timer object per connection (on
 * Deno close to 1 KiB of heap, more with its native side); here a deadline is
 * a slot in a binary min-heap ordered by due time, and one unref'd timer waits
 * for the earliest. Arming, moving or cancelling a deadline allocates nothing.
 *
 * Times are `performance.now()` milliseconds (monotonic). A deadline runs no
 * earlier than its due time; the runtime timer may wake early (then it sleeps
 * again) but never lets a due deadline wait longer than the runtime's own
 * timer would.
 *
 * @module
 */

/** The longest delay `setTimeout` takes without overflowing (2^31 - 1 ms). */
const MAX_TIMER_MS = 2147483647;

/**
 * A deadline that can be armed and cancelled any number of times.
 *
 * @example
 * ```ts
 * const d = new Deadline((s: string) => console.log(s), "expired");
 * d.arm(1000, performance.now());
 * d.cancel();
 * ```
 */
export class Deadline<T = unknown> {
  /** When it is due (`performance.now()` ms); meaningful while armed. */
  at: number = 0;
  /** Its index in the heap, -1 while not armed. */
  slot: number = -1;
  readonly #fire: (arg: T) => void;
  readonly #arg: T;

  /** `fire(arg)` runs when an armed deadline comes due. */
  constructor(fire: (arg: T) => void, arg: T) {
    this.#fire = fire;
    this.#arg = arg;
  }

  /** True while armed. */
  get armed(): boolean {
    return this.slot >= 0;
  }

  /** Arms (or moves) the deadline to `msecs` after `now`. */
  arm(msecs: number, now: number): void {
    // At least 1 ms, as `setTimeout(fn, 0)` (a deadline never runs in the wake that armed it).
    const wait = msecs > MAX_TIMER_MS ? MAX_TIMER_MS : msecs < 1 ? 1 : msecs;
    const at = now + wait;
    if (this.slot < 0) {
      this.at = at;
      this.slot = heap.length;
      heap.push(this as Deadline);
      siftUp(this.slot);
    } else {
      const earlier = at < this.at;
      this.at = at;
      if (earlier) siftUp(this.slot);
      else siftDown(this.slot);
    }
    if (heap[0] === (this as Deadline)) schedule(now);
  }

  /** Disarms it (nothing happens when it was not armed). */
  cancel(): void {
    const i = this.slot;
    if (i < 0) return;
    this.slot = -1;
    const last = heap.pop() as Deadline;
    if (last !== (this as Deadline)) {
      heap[i] = last;
      last.slot = i;
      siftDown(i);
      siftUp(last.slot);
    }
    // The runtime timer may now wake early for nothing: cheaper than re-arming it.
  }

  /** @internal Runs the callback. */
  _run(): void {
    this.#fire(this.#arg);
  }
}

const heap: Deadline[] = [];
let timer: unknown = null;
/** When the runtime timer wakes (Infinity when none is set). */
let timerAt = Infinity;

function siftUp(i: number): void {
  const item = heap[i];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent];
    if (p.at <= item.at) break;
    heap[i] = p;
    p.slot = i;
    i = parent;
  }
  heap[i] = item;
  item.slot = i;
}

function siftDown(i: number): void {
  const n = heap.length;
  const item = heap[i];
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && heap[right].at < heap[left].at ? right : left;
    const c = heap[child];
    if (c.at >= item.at) break;
    heap[i] = c;
    c.slot = i;
    i = child;
  }
  heap[i] = item;
  item.slot = i;
}

function popTop(): Deadline {
  const top = heap[0];
  const last = heap.pop() as Deadline;
  if (last !== top) {
    heap[0] = last;
    last.slot = 0;
    siftDown(0);
  }
  top.slot = -1;
  return top;
}

/** Makes sure the runtime timer wakes no later than the earliest deadline. */
function schedule(now: number): void {
  if (heap.length === 0) return;
  const due = heap[0].at;
  if (timer !== null) {
    if (timerAt <= due) return;
    clearTimeout(timer as Parameters<typeof clearTimeout>[0]);
  }
  let wait = Math.ceil(due - now);
  if (wait < 1) wait = 1;
  if (wait > MAX_TIMER_MS) wait = MAX_TIMER_MS;
  timerAt = now + wait;
  timer = startUnrefTimer(onTimer, wait);
}

function onTimer(): void {
  timer = null;
  timerAt = Infinity;
  try {
    // Deadlines re-armed by a callback land after `now` and wait for the next wake.
    const now = performance.now();
    while (heap.length !== 0 && heap[0].at <= now) popTop()._run();
  } finally {
    schedule(performance.now());
  }
}

/**
 * `setTimeout` that does not keep the process alive (Node's/Bun's `unref`,
 * Deno's `unrefTimer`); returns the runtime's timer.
 *
 * @example
 * ```ts
 * startUnrefTimer(() => console.log("if still running"), 1000);
 * ```
 */
export function startUnrefTimer(fn: () => void, ms: number): unknown {
  const id: unknown = setTimeout(fn, ms);
  if (id !== null && typeof id === "object") {
    (id as { unref?: () => void }).unref?.();
  } else if (typeof id === "number") {
    (globalThis as unknown as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(id);
  }
  return id;
}
