/**
 * The project's test command (`npm test`): builds `npm/`, then runs `tests/`
 * under `deno test`, `bun test` and `node --test` (Node runs the compiled copy
 * in `npm/esm/tests/`, i.e. against the built package), prints each runtime's
 * counts and ends with one line `N passed, N failed` over all three.
 *
 * Options: `--only=deno,bun,node` to run some runtimes; any other argument is a
 * test file name filter (substring), e.g. `npm test -- parser`.
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const rootPath = decodeURIComponent(root.pathname);
const bin = (name: string) => `${rootPath}node_modules/.bin/${name}`;
/** A whole runtime's run may not take longer than this. */
const RUN_LIMIT_MS = 20 * 60 * 1000;

interface Counts {
  runtime: string;
  passed: number;
  failed: number;
  ok: boolean;
}

const args = Deno.args;
const only = args.find((a) => a.startsWith("--only="))?.slice(7).split(",") ??
  ["deno", "bun", "node"];
const filters = args.filter((a) => !a.startsWith("--"));

async function testFiles(dir: string, suffix: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(suffix)) {
      if (filters.length === 0 || filters.some((f) => e.name.includes(f))) {
        files.push(`${dir}/${e.name}`);
      }
    }
  }
  return files.sort();
}

async function run(runtime: string, cmd: string, cmdArgs: string[]): Promise<string> {
  console.log(`\n=== ${runtime}: ${[cmd.split("/").pop(), ...cmdArgs].join(" ")}`);
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: rootPath,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const timer = setTimeout(() => {
    console.error(`${runtime}: run exceeded ${RUN_LIMIT_MS / 1000}s, killing it`);
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, RUN_LIMIT_MS);
  const decoder = new TextDecoder();
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      await sink.write(chunk);
    }
  };
  await Promise.all([pump(child.stdout, Deno.stdout), pump(child.stderr, Deno.stderr)]);
  const status = await child.status;
  clearTimeout(timer);
  return text + `\n__exit_code=${status.code}\n`;
}

function lastNumber(text: string, re: RegExp): number | null {
  let m: RegExpExecArray | null;
  let value: number | null = null;
  const g = new RegExp(re.source, "gm");
  while ((m = g.exec(text)) !== null) value = Number(m[1]);
  return value;
}

function exitOk(text: string): boolean {
  return /__exit_code=0\n$/.test(text);
}

const results: Counts[] = [];

// Build first: Node's leg runs the compiled package; a build failure is a failure.
const build = await run("build", Deno.execPath(), ["run", "-A", "scripts/build_npm.ts"]);
if (!exitOk(build)) {
  console.log("\nbuild failed");
  console.log("0 passed, 1 failed");
  Deno.exit(1);
}

if (only.includes("deno")) {
  const files = await testFiles(`${rootPath}tests`, "_test.ts");
  const out = await run("deno", Deno.execPath(), ["test", "-A", "--no-check=remote", ...files]);
  // Deno counts describe() blocks as tests and their tests as steps: count both kinds of leaves.
  // deno-lint-ignore no-control-regex
  const plain = out.replace(/\x1b\[[0-9;]*m/g, "");
  const summary = plain.match(/^(?:ok|FAILED) \| .*$/gm)?.pop() ?? "";
  const num = (re: RegExp) => Number(summary.match(re)?.[1] ?? 0);
  const passed = num(/(\d+) passed/) + num(/passed \((\d+) steps?\)/);
  const failed = num(/(\d+) failed/) + num(/failed \((\d+) steps?\)/);
  results.push({ runtime: "deno", passed, failed, ok: exitOk(out) });
}

if (only.includes("bun")) {
  const files = await testFiles(`${rootPath}tests`, "_test.ts");
  const out = await run("bun", bin("bun"), ["test", "--timeout", "60000", ...files]);
  const passed = lastNumber(out, /^\s*(\d+) pass\s*$/) ?? 0;
  const failed = lastNumber(out, /^\s*(\d+) fail\s*$/) ?? 0;
  results.push({ runtime: "bun", passed, failed, ok: exitOk(out) });
}

if (only.includes("node")) {
  const npmOut = (Deno.env.get("NPM_OUT") ?? "npm").replace(/\/$/, "");
  const files = await testFiles(`${rootPath}${npmOut}/esm/tests`, "_test.js");
  const out = await run("node", "node", ["--test", "--test-reporter=spec", ...files]);
  const passed = lastNumber(out, /^ℹ pass (\d+)/) ?? 0;
  const failed = lastNumber(out, /^ℹ fail (\d+)/) ?? 0;
  results.push({ runtime: "node", passed, failed, ok: exitOk(out) });
}

console.log("\n=== summary");
let passed = 0;
let failed = 0;
for (const r of results) {
  // A runtime that exited non-zero without counting a failure (crash, timeout,
  // type-check error) still counts as one failure.
  const f = r.failed === 0 && !r.ok ? 1 : r.failed;
  console.log(
    `${r.runtime}: ${r.passed} passed, ${f} failed${r.ok ? "" : " (exit code non-zero)"}`,
  );
  passed += r.passed;
  failed += f;
}
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 && results.length > 0 ? 0 : 1);
