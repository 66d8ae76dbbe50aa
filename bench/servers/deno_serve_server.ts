/**
 * Benchmark server: `Deno.serve` (Deno only), the runtime-native baseline for
 * anyhttp on Deno. `PORT` and `SCENARIO` choose the port and what every
 * request gets (see `scenario.ts`).
 *
 * @module
 */
import { announce, HELLO_TEXT, LARGE_SIZE, postAnswer, readConfig } from "./scenario.ts";

interface DenoServeLike {
  serve(
    options: { port: number; hostname: string; onListen(addr: { port: number }): void },
    handler: (req: Request) => Response | Promise<Response>,
  ): unknown;
}

const deno = (globalThis as unknown as { Deno?: DenoServeLike }).Deno;
if (!deno) throw new Error("deno_serve_server.ts runs on Deno only");

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

deno.serve({ port, hostname: "127.0.0.1", onListen: (addr) => announce(addr.port) }, handler);
