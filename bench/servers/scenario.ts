/**
 * What every benchmark server shares: the scenario names, the bodies they send,
 * how a server learns its port and scenario (`PORT`, `SCENARIO` environment
 * variables), how it tells the harness it is ready (one line
 * `LISTENING <port>` on stdout) and how it stops by itself (standard input
 * closed by the harness, or `BENCH_MAX_SECONDS` elapsed).
 *
 * Only `node:process` and `node:buffer` are used, which Node, Deno and Bun all
 * provide, so the same module serves every server script on every runtime.
 *
 * @module
 */
import process from "node:process";
import { Buffer } from "node:buffer";

/** The scenarios a benchmark server can serve (one per process). */
export type Scenario = "hello" | "64k" | "echo-upload" | "post-json";

/** Every scenario name, in the order the harness runs them. */
export const SCENARIOS: readonly Scenario[] = ["hello", "64k", "echo-upload", "post-json"];

/** Size of each small POST body of the `post-json` scenario: 1 KiB. */
export const POST_SIZE = 1024;

/** The `post-json` answer for a body of `n` bytes. */
export function postAnswer(n: number): string {
  return `{"received":${n}}`;
}

/** Body of the hello-world response (13 bytes). */
export const HELLO_TEXT = "Hello, World!";

/** Size of the large response body: 64 KiB. */
export const LARGE_SIZE = 65536;

/** The 64 KiB response body, allocated once (`Buffer`, so node:http gets its native type). */
export const LARGE_BODY: Buffer = Buffer.alloc(LARGE_SIZE, 0x61);

/** Port and scenario a server was started with. */
export interface ServerConfig {
  /** TCP port on 127.0.0.1 (0 = any free port; the real one is announced). */
  port: number;
  /** What every request is answered with. */
  scenario: Scenario;
}

/**
 * Reads `PORT` (default 0) and `SCENARIO` (default `hello`) from the
 * environment; an unknown scenario ends the process with an error.
 */
export function readConfig(): ServerConfig {
  const port = Number(process.env.PORT ?? "0");
  const name = process.env.SCENARIO ?? "hello";
  if (!(SCENARIOS as readonly string[]).includes(name)) {
    console.error(`unknown SCENARIO ${name}; expected one of ${SCENARIOS.join(", ")}`);
    process.exit(2);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bad PORT ${process.env.PORT}`);
    process.exit(2);
  }
  return { port, scenario: name as Scenario };
}

/**
 * Prints the ready line the harness waits for and arms the self-stop: the
 * process exits when its standard input reaches end-of-file (the harness went
 * away) or after `BENCH_MAX_SECONDS` (default 1200) seconds, whichever is first.
 */
export function announce(port: number): void {
  console.log(`LISTENING ${port}`);
  const maxSeconds = Number(process.env.BENCH_MAX_SECONDS ?? "1200");
  setTimeout(() => process.exit(0), maxSeconds * 1000);
  if (process.env.BENCH_WATCH_STDIN !== "0") {
    process.stdin.on("data", () => {});
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
  }
}

/** The smallest request shape a node:http-style handler needs. */
export interface NodeStyleRequest {
  /** Pipes the request body into the response. */
  pipe(destination: NodeStyleResponse): unknown;
  /** Listens to 'data' (body chunks) and 'end'. */
  on(event: string, listener: (chunk: { length: number }) => void): unknown;
}

/** The smallest response shape a node:http-style handler needs. */
export interface NodeStyleResponse {
  /** Sets one response header. */
  setHeader(name: string, value: string | number): unknown;
  /** Ends the response, optionally with a last chunk. */
  end(chunk?: string | Uint8Array): unknown;
}

/**
 * The request listener for `scenario`, written once for every
 * `node:http`-shaped server (anyhttp's and each runtime's own `node:http`), so
 * both run exactly the same JavaScript. The type parameters take the
 * server's own request and response classes from the call site.
 *
 * @example
 * ```ts
 * import http from "node:http";
 * const server = http.createServer(nodeStyleHandler("hello"));
 * ```
 */
export function nodeStyleHandler<Req, Res>(scenario: Scenario): (req: Req, res: Res) => void {
  return nodeStyle(scenario) as unknown as (req: Req, res: Res) => void;
}

function nodeStyle(scenario: Scenario): (req: NodeStyleRequest, res: NodeStyleResponse) => void {
  switch (scenario) {
    case "hello":
      return (_req, res) => {
        res.setHeader("Content-Type", "text/plain");
        res.end(HELLO_TEXT);
      };
    case "64k":
      return (_req, res) => {
        res.setHeader("Content-Type", "application/octet-stream");
        res.end(LARGE_BODY);
      };
    case "echo-upload":
      return (req, res) => {
        res.setHeader("Content-Type", "application/octet-stream");
        req.pipe(res);
      };
    case "post-json":
      // Reads the body the way most handlers do, then answers a small JSON.
      return (req, res) => {
        let n = 0;
        req.on("data", (chunk) => n += chunk.length);
        req.on("end", () => {
          res.setHeader("Content-Type", "application/json");
          res.end(postAnswer(n));
        });
      };
  }
}
