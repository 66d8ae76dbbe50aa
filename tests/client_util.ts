/**
 * Helpers shared by the client tests: runtime detection, raw `node:net`
 * servers that answer fixed bytes, and collectors of request/response events.
 *
 * @module
 */

import * as net from "node:net";
import { Buffer } from "node:buffer";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** Which runtime runs the tests. */
export const RUNTIME: "deno" | "bun" | "node" = (globalThis as { Deno?: unknown }).Deno
  ? "deno"
  : (globalThis as { Bun?: unknown }).Bun
  ? "bun"
  : "node";

/** Find `shared/wire-cases/<name>` walking up from this file. */
export function findShared(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    for (const cand of [path.join(dir, "shared"), path.join(dir, "..", "shared")]) {
      const p = path.join(cand, "wire-cases", name);
      if (fs.existsSync(p)) return p;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`shared/wire-cases/${name} not found`);
}

/** Bytes of a latin1 string. */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A raw TCP test server. */
export interface RawServer {
  port: number;
  /** Sockets accepted so far. */
  sockets: net.Socket[];
  /** Request heads received, as latin1 text. */
  heads: string[];
  /** Stop listening and destroy every accepted socket. */
  close(): Promise<void>;
}

/**
 * Start a `node:net` server. `onHead(socket, head, index)` is called with each
 * request head (text up to and including the blank line) as it arrives.
 */
export function rawServer(
  onHead: (socket: net.Socket, head: string, index: number) => void,
  onConnection?: (socket: net.Socket) => void,
): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  const heads: string[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
    onConnection?.(socket);
    let buf = "";
    socket.on("data", (d: Uint8Array) => {
      buf += Buffer.from(d).toString("latin1");
      for (;;) {
        const i = buf.indexOf("\r\n\r\n");
        if (i === -1) break;
        const head = buf.slice(0, i + 4);
        buf = buf.slice(i + 4);
        // Skip a body announced by Content-Length (tests send small ones).
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        if (m) buf = buf.slice(Number(m[1]));
        heads.push(head);
        onHead(socket, head, heads.length - 1);
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        sockets,
        heads,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}

/** Resolve after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Wait until `cond()` holds (polling), failing after `ms`. */
export async function waitFor(cond: () => boolean, ms = 3000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** Race a promise against a timeout so a broken case fails instead of hanging. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}
