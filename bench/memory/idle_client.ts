/**
 * Memory benchmark load: opens `CONNECTIONS` (default 10,000) TCP connections
 * to `127.0.0.1:$PORT` with raw `node:net` sockets, `BATCH` (default 200)
 * connects at a time; each sends one keep-alive GET and waits for the start
 * of its response, then stays open and idle. Prints
 * `READY {"open":…,"failed":…,"firstError":…}` once every connection has
 * answered or failed, then holds them until standard input closes or
 * `HOLD_SECONDS` (default 120) pass, and exits (closing every socket).
 *
 * Needs `ulimit -n` above `CONNECTIONS` (the harness raises it). Runs on Node
 * (the compiled `npm/esm/bench/memory/idle_client.js`), Deno and Bun.
 *
 * @module
 */
import process from "node:process";
import { connect, type Socket } from "node:net";

const port = Number(process.env.PORT);
const total = Number(process.env.CONNECTIONS ?? "10000");
const batch = Number(process.env.BATCH ?? "200");
const holdSeconds = Number(process.env.HOLD_SECONDS ?? "120");
const deadlineSeconds = Number(process.env.OPEN_TIMEOUT_SECONDS ?? "60");

const REQUEST = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
const sockets: Socket[] = [];
let open = 0;
let failed = 0;
let firstError = "";

/** Opens one connection; resolves when the first response bytes arrive or it fails. */
function openOne(): Promise<void> {
  return new Promise((resolve) => {
    let settled = false;
    const socket = connect({ port, host: "127.0.0.1" });
    sockets.push(socket);
    const settle = (ok: boolean, why?: string): void => {
      if (settled) return;
      settled = true;
      if (ok) open++;
      else {
        failed++;
        if (!firstError && why) firstError = why;
      }
      resolve();
    };
    socket.setNoDelay(true);
    socket.on("connect", () => socket.write(REQUEST));
    socket.on("data", () => settle(true));
    socket.on("error", (err) => settle(false, String(err)));
    socket.on("close", () => settle(false, "closed before a response"));
  });
}

function finish(code: number): void {
  for (const s of sockets) s.destroy();
  process.exit(code);
}

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port <= 0) throw new Error("PORT must be set");
  const giveUp = setTimeout(() => {
    console.log(`READY ${JSON.stringify({ open, failed, firstError: "timed out opening" })}`);
    finish(3);
  }, deadlineSeconds * 1000);
  for (let i = 0; i < total; i += batch) {
    const n = Math.min(batch, total - i);
    await Promise.all(Array.from({ length: n }, openOne));
  }
  clearTimeout(giveUp);
  console.log(`READY ${JSON.stringify({ open, failed, firstError })}`);
  setTimeout(() => finish(0), holdSeconds * 1000);
  process.stdin.on("data", () => {});
  process.stdin.on("end", () => finish(0));
  process.stdin.on("error", () => finish(0));
}

main().catch((err) => {
  console.log(`READY ${JSON.stringify({ open, failed, firstError: String(err) })}`);
  finish(1);
});
