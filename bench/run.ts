/**
 * The benchmark harness (`npm run bench`, `deno task bench`). Run by Deno:
 *
 * ```sh
 * deno run -A bench/run.ts [--quick] [--write] [--only=server,client,memory,parser]
 *                          [--runtimes=node,deno,bun] [--runs=N] [--duration=S]
 *                          [--connections=N] [--no-build]
 * ```
 *
 * - server: each server script of `bench/servers/` is started pinned to core 0
 *   (`taskset -c 0`) and loaded by `wrk` pinned to core 1, for: hello world with
 *   50 connections and with 1, 64 KiB responses, 1 MiB uploads echoed back, and
 *   pipelined hello requests (16 per write). Req/s comes from wrk, server CPU µs
 *   per request from `/proc/<pid>/stat` (utime + stime) read before and after
 *   each run. Medians of N runs (5 × 5 s for the 50-connection hello world,
 *   3 × 2 s for the others; `--quick`: 1 run of 2 s / 1 s), runs interleaved
 *   across servers so a noisy neighbour hits every server alike.
 * - client: a Node `node:http` hello server on core 0; on core 1, 50 requests in
 *   flight from anyhttp's `request()` with a keep-alive Agent, the runtime's own
 *   `node:http` client, undici's `request()` and `fetch`, on each runtime. Then
 *   the same against Bun.serve, which no client here saturates.
 * - memory: server RSS idle, then holding 10,000 idle keep-alive connections
 *   (`--connections`, 2,000 with `--quick`) opened by `bench/memory/idle_client.ts`.
 * - parser: runs `bench/parser_bench.ts` on each runtime, when it exists.
 *
 * Every comparison is made within the same run. `--write` writes
 * `bench/RESULTS.md` (machine, versions, tables, ratios). Node runs a
 * tsc-compiled copy, which the harness makes first in a private temporary
 * directory (`--no-build`: use the existing `npm/esm/` of `npm run build`). `wrk` is installed with apt-get when missing.
 * Loopback only; every child is killed when the harness ends.
 *
 * @module
 */

// The harness is a Deno program, but the npm build type-checks it with tsc
// too: Deno's API is reached through this small local description of it.

interface ChildProc {
  readonly pid: number;
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly status: Promise<{ code: number; signal: string | null }>;
  kill(signal?: string): void;
  output(): Promise<CommandOutput>;
}

interface CommandOutput {
  code: number;
  success: boolean;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

interface CommandOptions {
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  stdin?: "piped" | "null" | "inherit";
  stdout?: "piped" | "null" | "inherit";
  stderr?: "piped" | "null" | "inherit";
}

interface Conn {
  read(buffer: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
}

interface DenoApi {
  args: string[];
  version: { deno: string };
  exit(code: number): never;
  execPath(): string;
  Command: new (cmd: string, options: CommandOptions) => {
    spawn(): ChildProc;
    output(): Promise<CommandOutput>;
  };
  readTextFile(path: string): Promise<string>;
  readTextFileSync(path: string): string;
  writeTextFile(path: string, text: string): Promise<void>;
  statSync(path: string): { isFile: boolean };
  readDirSync(path: string): Iterable<{ name: string }>;
  makeTempDir(options: { prefix: string }): Promise<string>;
  removeSync(path: string, options: { recursive: boolean }): void;
  connect(options: { hostname: string; port: number }): Promise<Conn>;
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
}

const D: DenoApi = (globalThis as unknown as { Deno: DenoApi }).Deno;

type RuntimeName = "node" | "deno" | "bun";
type Impl = "anyhttp" | "node:http" | "Deno.serve" | "Bun.serve";
type Section = "server" | "client" | "memory" | "parser";
type ServerScenario = "hello" | "64k" | "echo-upload" | "post-json";
const ALL_SCENARIOS: readonly ServerScenario[] = ["hello", "64k", "post-json", "echo-upload"];
type ClientName = "anyhttp" | "node-http" | "undici" | "fetch";

const ALL_RUNTIMES: RuntimeName[] = ["node", "deno", "bun"];
const ALL_SECTIONS: Section[] = ["server", "client", "memory", "parser"];
const RUNTIME_LABEL: Record<RuntimeName, string> = { node: "Node", deno: "Deno", bun: "Bun" };
const CLIENT_LABEL: Record<ClientName, string> = {
  anyhttp: "anyhttp",
  "node-http": "node:http",
  undici: "undici",
  fetch: "fetch",
};
const SERVER_CORE = "0";
const LOAD_CORE = "1";
const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");
const HELLO_TEXT = "Hello, World!";
const LARGE_SIZE = 65536;
const UPLOAD_SIZE = 1048576;
/** The post-json scenario's body size and answer (as `servers/scenario.ts`). */
const POST_SIZE = 1024;
const POST_ANSWER = `{"received":${POST_SIZE}}`;
const CLK_TCK = 100;

// ---------------------------------------------------------------------------
// Options

interface Options {
  quick: boolean;
  write: boolean;
  build: boolean;
  sections: Section[];
  runtimes: RuntimeName[];
  /** Server scenarios to run (default: all). */
  scenarios: ServerScenario[];
  runs: number | null;
  duration: number | null;
  connections: number;
}

function usage(message: string): never {
  console.error(`bench/run.ts: ${message}`);
  console.error(
    "usage: deno run -A bench/run.ts [--quick] [--write] [--only=server,client,memory,parser]\n" +
      "       [--runtimes=node,deno,bun] [--scenarios=hello,64k,post-json,echo-upload]\n" +
      "       [--runs=N] [--duration=S] [--connections=N] [--no-build]",
  );
  D.exit(2);
}

function listArg<T extends string>(value: string, allowed: readonly T[], name: string): T[] {
  const items = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      usage(`unknown ${name} "${item}" (expected ${allowed.join(", ")})`);
    }
  }
  return allowed.filter((a) => items.includes(a));
}

function positiveInt(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} needs a positive integer`);
  return n;
}

function parseOptions(args: string[]): Options {
  const o: Options = {
    quick: false,
    write: false,
    build: true,
    sections: [...ALL_SECTIONS],
    runtimes: [...ALL_RUNTIMES],
    scenarios: [...ALL_SCENARIOS],
    runs: null,
    duration: null,
    connections: 0,
  };
  let connections: number | null = null;
  for (const arg of args) {
    const [key, value = ""] = arg.split(/=(.*)/s, 2);
    switch (key) {
      case "--quick":
        o.quick = true;
        break;
      case "--write":
        o.write = true;
        break;
      case "--no-build":
        o.build = false;
        break;
      case "--only":
        o.sections = listArg(value, ALL_SECTIONS, "section");
        break;
      case "--runtimes":
        o.runtimes = listArg(value, ALL_RUNTIMES, "runtime");
        break;
      case "--scenarios":
        o.scenarios = listArg(value, ALL_SCENARIOS, "scenario");
        break;
      case "--runs":
        o.runs = positiveInt(value, "runs");
        break;
      case "--duration":
        o.duration = positiveInt(value, "duration");
        break;
      case "--connections":
        connections = positiveInt(value, "connections");
        break;
      case "--help":
      case "-h":
        usage("help");
        break;
      default:
        usage(`unknown argument ${arg}`);
    }
  }
  o.connections = connections ?? (o.quick ? 2000 : 10000);
  return o;
}

// ---------------------------------------------------------------------------
// Child processes

const children = new Set<ChildProc>();
let pinning = true;

function killAll(): void {
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

/**
 * Wraps `cmd` so it runs with the open-files limit raised to the hard limit and,
 * when `core` is given, pinned to that core. `exec` keeps the pid: the pid of
 * the spawned process is the pid of the runtime itself.
 */
function wrap(cmd: string[], core: string | null): string[] {
  const pin = core !== null && pinning ? `exec taskset -c ${core} "$@"` : 'exec "$@"';
  return ["bash", "-c", `ulimit -n "$(ulimit -Hn)" 2>/dev/null; ${pin}`, "bench", ...cmd];
}

function childEnv(extra: Record<string, string>): Record<string, string> {
  return { NO_COLOR: "1", ...extra };
}

/** A long-running child (a server or the idle-connection client) whose output is watched. */
class Child {
  readonly proc: ChildProc;
  readonly pid: number;
  output = "";
  exited = false;
  /** How the process ended ("exit code 1", "killed by SIGKILL"), once it has. */
  exitStatus = "";
  private waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  private readonly done: Promise<void>;

  constructor(cmd: string[], env: Record<string, string>, core: string | null) {
    const [bin, ...args] = wrap(cmd, core);
    this.proc = new D.Command(bin, {
      args,
      cwd: ROOT,
      env: childEnv(env),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    children.add(this.proc);
    this.pid = this.proc.pid;
    const pump = async (stream: ReadableStream<Uint8Array>): Promise<void> => {
      const reader = stream.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.output = (this.output + decoder.decode(value, { stream: true })).slice(-16384);
        this.check();
      }
    };
    this.done = Promise.all([
      pump(this.proc.stdout),
      pump(this.proc.stderr),
      this.proc.status,
    ]).then(([, , status]) => {
      this.exitStatus = status.signal ? `killed by ${status.signal}` : `exit code ${status.code}`;
      this.exited = true;
      children.delete(this.proc);
      this.check();
    });
  }

  private check(): void {
    this.waiters = this.waiters.filter((w) => {
      const m = this.output.match(w.re);
      if (m) w.resolve(m);
      return !m;
    });
  }

  /** Resolves with the first match of `re` in the output, or `null` on exit/timeout. */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray | null> {
    const m = this.output.match(re);
    if (m) return Promise.resolve(m);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(null), timeoutMs);
      const finish = (value: RegExpMatchArray | null): void => {
        clearTimeout(timer);
        resolve(value);
      };
      this.waiters.push({ re, resolve: finish });
      this.done.then(() => setTimeout(() => finish(this.output.match(re)), 0));
    });
  }

  /** How it ended and the error its output names (or its last lines), for error messages. */
  tail(): string {
    const said = errorLine(this.output.replace(/^LISTENING \d+\s*/, "")) || "no error output";
    return this.exitStatus ? `${this.exitStatus}; ${said}` : said;
  }

  /** Closes stdin (the child exits by itself), then kills it if it lingers. */
  async stop(): Promise<void> {
    try {
      await this.proc.stdin.close();
    } catch {
      // already closed
    }
    const timer = setTimeout(() => {
      try {
        this.proc.kill("SIGKILL");
      } catch {
        // gone
      }
    }, 2000);
    await this.done;
    clearTimeout(timer);
  }

  /** Kills the child at once. */
  async kill(): Promise<void> {
    try {
      this.proc.kill("SIGKILL");
    } catch {
      // gone
    }
    await this.done;
  }
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to its end (killed after `timeoutMs`). */
async function run(
  cmd: string[],
  opts: { env?: Record<string, string>; core?: string | null; timeoutMs: number },
): Promise<RunResult> {
  const [bin, ...args] = wrap(cmd, opts.core ?? null);
  const proc = new D.Command(bin, {
    args,
    cwd: ROOT,
    env: childEnv(opts.env ?? {}),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.add(proc);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      proc.kill("SIGKILL");
    } catch {
      // gone
    }
  }, opts.timeoutMs);
  const out = await proc.output();
  clearTimeout(timer);
  children.delete(proc);
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut,
  };
}

/** Output of a short command, or `null` when it cannot run. */
async function capture(cmd: string[]): Promise<string | null> {
  try {
    const out = await new D.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return out.success || text.trim() ? text.trim() : null;
  } catch {
    return null;
  }
}

/** The line of `text` that names the error (a thrown Error's message), else its last lines. */
function errorLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const named =
    lines.find((l) =>
      /^(error:|(Uncaught )?\w*(Error|Exception)\b)/i.test(l) || /^\w*Error: /.test(l)
    ) ??
      lines.find((l) => /\w*Error\b/.test(l) && !/^at /.test(l));
  return (named ?? lines.slice(-2).join(" | ")).slice(0, 300);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------
// /proc

/** utime + stime of a process (all its threads), in µs. */
function cpuMicros(pid: number): number {
  let stat: string;
  try {
    stat = D.readTextFileSync(`/proc/${pid}/stat`);
  } catch {
    return NaN; // the process is gone
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

/** CPU time of this harness plus its reaped children (wrk, client scripts), in µs. */
function selfAndChildrenMicros(): number {
  const stat = D.readTextFileSync("/proc/self/stat");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 1e6) / CLK_TCK;
}

/** Busy CPU time of the whole machine (all cores) and its number of cores. */
function machineBusy(): { micros: number; cores: number } {
  const lines = D.readTextFileSync("/proc/stat").split("\n");
  const f = lines[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: everything but idle and iowait.
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  const cores = lines.filter((l) => /^cpu\d+ /.test(l)).length;
  return { micros: (busy * 1e6) / CLK_TCK, cores };
}

/**
 * Measures how much of the machine processes other than the harness, its
 * children and `pid` used while `fn` ran (0..1): the benchmark's noise.
 */
async function withBackground<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ value: T; background: number }> {
  const t0 = performance.now();
  const m0 = machineBusy();
  const own0 = selfAndChildrenMicros() + cpuMicros(pid);
  const value = await fn();
  const own = selfAndChildrenMicros() + cpuMicros(pid) - own0;
  const m1 = machineBusy();
  const wall = (performance.now() - t0) * 1000;
  return { value, background: Math.max(0, (m1.micros - m0.micros - own) / (wall * m1.cores)) };
}

/** Resident set size of a process, in KiB. */
function rssKiB(pid: number): number {
  const status = D.readTextFileSync(`/proc/${pid}/status`);
  const m = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return m ? Number(m[1]) : NaN;
}

/** Number of open file descriptors of a process. */
function fdCount(pid: number): number {
  let n = 0;
  for (const _ of D.readDirSync(`/proc/${pid}/fd`)) n++;
  return n;
}

// ---------------------------------------------------------------------------
// Runtimes and scripts

interface Tools {
  node: string;
  deno: string;
  bun: string;
  wrk: string | null;
  /** Where the tsc-compiled copy of the repo lives, for Node (`<dir>/bench/...js`). */
  compiled: string;
}

function fileExists(path: string): boolean {
  try {
    return D.statSync(path).isFile;
  } catch {
    return false;
  }
}

function findTools(): Tools {
  const local = (name: string): string | null => {
    const p = `${ROOT}/node_modules/.bin/${name}`;
    return fileExists(p) ? p : null;
  };
  return {
    node: "node",
    deno: D.execPath(),
    bun: local("bun") ?? "bun",
    wrk: null,
    compiled: `${ROOT}/npm/esm`,
  };
}

/**
 * The command that runs `bench/<rel>.ts` on `runtime`, or a reason it cannot
 * (Node needs the compiled copy).
 */
function scriptCommand(tools: Tools, runtime: RuntimeName, rel: string): string[] | string {
  switch (runtime) {
    case "node": {
      const js = `${tools.compiled}/bench/${rel}.js`;
      return fileExists(js) ? [tools.node, js] : `not built (${js} missing)`;
    }
    case "deno":
      return [tools.deno, "run", "-A", `${ROOT}/bench/${rel}.ts`];
    case "bun":
      return [tools.bun, `${ROOT}/bench/${rel}.ts`];
  }
}

async function ensureWrk(): Promise<string | null> {
  const which = async (): Promise<string | null> => {
    const out = await capture(["bash", "-c", "command -v wrk"]);
    return out && out.startsWith("/") ? out : null;
  };
  let path = await which();
  if (path) return path;
  console.log("wrk not found: installing it with apt-get (Debian package wrk)…");
  const apt = async (args: string[]): Promise<boolean> =>
    (await run(["apt-get", ...args], {
      env: { DEBIAN_FRONTEND: "noninteractive" },
      timeoutMs: 300_000,
    })).code === 0;
  if (!(await apt(["install", "-y", "wrk"]))) {
    await apt(["update"]);
    await apt(["install", "-y", "wrk"]);
  }
  path = await which();
  if (!path) console.error("could not install wrk: the server benchmarks are skipped");
  return path;
}

// ---------------------------------------------------------------------------
// Statistics and formatting

function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–";
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "–";
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Labels (the first two columns and "notes") align left, numbers right.
  const left = (i: number): boolean => i < 2 || header[i] === "notes";
  const line = (cells: string[]): string =>
    `| ${
      cells.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")
    } |`;
  const sep = `| ${
    widths.map((w, i) => (left(i) ? "-".repeat(w) : "-".repeat(w - 1) + ":")).join(" | ")
  } |`;
  return [line(header), sep, ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------
// Server benchmarks

interface ServerTarget {
  runtime: RuntimeName;
  impl: Impl;
  script: string;
}

function serverTargets(runtimes: RuntimeName[]): ServerTarget[] {
  const out: ServerTarget[] = [];
  for (const runtime of runtimes) {
    out.push({ runtime, impl: "anyhttp", script: "servers/anyhttp_server" });
    out.push({ runtime, impl: "node:http", script: "servers/node_http_server" });
    if (runtime === "deno") {
      out.push({ runtime, impl: "Deno.serve", script: "servers/deno_serve_server" });
    }
    if (runtime === "bun") {
      out.push({ runtime, impl: "Bun.serve", script: "servers/bun_serve_server" });
    }
  }
  return out;
}

interface Load {
  id: string;
  /** Said under the table in RESULTS.md. */
  note?: string;
  title: string;
  scenario: ServerScenario;
  connections: number;
  lua: "plain" | "upload" | "pipeline" | "post";
  runs: number;
  seconds: number;
}

function loads(o: Options): Load[] {
  const main = { runs: o.runs ?? (o.quick ? 1 : 5), seconds: o.duration ?? (o.quick ? 2 : 5) };
  const rest = { runs: o.runs ?? (o.quick ? 1 : 3), seconds: o.duration ?? (o.quick ? 1 : 2) };
  return [
    {
      id: "hello-c50",
      title: "hello world, 50 keep-alive connections",
      scenario: "hello",
      connections: 50,
      lua: "plain",
      ...main,
    },
    {
      id: "hello-c1",
      title: "hello world, 1 keep-alive connection",
      scenario: "hello",
      connections: 1,
      lua: "plain",
      note: "One request at a time: latency-bound (server CPU below 100%), so req/s mostly " +
        "measures the round trip; CPU µs/req includes the cost of waking up per request.",
      ...rest,
    },
    {
      id: "pipelined",
      title: "hello world pipelined, 16 requests per write, 50 connections",
      scenario: "hello",
      connections: 50,
      lua: "pipeline",
      note: "p99 latency here is wrk's, per batch of 16 (– when wrk recorded none).",
      ...rest,
    },
    {
      id: "64k",
      title: "64 KiB responses, 50 connections",
      scenario: "64k",
      connections: 50,
      lua: "plain",
      ...rest,
    },
    {
      id: "post",
      title: "1 KiB POST bodies read with 'data'/'end', JSON answer, 50 connections",
      scenario: "post-json",
      connections: 50,
      lua: "post",
      note: "The handler counts the body with 'data' and answers on 'end' (Deno.serve and " +
        "Bun.serve read it with arrayBuffer()): the request-body path most handlers take.",
      ...rest,
    },
    {
      id: "upload",
      title: "1 MiB uploads echoed back, 50 connections",
      scenario: "echo-upload",
      connections: 50,
      lua: "upload",
      note: "Each request moves 2 MiB through loopback; wrk's single thread on core 1 is the " +
        "bottleneck for the faster servers (server CPU well below 100%): compare server CPU µs/req.",
      ...rest,
    },
  ];
}

const LUA_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%.0f,"duration":%.0f,"bytes":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50":%.0f,"p99":%.0f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

const LUA: Record<Load["lua"], string> = {
  plain: LUA_DONE,
  upload: `wrk.method = "POST"
wrk.body = string.rep("u", ${UPLOAD_SIZE})
wrk.headers["Content-Type"] = "application/octet-stream"
${LUA_DONE}`,
  post: `wrk.method = "POST"
wrk.body = string.rep("p", ${POST_SIZE})
wrk.headers["Content-Type"] = "application/json"
${LUA_DONE}`,
  pipeline: `init = function(args)
  local r = {}
  for i = 1, 16 do r[i] = wrk.format("GET", "/") end
  req = table.concat(r)
end
request = function()
  return req
end
${LUA_DONE}`,
};

interface WrkResult {
  requests: number;
  duration: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p99: number;
}

interface Sample {
  rps: number;
  cpuPerReq: number;
  cpuShare: number;
  p99ms: number;
  errors: number;
  /** Share of the machine other processes used during the run (noise), 0..1. */
  background: number;
}

interface ServerRow {
  target: ServerTarget;
  /** Why the target was not measured (it failed its check or died). */
  broken: string | null;
  samples: Sample[];
}

/** A server started for one scenario, checked to answer correctly. */
interface LiveServer {
  target: ServerTarget;
  child: Child | null;
  port: number;
  broken: string | null;
}

async function startServer(
  tools: Tools,
  target: ServerTarget,
  scenario: ServerScenario,
): Promise<LiveServer> {
  const cmd = scriptCommand(tools, target.runtime, target.script);
  if (typeof cmd === "string") return { target, child: null, port: 0, broken: cmd };
  const child = new Child(cmd, { PORT: "0", SCENARIO: scenario }, SERVER_CORE);
  const m = await child.waitFor(/LISTENING (\d+)/, 20_000);
  if (!m) {
    const why = `did not start: ${child.tail()}`;
    await child.kill();
    return { target, child: null, port: 0, broken: why };
  }
  const port = Number(m[1]);
  const problem = await checkServer(port, scenario);
  if (problem) {
    await sleep(200);
    const said = child.output.replace(/^LISTENING \d+\s*/, "").trim();
    await child.kill();
    const why = `wrong answer: ${problem}${said ? `; server output: ${errorLine(said)}` : ""}`;
    return { target, child: null, port, broken: why };
  }
  return { target, child, port, broken: null };
}

/** Reads from `conn` until `enough(text)` or the deadline; returns the latin1 text. */
async function readUntil(
  conn: Conn,
  enough: (text: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const buf = new Uint8Array(65536);
  const dec = new TextDecoder("latin1");
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!enough(text) && Date.now() < deadline) {
    const timer = setTimeout(() => conn.close(), Math.max(1, deadline - Date.now()));
    let n: number | null = null;
    try {
      n = await conn.read(buf);
    } catch {
      n = null;
    }
    clearTimeout(timer);
    if (n === null) break;
    text += dec.decode(buf.subarray(0, n));
  }
  return text;
}

async function exchange(
  port: number,
  request: Uint8Array,
  enough: (text: string) => boolean,
): Promise<string> {
  const conn = await D.connect({ hostname: "127.0.0.1", port });
  try {
    const writing = (async () => {
      let off = 0;
      while (off < request.length) off += await conn.write(request.subarray(off));
    })().catch(() => {});
    const text = await readUntil(conn, enough, 5000);
    await writing;
    return text;
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the timeout
    }
  }
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Total body bytes of a chunked response in `text` (null until the last chunk arrived). */
function chunkedLength(text: string): number | null {
  let i = text.indexOf("\r\n\r\n");
  if (i < 0) return null;
  i += 4;
  let total = 0;
  for (;;) {
    const eol = text.indexOf("\r\n", i);
    if (eol < 0) return null;
    const size = parseInt(text.slice(i, eol), 16);
    if (!Number.isFinite(size)) return -1;
    if (size === 0) return total;
    total += size;
    i = eol + 2 + size + 2;
    if (i > text.length) return null;
  }
}

function bodyLength(text: string): number | null {
  const head = text.indexOf("\r\n\r\n");
  if (head < 0) return null;
  const cl = text.slice(0, head).match(/\r\ncontent-length:\s*(\d+)/i);
  if (cl) {
    const want = Number(cl[1]);
    return text.length - head - 4 >= want ? want : null;
  }
  return /\r\ntransfer-encoding:\s*chunked/i.test(text.slice(0, head)) ? chunkedLength(text) : -1;
}

/** Checks the server answers its scenario correctly; returns a problem or null. */
async function checkServer(
  port: number,
  scenario: ServerScenario,
  pipelined = 1,
): Promise<string | null> {
  const enc = new TextEncoder();
  const get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  try {
    if (scenario === "hello") {
      // `pipelined` requests in one write: every answer, complete.
      const text = await exchange(
        port,
        enc.encode(get.repeat(pipelined)),
        (t) => count(t, HELLO_TEXT) >= pipelined,
      );
      const answers = count(text, "HTTP/1.1 200 ");
      if (answers !== pipelined || count(text, HELLO_TEXT) !== pipelined) {
        const what = pipelined > 1 ? `${pipelined} pipelined GETs` : "GET";
        return `${what} got ${answers} complete 200 responses: ${
          JSON.stringify(text.slice(0, 120))
        }`;
      }
      return null;
    }
    if (scenario === "64k") {
      const text = await exchange(port, enc.encode(get), (t) => bodyLength(t) !== null);
      const n = bodyLength(text);
      return text.startsWith("HTTP/1.1 200 ") && n === LARGE_SIZE
        ? null
        : `GET got ${n} body bytes: ${JSON.stringify(text.slice(0, 120))}`;
    }
    if (scenario === "post-json") {
      const post = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${POST_SIZE}\r\n\r\n` +
        "p".repeat(POST_SIZE);
      const want = POST_ANSWER;
      const text = await exchange(port, enc.encode(post), (t) => t.includes(want));
      return text.startsWith("HTTP/1.1 200 ") && text.endsWith(want)
        ? null
        : `POST of 1 KiB got ${JSON.stringify(text.slice(0, 160))}`;
    }
    const head = `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${UPLOAD_SIZE}\r\n\r\n`;
    const body = new Uint8Array(UPLOAD_SIZE).fill(0x75);
    const request = new Uint8Array(head.length + UPLOAD_SIZE);
    request.set(enc.encode(head));
    request.set(body, head.length);
    const text = await exchange(port, request, (t) => bodyLength(t) !== null);
    const n = bodyLength(text);
    return text.startsWith("HTTP/1.1 200 ") && n === UPLOAD_SIZE
      ? null
      : `POST of 1 MiB got ${n} body bytes back: ${JSON.stringify(text.slice(0, 120))}`;
  } catch (err) {
    return String(err);
  }
}

async function runWrk(
  wrk: string,
  luaPath: string,
  port: number,
  connections: number,
  seconds: number,
): Promise<WrkResult | string> {
  const res = await run(
    [
      wrk,
      "-t1",
      `-c${connections}`,
      `-d${seconds}s`,
      "--timeout",
      "5s",
      "-s",
      luaPath,
      `http://127.0.0.1:${port}/`,
    ],
    { core: LOAD_CORE, timeoutMs: seconds * 1000 + 15_000 },
  );
  const m = res.stdout.match(/WRKJSON (\{.*\})/);
  if (!m) return `wrk failed (code ${res.code}): ${(res.stderr || res.stdout).trim().slice(-300)}`;
  return JSON.parse(m[1]) as WrkResult;
}

async function measure(
  wrk: string,
  luaPath: string,
  server: LiveServer,
  load: Load,
): Promise<Sample | string> {
  const child = server.child;
  if (!child || child.exited) return `server exited: ${child?.tail() ?? ""}`;
  const cpu0 = cpuMicros(child.pid);
  const { value: result, background } = await withBackground(
    child.pid,
    () => runWrk(wrk, luaPath, server.port, load.connections, load.seconds),
  );
  if (child.exited) return `server died under load: ${child.tail()}`;
  const cpu = cpuMicros(child.pid) - cpu0;
  if (typeof result === "string") return result;
  const seconds = result.duration / 1e6;
  const errors = result.connect + result.read + result.write + result.status + result.timeout;
  if (result.requests === 0) return `no request completed (errors: ${JSON.stringify(result)})`;
  return {
    rps: result.requests / seconds,
    cpuPerReq: cpu / result.requests,
    cpuShare: cpu / result.duration,
    p99ms: result.p99 / 1000,
    errors,
    background,
  };
}

interface ServerSection {
  load: Load;
  rows: ServerRow[];
}

async function serverBench(o: Options, tools: Tools, tmp: string): Promise<ServerSection[]> {
  const wrk = tools.wrk;
  if (!wrk) return [];
  const targets = serverTargets(o.runtimes);
  const allLoads = loads(o);
  const sections: ServerSection[] = [];
  for (const scenario of o.scenarios) {
    const group = allLoads.filter((l) => l.scenario === scenario);
    console.log(`\n[server] scenario ${scenario}: starting ${targets.length} servers`);
    const servers: LiveServer[] = [];
    for (const t of targets) {
      const s = await startServer(tools, t, scenario);
      if (s.broken) console.log(`  ${RUNTIME_LABEL[t.runtime]} ${t.impl}: ${s.broken}`);
      servers.push(s);
    }
    try {
      let warmed = false;
      for (const load of group) {
        const luaPath = `${tmp}/${load.lua}.lua`;
        await D.writeTextFile(luaPath, LUA[load.lua]);
        const rows: ServerRow[] = servers.map((s) => ({
          target: s.target,
          broken: s.broken,
          samples: [],
        }));
        if (load.lua === "pipeline") {
          for (let i = 0; i < servers.length; i++) {
            const s = servers[i];
            if (!s.child || rows[i].broken) continue;
            const problem = await checkServer(s.port, load.scenario, 16);
            if (problem) {
              rows[i].broken = `wrong answer: ${problem}`;
              console.log(
                `  ${RUNTIME_LABEL[s.target.runtime]} ${s.target.impl}: ${rows[i].broken}`,
              );
            }
          }
        }
        if (!warmed) {
          // Warm-up (JIT, buffers): every server at once, since it is not measured.
          const live = servers.filter((s) => s.child);
          const seconds = o.quick ? 1 : 2;
          console.log(`  warming up ${live.length} servers for ${seconds} s`);
          await Promise.all(
            live.map((s) => runWrk(wrk, luaPath, s.port, load.connections, seconds)),
          );
          warmed = true;
        }
        for (let run = 0; run < load.runs; run++) {
          for (let i = 0; i < servers.length; i++) {
            const row = rows[i];
            if (row.broken) continue;
            const sample = await measure(wrk, luaPath, servers[i], load);
            const label = `${RUNTIME_LABEL[row.target.runtime]} ${row.target.impl}`;
            if (typeof sample === "string") {
              row.broken = sample;
              console.log(`  ${load.id} ${label}: ${sample}`);
              continue;
            }
            row.samples.push(sample);
            console.log(
              `  ${load.id} run ${run + 1}/${load.runs} ${label}: ${fmtInt(sample.rps)} req/s, ` +
                `${fmt(sample.cpuPerReq)} µs CPU/req, CPU ${fmt(sample.cpuShare * 100, 0)}%, ` +
                `other load ${fmt(sample.background * 100, 0)}%` +
                (sample.errors ? `, ${sample.errors} errors` : ""),
            );
          }
        }
        sections.push({ load, rows });
      }
    } finally {
      await Promise.all(servers.map((s) => s.child?.stop()));
    }
  }
  return sections;
}

function serverTable(section: ServerSection): string {
  const med = (row: ServerRow, k: keyof Sample): number => median(row.samples.map((s) => s[k]));
  const find = (runtime: RuntimeName, impl: Impl): ServerRow | undefined =>
    section.rows.find((r) =>
      r.target.runtime === runtime && r.target.impl === impl && r.samples.length
    );
  const nodeHttpOnNode = find("node", "node:http");
  const notes: string[] = [];
  const rows = section.rows.map((row) => {
    const rps = med(row, "rps");
    const cpu = med(row, "cpuPerReq");
    const own = find(row.target.runtime, "node:http");
    const native = row.target.runtime === "deno"
      ? find("deno", "Deno.serve")
      : row.target.runtime === "bun"
      ? find("bun", "Bun.serve")
      : undefined;
    const errors = row.samples.reduce((a, s) => a + s.errors, 0);
    const label = `${RUNTIME_LABEL[row.target.runtime]} ${row.target.impl}`;
    if (row.broken) notes.push(`- ${label}: ${row.broken}`);
    const p99 = med(row, "p99ms");
    return [
      RUNTIME_LABEL[row.target.runtime],
      row.target.impl,
      fmtInt(rps),
      own ? ratio(rps, med(own, "rps")) : "–",
      native ? ratio(rps, med(native, "rps")) : "–",
      nodeHttpOnNode ? ratio(rps, med(nodeHttpOnNode, "rps")) : "–",
      fmt(cpu),
      own ? ratio(cpu, med(own, "cpuPerReq")) : "–",
      row.samples.length ? `${fmt(med(row, "cpuShare") * 100, 0)}%` : "–",
      p99 > 0 ? fmt(p99, 2) : "–",
      row.samples.length ? `${fmt(med(row, "background") * 100, 0)}%` : "–",
      row.broken && !row.samples.length
        ? "not measured (below)"
        : row.broken
        ? "failed in a later run (below)"
        : errors
        ? `${errors} socket/status errors`
        : "",
    ];
  });
  const text = table(
    [
      "runtime",
      "server",
      "req/s",
      "vs same runtime's node:http",
      "vs Deno.serve / Bun.serve",
      "vs Node's node:http",
      "server CPU µs/req",
      "CPU/req vs same runtime's node:http",
      "server CPU",
      "p99 ms",
      "other load",
      "notes",
    ],
    rows,
  );
  const noisiest = Math.max(
    ...section.rows.map((r) => med(r, "background")).filter(Number.isFinite),
  );
  if (noisiest > 0.05) {
    notes.unshift(
      `- **Noisy**: other processes used up to ${fmt(noisiest * 100, 0)}% of the machine ` +
        'during these runs (column "other load"); rerun on a quiet machine for final numbers.',
    );
  }
  return notes.length ? `${text}\n\n${notes.join("\n")}` : text;
}

// ---------------------------------------------------------------------------
// Client benchmarks

interface ClientRow {
  runtime: RuntimeName;
  client: ClientName;
  broken: string | null;
  rps: number[];
  cpuPerReq: number[];
  errors: number;
  /** Share of the machine other processes used while this client ran (noise), 0..1. */
  background: number;
}

interface ClientSection {
  serverLabel: string;
  rows: ClientRow[];
}

/**
 * The client rows against one hello server on core 0. `target` "node:http":
 * Node's node:http (Bun's if Node's is not built), the issue's target; "fast":
 * Bun.serve, faster than any client here, so the clients' own limits show
 * (against node:http the fastest clients all stop at that server's ceiling).
 */
async function clientBench(
  o: Options,
  tools: Tools,
  target: "node:http" | "fast",
): Promise<ClientSection | null> {
  let server: LiveServer | null = null;
  let serverLabel = "";
  const candidates: ServerTarget[] = target === "fast"
    ? [{ runtime: "bun", impl: "Bun.serve", script: "servers/bun_serve_server" }]
    : (["node", "bun"] as RuntimeName[]).map((runtime) => ({
      runtime,
      impl: "node:http" as Impl,
      script: "servers/node_http_server",
    }));
  for (const candidate of candidates) {
    const s = await startServer(tools, candidate, "hello");
    if (!s.broken) {
      server = s;
      serverLabel = candidate.impl === "Bun.serve"
        ? "Bun.serve"
        : `${RUNTIME_LABEL[candidate.runtime]}'s node:http`;
      break;
    }
    console.log(
      `[client] ${
        RUNTIME_LABEL[candidate.runtime]
      } ${candidate.impl} server unavailable: ${s.broken}`,
    );
  }
  if (!server || !server.child) return null;
  console.log(`\n[client] target: ${serverLabel} hello server on core ${SERVER_CORE}`);
  const runs = o.runs ?? (o.quick ? 1 : 3);
  const seconds = o.duration ?? (o.quick ? 1 : 2);
  const clients: ClientName[] = ["anyhttp", "node-http", "undici", "fetch"];
  const rows: ClientRow[] = [];
  try {
    for (const runtime of o.runtimes) {
      for (const client of clients) {
        const row: ClientRow = {
          runtime,
          client,
          broken: null,
          rps: [],
          cpuPerReq: [],
          errors: 0,
          background: NaN,
        };
        rows.push(row);
        const cmd = scriptCommand(tools, runtime, "clients/client_bench");
        if (typeof cmd === "string") {
          row.broken = cmd;
          continue;
        }
        const label = `${RUNTIME_LABEL[runtime]} ${CLIENT_LABEL[client]}`;
        const serverPid = server.child.pid;
        const { value: res, background } = await withBackground(serverPid, () =>
          run(cmd, {
            core: LOAD_CORE,
            env: {
              PORT: String(server.port),
              CLIENT: client,
              CONCURRENCY: "50",
              RUNS: String(runs),
              DURATION_MS: String(seconds * 1000),
              WARMUP_MS: o.quick ? "300" : "1000",
            },
            timeoutMs: seconds * 1000 * runs + 30_000,
          }));
        row.background = background;
        const results = [...res.stdout.matchAll(/RESULT (\{.*\})/g)].map((m) =>
          JSON.parse(m[1]) as {
            requests: number;
            seconds: number;
            cpuMicros?: number;
            errors?: number;
            firstError?: string;
            failed?: string;
            hung?: boolean;
          }
        );
        for (const [i, r] of results.entries()) {
          if (!r.requests) {
            const why = r.failed ?? (r.hung ? "requests hung" : r.firstError) ??
              "no request completed";
            row.broken = `failed: ${String(why).slice(0, 200)}`;
            break;
          }
          row.rps.push(r.requests / r.seconds);
          row.cpuPerReq.push((r.cpuMicros ?? NaN) / r.requests);
          row.errors += r.errors ?? 0;
          console.log(
            `  run ${i + 1}/${runs} ${label}: ${fmtInt(r.requests / r.seconds)} req/s, ` +
              `${fmt((r.cpuMicros ?? NaN) / r.requests)} µs client CPU/req` +
              (r.errors ? `, ${r.errors} errors (${r.firstError})` : ""),
          );
        }
        if (!row.broken && results.length < runs) {
          row.broken = `failed: ${errorLine(res.stderr || res.stdout) || `exit code ${res.code}`}`;
        }
        if (row.broken) console.log(`  ${label}: ${row.broken}`);
      }
    }
  } finally {
    await server.child.stop();
  }
  return { serverLabel, rows };
}

function clientTable(section: ClientSection): string {
  const find = (runtime: RuntimeName, client: ClientName): ClientRow | undefined =>
    section.rows.find((r) => r.runtime === runtime && r.client === client && r.rps.length);
  const base = find("node", "node-http");
  const notes: string[] = [];
  const text = table(
    [
      "runtime",
      "client",
      "req/s",
      "vs same runtime's node:http",
      "vs Node's node:http",
      "client CPU µs/req",
      "other load",
      "notes",
    ],
    section.rows.map((row) => {
      const rps = median(row.rps);
      const own = find(row.runtime, "node-http");
      if (row.broken) {
        notes.push(`- ${RUNTIME_LABEL[row.runtime]} ${CLIENT_LABEL[row.client]}: ${row.broken}`);
      }
      const note = row.broken && !row.rps.length
        ? "not measured (below)"
        : row.broken
        ? "failed in a later run (below)"
        : row.errors
        ? `${row.errors} errors`
        : row.client === "undici" && row.runtime === "bun"
        ? "Bun's built-in undici stand-in"
        : "";
      return [
        RUNTIME_LABEL[row.runtime],
        CLIENT_LABEL[row.client],
        fmtInt(rps),
        own ? ratio(rps, median(own.rps)) : "–",
        base ? ratio(rps, median(base.rps)) : "–",
        fmt(median(row.cpuPerReq)),
        Number.isFinite(row.background) ? `${fmt(row.background * 100, 0)}%` : "–",
        note,
      ];
    }),
  );
  const noisiest = Math.max(...section.rows.map((r) => r.background).filter(Number.isFinite));
  if (noisiest > 0.05) {
    notes.unshift(
      `- **Noisy**: other processes used up to ${fmt(noisiest * 100, 0)}% of the machine ` +
        'while the clients ran (column "other load"); rerun on a quiet machine for final numbers.',
    );
  }
  return notes.length ? `${text}\n\n${notes.join("\n")}` : text;
}

// ---------------------------------------------------------------------------
// Memory

interface MemoryRow {
  target: ServerTarget;
  broken: string | null;
  idleKiB: number;
  loadedKiB: number;
  open: number;
  fds: number;
}

async function memoryBench(o: Options, tools: Tools): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  // The connection opener runs on Node when built, else on Bun.
  let opener = scriptCommand(tools, "node", "memory/idle_client");
  if (typeof opener === "string") opener = scriptCommand(tools, "bun", "memory/idle_client");
  console.log(`\n[memory] ${o.connections} idle keep-alive connections per server`);
  for (const target of serverTargets(o.runtimes)) {
    const row: MemoryRow = { target, broken: null, idleKiB: NaN, loadedKiB: NaN, open: 0, fds: 0 };
    rows.push(row);
    const label = `${RUNTIME_LABEL[target.runtime]} ${target.impl}`;
    const server = await startServer(tools, target, "hello");
    if (server.broken || !server.child) {
      row.broken = server.broken;
      console.log(`  ${label}: ${server.broken}`);
      continue;
    }
    let client: Child | null = null;
    try {
      await sleep(500);
      row.idleKiB = rssKiB(server.child.pid);
      const fds0 = fdCount(server.child.pid);
      client = new Child(
        opener as string[],
        { PORT: String(server.port), CONNECTIONS: String(o.connections), HOLD_SECONDS: "120" },
        LOAD_CORE,
      );
      const m = await client.waitFor(/READY (\{.*\})/, 90_000);
      if (!m) {
        row.broken = `opener failed: ${client.tail()}`;
      } else {
        const ready = JSON.parse(m[1]) as { open: number; failed: number; firstError: string };
        await sleep(o.quick ? 500 : 1000);
        if (server.child.exited) {
          row.broken = `server died: ${server.child.tail()}`;
        } else {
          row.loadedKiB = rssKiB(server.child.pid);
          row.fds = fdCount(server.child.pid) - fds0;
          row.open = ready.open;
          if (ready.failed) row.broken = `${ready.failed} connections failed (${ready.firstError})`;
        }
      }
      console.log(
        `  ${label}: idle ${fmtInt(row.idleKiB)} KiB, with ${fmtInt(row.open)} connections ` +
          `${fmtInt(row.loadedKiB)} KiB (${
            fmt((row.loadedKiB - row.idleKiB) / row.open, 2)
          } KiB/conn, ` +
          `${row.fds} fds)` + (row.broken ? `: ${row.broken}` : ""),
      );
    } finally {
      // The server goes first, so the TIME_WAIT ends sit on its side.
      await server.child.kill();
      await client?.stop();
    }
  }
  return rows;
}

function memoryTable(rows: MemoryRow[]): string {
  const find = (runtime: RuntimeName, impl: Impl): MemoryRow | undefined =>
    rows.find((r) => r.target.runtime === runtime && r.target.impl === impl && r.open > 0);
  const notes: string[] = [];
  const text = table(
    [
      "runtime",
      "server",
      "RSS idle MiB",
      "RSS with conns MiB",
      "conns held",
      "KiB/conn",
      "KiB/conn vs same runtime's node:http",
      "notes",
    ],
    rows.map((row) => {
      const perConn = (r: MemoryRow): number => (r.loadedKiB - r.idleKiB) / r.open;
      const own = find(row.target.runtime, "node:http");
      if (row.broken) {
        notes.push(`- ${RUNTIME_LABEL[row.target.runtime]} ${row.target.impl}: ${row.broken}`);
      }
      return [
        RUNTIME_LABEL[row.target.runtime],
        row.target.impl,
        fmt(row.idleKiB / 1024),
        fmt(row.loadedKiB / 1024),
        row.open ? `${fmtInt(row.open)} (${fmtInt(row.fds)} fds)` : "–",
        row.open ? fmt(perConn(row), 2) : "–",
        own && row.open ? ratio(perConn(row), perConn(own)) : "–",
        row.broken ? (row.open ? "partly (below)" : "not measured (below)") : "",
      ];
    }),
  );
  return notes.length ? `${text}\n\n${notes.join("\n")}` : text;
}

// ---------------------------------------------------------------------------
// Parser

interface ParserOutput {
  runtime: RuntimeName;
  text: string;
}

async function parserBench(o: Options, tools: Tools): Promise<ParserOutput[] | null> {
  if (!fileExists(`${ROOT}/bench/parser_bench.ts`)) {
    console.log("\n[parser] bench/parser_bench.ts does not exist yet: skipped");
    return null;
  }
  const out: ParserOutput[] = [];
  for (const runtime of o.runtimes) {
    console.log(`\n[parser] ${RUNTIME_LABEL[runtime]}`);
    const texts: string[] = [];
    // The parser micro-benchmark, then the server layer without sockets (GETs, then 1 KiB POSTs).
    for (
      const [script, arg] of [["parser_bench", ""], ["layer_bench", ""], ["layer_bench", "post"]]
    ) {
      const cmd = scriptCommand(tools, runtime, script);
      if (typeof cmd === "string") {
        texts.push(cmd);
        continue;
      }
      const extra = arg ? [arg] : o.quick && script === "parser_bench" ? ["--quick"] : [];
      const res = await run([...cmd, ...extra], {
        core: SERVER_CORE,
        timeoutMs: 180_000,
      });
      texts.push(
        (res.stdout.trim() +
          (res.code ? `\n(exit ${res.code}) ${res.stderr.trim().slice(-500)}` : "") +
          (res.timedOut ? "\n(killed after 180 s)" : "")).trim(),
      );
    }
    const text = texts.join("\n");
    console.log(text.replace(/^/gm, "  "));
    out.push({ runtime, text });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Report

interface Versions {
  date: string;
  machine: string;
  node: string;
  deno: string;
  bun: string;
  wrk: string;
  undici: string;
  commit: string;
}

async function versions(tools: Tools): Promise<Versions> {
  const cpu =
    (await capture(["bash", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"])) ?? "?";
  const cores = (await capture(["nproc"])) ?? "?";
  const mem = (await capture([
    "bash",
    "-c",
    "awk '/MemTotal/ {printf \"%.0f GiB\", $2/1048576}' /proc/meminfo",
  ])) ??
    "?";
  const kernel = (await capture(["uname", "-sr"])) ?? "?";
  let undici = "not installed";
  try {
    undici = (JSON.parse(await D.readTextFile(`${ROOT}/node_modules/undici/package.json`)) as {
      version: string;
    }).version;
  } catch {
    // not installed
  }
  const commit = (await capture(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])) ?? "";
  const dirty = (await capture(["git", "-C", ROOT, "status", "--porcelain"])) ?? "";
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    machine: `${cpu.trim()}, ${cores} cores, ${mem}, ${kernel}`,
    node: (await capture([tools.node, "--version"])) ?? "not found",
    deno: D.version.deno,
    bun: (await capture([tools.bun, "--version"])) ?? "not found",
    wrk: tools.wrk
      ? ((await capture([tools.wrk, "-v"])) ?? "").split("\n")[0].replace(/ Copyright.*/, "")
      : "not found",
    undici,
    commit: /^[0-9a-f]{4,}$/.test(commit)
      ? `${commit}${dirty ? " + uncommitted changes" : ""}`
      : "(no commit yet)",
  };
}

interface Report {
  options: Options;
  versions: Versions;
  server: ServerSection[];
  client: ClientSection | null;
  /** The same clients against a server faster than all of them (Bun.serve). */
  clientFast: ClientSection | null;
  memory: MemoryRow[] | null;
  parser: ParserOutput[] | null;
  seconds: number;
}

function renderMarkdown(r: Report): string {
  const o = r.options;
  const v = r.versions;
  const lines: string[] = [
    "# anyhttp benchmark results",
    "",
    `Written by \`deno run -A bench/run.ts${D.args.length ? " " + D.args.join(" ") : ""}\` ` +
    `on ${v.date} in ${fmt(r.seconds / 60)} min.`,
    "",
    `- machine: ${v.machine}`,
    `- Node ${v.node}, Deno ${v.deno}, Bun ${v.bun}, ${v.wrk}, undici ${v.undici}`,
    `- anyhttp: ${v.commit}`,
    `- server pinned to core ${SERVER_CORE}${pinning ? "" : " (taskset missing: not pinned)"}, ` +
    `load generator (wrk, client scripts, connection opener) pinned to core ${LOAD_CORE}`,
    "- ratios compare medians measured in this same run; CPU µs/req is the server process's " +
    "utime + stime (all threads, from /proc) divided by the requests wrk completed",
    "",
  ];
  if (o.quick) {
    lines.push("**Quick run** (`--quick`: 1 short run each): indicative only.", "");
  }
  if (r.server.length) {
    lines.push("## Servers", "");
    lines.push(
      "wrk -t1 on core 1 against each server on core 0. Issue anchors (this machine kind, quiet): " +
        "Node node:http ≈ 61k req/s and 15.9 µs CPU/req for hello world ×50; Deno node:http 0.82x, " +
        "Bun node:http 1.26x, Deno.serve 1.83x, Bun.serve 1.67x of Node's node:http.",
      "",
    );
    for (const s of r.server) {
      lines.push(
        `### ${s.load.title}`,
        "",
        `Median of ${s.load.runs} run${s.load.runs > 1 ? "s" : ""} of ${s.load.seconds} s.` +
          (s.load.note ? ` ${s.load.note}` : ""),
        "",
        serverTable(s),
        "",
      );
    }
  }
  if (r.client) {
    lines.push(
      "## Clients",
      "",
      `50 requests in flight against ${r.client.serverLabel} hello server (core ${SERVER_CORE}), ` +
        `client on core ${LOAD_CORE}; anyhttp and node:http with a keep-alive Agent (maxSockets 50), ` +
        "undici request() through an Agent with 50 connections, fetch as the runtime ships it. " +
        "Issue anchors: undici 1.43x and Bun's fetch 1.98x of Node's node:http client.",
      "",
      clientTable(r.client),
      "",
    );
  }
  if (r.clientFast) {
    lines.push(
      `### Clients against ${r.clientFast.serverLabel} (core ${SERVER_CORE})`,
      "",
      "The same clients against a hello server faster than any of them, so that each client's " +
        "own ceiling shows: against node:http the fastest clients all stop near that server's " +
        "limit.",
      "",
      clientTable(r.clientFast),
      "",
    );
  }
  if (r.memory) {
    lines.push(
      "## Memory",
      "",
      `Server RSS after start and one request, then while holding ${fmtInt(o.connections)} idle ` +
        "keep-alive connections (each sent one GET; raw node:net sockets from another process).",
      "",
      memoryTable(r.memory),
      "",
    );
  }
  if (r.parser) {
    lines.push("## Parser and server layer (bench/parser_bench.ts, bench/layer_bench.ts)", "");
    for (const p of r.parser) {
      lines.push(`### ${RUNTIME_LABEL[p.runtime]}`, "", "```", p.text, "```", "");
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------
// Main

/**
 * Compiles the repo with tsc (tsconfig.build.json: mod.ts, src/, bench/, …)
 * into `<tmp>/esm` for the Node leg. A private copy, so an `npm run build`
 * running meanwhile (it deletes npm/ first) cannot pull files from under a
 * running benchmark. `<tmp>/package.json` makes the output ESM and
 * `<tmp>/node_modules` links to the repo's, for `undici`.
 */
async function compileForNode(tools: Tools, tmp: string): Promise<void> {
  console.log("compiling for Node (tsc -p tsconfig.build.json into a private directory)…");
  await D.writeTextFile(`${tmp}/package.json`, '{ "type": "module", "private": true }\n');
  await run(["ln", "-s", `${ROOT}/node_modules`, `${tmp}/node_modules`], { timeoutMs: 10_000 });
  const res = await run([
    `${ROOT}/node_modules/typescript/bin/tsc`,
    "-p",
    `${ROOT}/tsconfig.build.json`,
    "--outDir",
    `${tmp}/esm`,
  ], { timeoutMs: 300_000 });
  tools.compiled = `${tmp}/esm`;
  if (res.code !== 0) {
    const errors = (res.stdout + res.stderr).split("\n").filter((l) => /error TS/.test(l));
    console.log(
      `  tsc reported ${errors.length} type errors (running what it emitted anyway), first:\n  ` +
        errors.slice(0, 3).join("\n  "),
    );
  }
}

async function main(): Promise<void> {
  const o = parseOptions(D.args);
  const started = performance.now();
  const tools = findTools();
  if (!(await capture(["bash", "-c", "command -v taskset"]))) {
    pinning = false;
    console.log("taskset not found: processes are not pinned to cores");
  }
  const tmp = await D.makeTempDir({ prefix: "anyhttp-bench-" });
  tmpDir = tmp;
  const needsNode = o.runtimes.includes("node") || o.sections.includes("client") ||
    o.sections.includes("memory");
  if (o.build && needsNode) await compileForNode(tools, tmp);
  if (o.sections.includes("server")) tools.wrk = await ensureWrk();
  else tools.wrk = (await capture(["bash", "-c", "command -v wrk"])) || null;
  const v = await versions(tools);
  console.log(
    `Node ${v.node}, Deno ${v.deno}, Bun ${v.bun}, ${v.wrk}, undici ${v.undici}; ${v.machine}`,
  );
  const report: Report = {
    options: o,
    versions: v,
    server: [],
    client: null,
    clientFast: null,
    memory: null,
    parser: null,
    seconds: 0,
  };
  try {
    if (o.sections.includes("server")) report.server = await serverBench(o, tools, tmp);
    if (o.sections.includes("client")) {
      report.client = await clientBench(o, tools, "node:http");
      if (o.runtimes.includes("bun")) report.clientFast = await clientBench(o, tools, "fast");
    }
    if (o.sections.includes("memory")) report.memory = await memoryBench(o, tools);
    if (o.sections.includes("parser")) report.parser = await parserBench(o, tools);
  } finally {
    cleanup();
  }
  report.seconds = (performance.now() - started) / 1000;
  const md = renderMarkdown(report);
  console.log("\n" + md);
  if (o.write) {
    // The hand-written findings at the end of the file (from FINDINGS_MARK on) are kept.
    let kept = "";
    try {
      const old = await D.readTextFile(`${ROOT}/bench/RESULTS.md`);
      const at = old.indexOf(FINDINGS_MARK);
      if (at >= 0) kept = old.slice(at);
    } catch {
      // no earlier file
    }
    await D.writeTextFile(`${ROOT}/bench/RESULTS.md`, kept ? `${md.trimEnd()}\n\n${kept}` : md);
    // Keep the file as `deno fmt` wants it (the repo's lint runs `deno fmt --check`).
    await run([tools.deno, "fmt", "--quiet", `${ROOT}/bench/RESULTS.md`], { timeoutMs: 60_000 });
    console.log(`wrote bench/RESULTS.md`);
  }
}

/** Where the hand-written part of RESULTS.md starts; `--write` keeps it. */
const FINDINGS_MARK = "<!-- findings: written by hand, kept by bench/run.ts --write -->";

let tmpDir: string | null = null;

/** Kills every child and removes the temporary directory. */
function cleanup(): void {
  killAll();
  if (tmpDir) {
    try {
      D.removeSync(tmpDir, { recursive: true });
    } catch {
      // already gone
    }
    tmpDir = null;
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  D.addSignalListener(signal, () => {
    cleanup();
    D.exit(130);
  });
}

try {
  await main();
} finally {
  cleanup();
}
