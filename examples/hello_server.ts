/**
 * The demo: a hello-world server on whichever runtime runs this file.
 *
 * - Node: `npm run demo` (builds `npm/` and runs the compiled copy)
 * - Deno: `deno run -A examples/hello_server.ts`
 * - Bun:  `bun examples/hello_server.ts`
 *
 * `PORT` picks the port (default 8000; 0 for any free one).
 *
 * @module
 */
import http from "../mod.ts";

const g = globalThis as unknown as {
  Deno?: { version: { deno: string }; env: { get(k: string): string | undefined } };
  Bun?: { version: string };
  process?: { version: string; env: Record<string, string | undefined> };
};
const runtime = g.Deno
  ? `Deno ${g.Deno.version.deno}`
  : g.Bun
  ? `Bun ${g.Bun.version}`
  : `Node ${g.process?.version}`;
const portText = g.Deno ? g.Deno.env.get("PORT") : g.process?.env.PORT;
const port = Number(portText ?? 8000);

const server = http.createServer((req, res) => {
  res.setHeader("Content-Type", "text/plain; charset=utf-8");
  res.end(`Hello from anyhttp on ${runtime}: ${req.method} ${req.url}\n`);
});

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  console.log(`anyhttp demo on ${runtime} listening at http://127.0.0.1:${actual}/`);
});
