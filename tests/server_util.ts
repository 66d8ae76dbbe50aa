/**
 * Helpers shared by the server tests: start/stop a server on loopback and talk
 * raw bytes to it with `node:net` (present on Node, Deno and Bun).
 *
 * @module
 */
import * as net from "node:net";
import { Buffer } from "node:buffer";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawn } from "node:child_process";
import process from "node:process";
import { createServer, type Server } from "../src/server.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import type { ServerResponse } from "../src/server_response.ts";

/** Starts `server` on 127.0.0.1:0 and resolves its port. */
export function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      const a = server.address();
      resolve(typeof a === "object" && a ? a.port : 0);
    });
  });
}

/** A request listener of the server tests. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Runs `fn` against a server made with `options` and `handler` on loopback, then stops it. */
export async function withServer(
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

/** Destroys every connection and closes `server`. */
export function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

/** Latin1 text of bytes. */
export function latin1(u: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u.length; i += 4096) {
    s += String.fromCharCode.apply(null, Array.from(u.subarray(i, i + 4096)));
  }
  return s;
}

/** Options of {@link raw}. */
export interface RawOptions {
  /** Resolve as soon as the received text satisfies this. */
  until?: (text: string) => boolean;
  /** Give up after this many ms (resolves with what arrived; default 3000). */
  timeout?: number;
  /** Half-close after writing. */
  end?: boolean;
}

/** Result of {@link raw}. */
export interface RawResult {
  text: string;
  /** The server closed the connection. */
  closed: boolean;
  /** The timeout hit. */
  timedOut: boolean;
}

/**
 * Connects to `port`, writes `data` (pieces written one after another), and collects
 * what comes back until `until` matches, the server closes, or the timeout.
 */
export function raw(
  port: number,
  data: string | Uint8Array | (string | Uint8Array)[],
  options: RawOptions = {},
): Promise<RawResult> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let text = "";
    let done = false;
    const finish = (closed: boolean, timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ text, closed, timedOut });
    };
    const timer = setTimeout(() => finish(false, true), options.timeout ?? 3000);
    sock.on("data", (d: Uint8Array) => {
      text += latin1(d);
      if (options.until && options.until(text)) finish(false, false);
    });
    sock.on("error", () => {});
    sock.on("close", () => finish(true, false));
    sock.on("connect", () => {
      const pieces = Array.isArray(data) ? data : [data];
      for (const p of pieces) sock.write(typeof p === "string" ? Buffer.from(p, "latin1") : p);
      if (options.end) sock.end();
    });
  });
}

/** Result of {@link sendQuiet}. */
export interface QuietResult {
  /** Everything the server wrote, latin1. */
  response: string;
  /** The server closed the connection. */
  closed: boolean;
  /** The client side's port (what the server sees as `remotePort`). */
  localPort: number;
}

/**
 * Writes `data` (latin1) on a fresh connection and resolves once the server
 * closed it or stayed quiet for `quietMs` (5 s at most). With `expect100`, only
 * the head goes first; the rest follows the server's `100 Continue`.
 */
export function sendQuiet(
  port: number,
  data: string,
  quietMs: number,
  expect100 = false,
): Promise<QuietResult> {
  return new Promise((resolve) => {
    const sock = net.connect(port, "127.0.0.1");
    let response = "";
    let done = false;
    let localPort = 0;
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      clearTimeout(limit);
      sock.destroy();
      resolve({ response, closed, localPort });
    };
    const arm = (): void => {
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(false), quietMs);
    };
    const limit = setTimeout(() => finish(false), 5000);
    const bytes = Buffer.from(data, "latin1");
    let sentBody = false;
    const headEnd = data.indexOf("\r\n\r\n") + 4;
    sock.on("error", () => {});
    sock.on("close", () => finish(true));
    sock.on("data", (d: Uint8Array) => {
      response += latin1(d);
      if (expect100 && !sentBody && response.includes("HTTP/1.1 100 Continue\r\n\r\n")) {
        sentBody = true;
        sock.write(bytes.subarray(headEnd));
      }
      arm();
    });
    sock.on("connect", () => {
      localPort = sock.localPort ?? 0;
      sock.write(expect100 ? bytes.subarray(0, headEnd) : bytes);
      arm();
    });
  });
}

/** Replaces the Date header value with `X` so responses compare exactly. */
export function noDate(text: string): string {
  return text.replace(/\r\nDate: [^\r]*\r\n/g, "\r\nDate: X\r\n");
}

/** Count of complete responses heads (`HTTP/1.1 ...`) in `text`. */
export function countResponses(text: string): number {
  return (text.match(/HTTP\/1\.1 \d{3}/g) || []).length;
}

/** Finds `/work/shared`-style `shared/` by walking up from this file. */
export function findShared(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "shared");
    if (existsSync(join(candidate, "wire-cases"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

/** Finds the data file `name` of `tests/` (beside this file; the compiled copy walks up to it). */
export function findTestData(name: string): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    for (const p of [join(dir, name), join(dir, "tests", name)]) if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return null;
}

/** Reads a JSON file. */
export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Waits for `event` on `emitter`. */
export function once<T = unknown>(
  emitter: { once(ev: string, fn: (...a: unknown[]) => void): unknown },
  event: string,
): Promise<T[]> {
  return new Promise((resolve) => emitter.once(event, (...a: unknown[]) => resolve(a as T[])));
}

/**
 * Runs a small module script in a fresh process of this runtime and resolves
 * with its stdout; rejects when it exits non-zero or is still running after
 * `timeoutMs` (then it is killed).
 */
export function runChild(
  script: string,
  env: Record<string, string>,
  timeoutMs = 20000,
): Promise<string> {
  const g = globalThis as { Deno?: unknown; Bun?: unknown };
  const args = g.Deno
    ? ["eval", "--quiet", script]
    : g.Bun
    ? ["-e", script]
    : ["--input-type=module", "-e", script];
  const childEnv: Record<string, string> = {};
  for (const k of ["PATH", "HOME"]) if (process.env[k]) childEnv[k] = process.env[k]!;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...childEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout!.on("data", (d: Uint8Array) => out += new TextDecoder().decode(d));
    child.stderr!.on("data", (d: Uint8Array) => err += new TextDecoder().decode(d));
    child.on("error", (e: Error) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code: number) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`child still running after ${timeoutMs} ms: ${out}${err}`));
      else if (code === 0) resolve(out);
      else reject(new Error(`child exited ${code}: ${err}`));
    });
  });
}
