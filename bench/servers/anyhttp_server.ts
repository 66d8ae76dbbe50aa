/**
 * Benchmark server: anyhttp's `createServer` on whichever runtime runs it
 * (Deno and Bun run this file; Node runs the compiled
 * `npm/esm/bench/servers/anyhttp_server.js`). `PORT` and `SCENARIO` choose the
 * port and what every request gets (see `scenario.ts`).
 *
 * @module
 */
import { createServer } from "../../mod.ts";
import { announce, nodeStyleHandler, readConfig } from "./scenario.ts";

const { port, scenario } = readConfig();
const server = createServer(nodeStyleHandler(scenario));
// Idle keep-alive connections must survive the memory benchmark.
server.keepAliveTimeout = 120_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  announce(typeof address === "object" && address ? address.port : port);
});
