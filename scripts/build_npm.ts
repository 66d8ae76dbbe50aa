/**
 * Builds the npm package `anyhttp` into `npm/` with the TypeScript compiler,
 * doing what dnt would: ESM + `.d.ts` with `.ts` imports rewritten to `.js`,
 * a `package.json` with `exports`, README and LICENSE. Tests, benchmarks and
 * examples are compiled beside the package (under `npm/esm/`) so that Node runs
 * the same files against the built code; they are not part of the published files.
 *
 * Run: `deno run -A scripts/build_npm.ts` (or `npm run build`).
 *
 * @module
 */

const root = new URL("../", import.meta.url);
/** Output folder (default `npm/`); `NPM_OUT=dir/` builds elsewhere (parallel runs). */
const out = new URL((Deno.env.get("NPM_OUT") ?? "npm").replace(/\/?$/, "/"), root);

function path(url: URL): string {
  return decodeURIComponent(url.pathname);
}

const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", root))) as {
  version: string;
};

await Deno.remove(out, { recursive: true }).catch(() => {});
await Deno.mkdir(out, { recursive: true });

const tsc = new Deno.Command(path(new URL("node_modules/typescript/bin/tsc", root)), {
  args: ["-p", path(new URL("tsconfig.build.json", root)), "--outDir", path(new URL("esm", out))],
  cwd: path(root),
  stdout: "inherit",
  stderr: "inherit",
});
const { code } = await tsc.output();
if (code !== 0) {
  console.error("build_npm: tsc reported errors (see above)");
  Deno.exit(1);
}

// The entry point: the module namespace for `import`, and the node:http-shaped
// default object for `require()` (Node 20.19+, Deno and Bun honour the
// "module.exports" export name when a CommonJS caller requires ESM).
await Deno.writeTextFile(
  new URL("esm/index.js", out),
  [
    'export * from "./mod.js";',
    'import http from "./mod.js";',
    "export default http;",
    'export { http as "module.exports" };',
    "",
  ].join("\n"),
);
await Deno.writeTextFile(
  new URL("esm/index.d.ts", out),
  ['export * from "./mod.js";', 'import http from "./mod.js";', "export default http;", ""].join(
    "\n",
  ),
);

const pkg = {
  name: "anyhttp",
  version: denoJson.version,
  description:
    "Node.js's http module written from scratch in TypeScript: the same behaviour on Node, Deno and Bun, over any byte stream.",
  license: "MIT",
  type: "module",
  main: "./esm/index.js",
  types: "./esm/index.d.ts",
  exports: {
    ".": {
      types: "./esm/index.d.ts",
      default: "./esm/index.js",
    },
    "./package.json": "./package.json",
  },
  files: ["esm/index.js", "esm/index.d.ts", "esm/mod.js", "esm/mod.d.ts", "esm/src/"],
  engines: { node: ">=20.19" },
  keywords: ["http", "server", "client", "node:http", "deno", "bun"],
  sideEffects: false,
};
await Deno.writeTextFile(new URL("package.json", out), JSON.stringify(pkg, null, 2) + "\n");
for (const f of ["README.md", "LICENSE"]) {
  await Deno.copyFile(new URL(f, root), new URL(f, out));
}
// Let `import "anyhttp"` resolve from inside npm/ (tests and examples that use the package name).
await Deno.mkdir(new URL("node_modules/", out), { recursive: true });
await Deno.symlink("..", path(new URL("node_modules/anyhttp", out)), { type: "dir" }).catch(
  (err: unknown) => {
    if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
  },
);
console.log(`build_npm: npm/ built (anyhttp@${denoJson.version})`);
