/**
 * Benchmark server: the runtime's own `node:http` (Node's, Deno's or Bun's),
 * running exactly the same request listener as `anyhttp_server.ts`. `PORT` and
 * `SCENARIO` choose the port and what every request gets (see `scenario.ts`).
 *
 * @module
 */
import { createServer } from "node:http";
import { announce, nodeStyleHandler, readConfig } from "./scenario.ts";

const { port, scenario } = readConfig();
const server = createServer(nodeStyleHandler(scenario));
// Idle keep-alive connections must survive the memory benchmark.
server.keepAliveTimeout = 120_000;
server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  announce(typeof address === "object" && address ? address.port : port);
});
