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
import { request } from "../src/request.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";

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

/** A 1xx the client reported (`'information'`). */
export interface InfoSeen {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, unknown>;
  rawHeaders: string[];
}

/** The response a wire case expects the user to see. */
export interface ExpectedResponse {
  outcome: "response" | "upgrade";
  httpVersion: string;
  headers: Record<string, unknown>;
  rawHeaders: string[];
  body: string;
  trailers: Record<string, unknown>;
  rawTrailers?: string[];
  information: InfoSeen[];
  statusCode: number;
  statusMessage: string;
  /** The `head` of an upgrade. */
  head?: string;
}

/** How {@link requestRawResponse} asks and serves. */
export interface RawResponseCase {
  /** Names the case in a timeout. */
  id: string;
  /** The response bytes (latin1), written whole or in `pieces`. */
  raw: string;
  method?: string;
  path?: string;
  requestHeaders?: Record<string, string>;
  /** Keep the connection open this long after writing. */
  holdOpenMs?: number;
  /** Listen for 'upgrade' and 'connect' (default true). */
  listenUpgrade?: boolean;
  /** The request's `insecureHTTPParser` option. */
  insecureHTTPParser?: boolean;
}

/** What the user of `request()` saw. */
export interface RawResponseOutcome {
  res: IncomingMessage | null;
  /** The body, latin1. */
  body: string;
  ended: boolean;
  /** Every 'error' of the request and the response, in order. */
  errors: Error[];
  information: InfoSeen[];
  /** The `head` of 'upgrade'/'connect' (null when neither came). */
  upgradeHead: string | null;
  /** The request emitted 'close'. */
  closed: boolean;
}

async function writePieces(socket: net.Socket, bytes: Uint8Array, pieces: number): Promise<void> {
  const step = Math.max(1, Math.ceil(bytes.length / pieces));
  for (let i = 0; i < bytes.length; i += step) {
    if (socket.destroyed) return;
    socket.write(bytes.subarray(i, i + step));
    if (pieces > 1) await delay(2);
  }
}

/**
 * Serves `c.raw` from a raw `node:net` server (in `pieces` writes 2 ms apart,
 * then ends) and makes one `request()` to it without an agent; resolves
 * shortly after the request's 'close' (4 s at most).
 */
export async function requestRawResponse(
  c: RawResponseCase,
  pieces: number,
): Promise<RawResponseOutcome> {
  const srv = await rawServer((socket) => {
    void writePieces(socket, latin1(c.raw), pieces).then(async () => {
      if (c.holdOpenMs) await delay(c.holdOpenMs);
      socket.end();
    });
  });
  try {
    return await withTimeout(
      new Promise<RawResponseOutcome>((resolve) => {
        const out: RawResponseOutcome = {
          res: null,
          body: "",
          ended: false,
          errors: [],
          information: [],
          upgradeHead: null,
          closed: false,
        };
        const req = request({
          host: "127.0.0.1",
          port: srv.port,
          method: c.method ?? "GET",
          path: c.path ?? (c.method === "CONNECT" ? "example.com:443" : "/"),
          headers: c.requestHeaders,
          agent: false,
          ...(c.insecureHTTPParser ? { insecureHTTPParser: true } : {}),
        });
        req.on("information", (i: InfoSeen) => out.information.push(i));
        if (c.listenUpgrade !== false) {
          const onUpgrade = (res: IncomingMessage, socket: net.Socket, head: Uint8Array) => {
            out.res = res;
            out.upgradeHead = String.fromCharCode(...head);
            socket.destroy();
          };
          req.on("upgrade", onUpgrade);
          req.on("connect", onUpgrade);
        }
        req.on("response", (res: IncomingMessage) => {
          out.res = res;
          res.setEncoding("latin1");
          res.on("data", (d: string) => out.body += d);
          res.on("end", () => out.ended = true);
          res.on("error", (e: Error) => out.errors.push(e));
        });
        req.on("error", (e: Error) => out.errors.push(e));
        req.on("close", () => {
          out.closed = true;
          setTimeout(() => resolve(out), 30);
        });
        req.end();
      }),
      4000,
      c.id,
    );
  } finally {
    await srv.close();
  }
}
