/**
 * Client benchmark: keeps `CONCURRENCY` (default 50) GET requests in flight
 * against `http://127.0.0.1:$PORT/` for `DURATION_MS` after a `WARMUP_MS`
 * warm-up, with the client named by `CLIENT`:
 *
 * - `anyhttp`: anyhttp's `request()` with a keep-alive `Agent` (maxSockets = concurrency)
 * - `node-http`: the runtime's own `node:http` `request()` with a keep-alive `Agent`
 * - `undici`: undici's `request()` through an `Agent` (connections = concurrency)
 * - `fetch`: the runtime's global `fetch`
 *
 * Every response body is read to its end. After the warm-up it measures `RUNS`
 * (default 1) windows back to back and prints one line per window,
 * `RESULT {"requests":…,"seconds":…,"cpuMicros":…,"errors":…}` (CPU of this
 * process from `process.cpuUsage()`), then exits. Bounded: at most
 * `MAX_REQUESTS` (default 2,000,000) requests, and the process gives up 10 s
 * after the deadline if requests hang (reported as `"hung": true`).
 *
 * Runs on Deno and Bun as is; Node runs the compiled
 * `npm/esm/bench/clients/client_bench.js`.
 *
 * @module
 */
import process from "node:process";

/** What one client implementation provides: one GET, resolved when its body has ended. */
type Getter = () => Promise<number>;

interface NodeStyleResponse {
  statusCode?: number;
  on(event: "data", cb: (chunk: Uint8Array) => void): unknown;
  on(event: "end", cb: () => void): unknown;
  on(event: "error", cb: (err: Error) => void): unknown;
}

interface NodeStyleRequest {
  on(event: "error", cb: (err: Error) => void): unknown;
  end(): unknown;
}

interface NodeStyleHttp {
  Agent: new (options: { keepAlive: boolean; maxSockets: number }) => unknown;
  request(
    options: { host: string; port: number; path: string; method: string; agent: unknown },
    cb: (res: NodeStyleResponse) => void,
  ): NodeStyleRequest;
}

interface UndiciLike {
  Agent: new (options: { connections: number }) => unknown;
  request(url: string, options: { method: "GET"; dispatcher: unknown }): Promise<{
    statusCode: number;
    body: { text(): Promise<string> };
  }>;
}

const port = Number(process.env.PORT);
const client = process.env.CLIENT ?? "node-http";
const concurrency = Number(process.env.CONCURRENCY ?? "50");
const durationMs = Number(process.env.DURATION_MS ?? "5000");
const warmupMs = Number(process.env.WARMUP_MS ?? "1000");
const maxRequests = Number(process.env.MAX_REQUESTS ?? "2000000");
const runs = Number(process.env.RUNS ?? "1");
const expectedLength = Number(process.env.EXPECT_LENGTH ?? "13");

function nodeStyle(http: NodeStyleHttp): Getter {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const options = { host: "127.0.0.1", port, path: "/", method: "GET", agent };
  return () =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(options, (res) => {
        let length = 0;
        res.on("data", (chunk) => {
          length += chunk.length;
        });
        res.on("end", () => resolve(res.statusCode === 200 ? length : -1));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
}

async function makeGetter(): Promise<Getter> {
  switch (client) {
    case "anyhttp":
      return nodeStyle((await import("../../mod.ts")) as unknown as NodeStyleHttp);
    case "node-http":
      return nodeStyle((await import("node:http")) as unknown as NodeStyleHttp);
    case "undici": {
      const undici = (await import("undici")) as unknown as UndiciLike;
      // Bun resolves "undici" to its built-in stand-in (a layer over its fetch),
      // which implements request() but ignores the dispatcher.
      const dispatcher = new undici.Agent({ connections: concurrency });
      const url = `http://127.0.0.1:${port}/`;
      return async () => {
        const res = await undici.request(url, { method: "GET", dispatcher });
        const text = await res.body.text();
        return res.statusCode === 200 ? text.length : -1;
      };
    }
    case "fetch": {
      const url = `http://127.0.0.1:${port}/`;
      return async () => {
        const res = await fetch(url);
        const body = await res.arrayBuffer();
        return res.status === 200 ? body.byteLength : -1;
      };
    }
    default:
      throw new Error(`unknown CLIENT ${client}`);
  }
}

/** Runs the workers until `deadline` (ms timestamp); returns completed and failed counts. */
async function loop(
  get: Getter,
  deadline: number,
  limit: number,
): Promise<{ done: number; errors: number; firstError: string }> {
  let done = 0;
  let errors = 0;
  let started = 0;
  let firstError = "";
  const worker = async (): Promise<void> => {
    while (Date.now() < deadline && started < limit) {
      started++;
      try {
        const length = await get();
        if (length === expectedLength) done++;
        else {
          errors++;
          if (!firstError) firstError = `unexpected response (status/length ${length})`;
        }
      } catch (err) {
        errors++;
        if (!firstError) firstError = String(err);
        // A client that fails fast must not spin: back off a little.
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { done, errors, firstError };
}

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be set");
  const get = await makeGetter();
  const hardStop = setTimeout(() => {
    console.log(`RESULT ${JSON.stringify({ client, hung: true, requests: 0, seconds: 0 })}`);
    process.exit(3);
  }, warmupMs + durationMs * runs + 10_000);
  if (warmupMs > 0) await loop(get, Date.now() + warmupMs, maxRequests);
  for (let i = 0; i < runs; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { done, errors, firstError } = await loop(get, Date.now() + durationMs, maxRequests);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const result = {
      client,
      requests: done,
      seconds,
      cpuMicros: cpu.user + cpu.system,
      errors,
      firstError,
    };
    console.log(`RESULT ${JSON.stringify(result)}`);
  }
  clearTimeout(hardStop);
  process.exit(0);
}

main().catch((err) => {
  console.log(`RESULT ${JSON.stringify({ client, failed: String(err), requests: 0, seconds: 0 })}`);
  process.exit(1);
});
