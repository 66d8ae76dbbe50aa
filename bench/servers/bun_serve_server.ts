/**
 * Benchmark server: `Bun.serve` (Bun only), the runtime-native baseline for
 * anyhttp on Bun. `PORT` and `SCENARIO` choose the port and what every request
 * gets (see `scenario.ts`).
 *
 * @module
 */
import { announce, HELLO_TEXT, LARGE_SIZE, postAnswer, readConfig } from "./scenario.ts";

interface BunServeLike {
  serve(options: {
    port: number;
    hostname: string;
    idleTimeout: number;
    maxRequestBodySize: number;
    fetch(req: Request): Response | Promise<Response>;
  }): { port: number };
}

const bun = (globalThis as unknown as { Bun?: BunServeLike }).Bun;
if (!bun) throw new Error("bun_serve_server.ts runs on Bun only");

const { port, scenario } = readConfig();
const large = new Uint8Array(LARGE_SIZE).fill(0x61);

const handler: (req: Request) => Response | Promise<Response> = scenario === "hello"
  ? () => new Response(HELLO_TEXT, { headers: { "Content-Type": "text/plain" } })
  : scenario === "64k"
  ? () => new Response(large, { headers: { "Content-Type": "application/octet-stream" } })
  : scenario === "post-json"
  ? async (req) =>
    new Response(postAnswer((await req.arrayBuffer()).byteLength), {
      headers: { "Content-Type": "application/json" },
    })
  : (req) => new Response(req.body, { headers: { "Content-Type": "application/octet-stream" } });

const server = bun.serve({
  port,
  hostname: "127.0.0.1",
  // 255 s is Bun's maximum: idle keep-alive connections must survive the memory benchmark.
  idleTimeout: 255,
  maxRequestBodySize: 16 * 1024 * 1024,
  fetch: handler,
});
announce(server.port);
