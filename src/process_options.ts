/**
 * Process-wide settings Node's `http` takes from the command line and the
 * environment: `--insecure-http-parser` (in `execArgv` or `NODE_OPTIONS`) as
 * the default of `insecureHTTPParser`, and the warning Node prints once when
 * `NODE_DEBUG` enables `http` logging. Each is read once; a runtime that does
 * not allow reading them (Deno without env access) counts as "not set".
 *
 * @module
 */

import process from "node:process";

interface DenoPermissions {
  permissions?: { querySync?(d: { name: "env"; variable: string }): { state: string } };
}

function readEnv(name: string): string {
  try {
    // Deno would prompt for (or refuse) env access it was not given: ask first.
    const perms = (globalThis as { Deno?: DenoPermissions }).Deno?.permissions;
    if (perms?.querySync && perms.querySync({ name: "env", variable: name }).state !== "granted") {
      return "";
    }
    return process.env[name] ?? "";
  } catch {
    return "";
  }
}

let insecureDefault: boolean | undefined;

/**
 * True when the process was started with `--insecure-http-parser` (Node's
 * default for servers and requests that leave `insecureHTTPParser` unset).
 *
 * @example
 * ```ts
 * const lenient = options.insecureHTTPParser ?? insecureParserDefault();
 * ```
 */
export function insecureParserDefault(): boolean {
  if (insecureDefault === undefined) {
    let argv: string[] = [];
    try {
      argv = Array.isArray(process.execArgv) ? process.execArgv : [];
    } catch {
      argv = [];
    }
    const flag = "--insecure-http-parser";
    insecureDefault = argv.includes(flag) || readEnv("NODE_OPTIONS").split(/\s+/).includes(flag);
  }
  return insecureDefault;
}

let debugChecked = false;

/**
 * Emits, once per process, Node's warning that `NODE_DEBUG=http` may log
 * sensitive data, when `NODE_DEBUG` names `http` (comma list, `*` wildcards,
 * any case).
 *
 * @example
 * ```ts
 * warnIfHttpDebug(); // from a server or request constructor
 * ```
 */
export function warnIfHttpDebug(): void {
  if (debugChecked) return;
  debugChecked = true;
  const names = readEnv("NODE_DEBUG");
  if (names === "") return;
  const enabled = names.split(",").some((n) => {
    const pattern = n.trim().replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replace(/\*/g, ".*");
    return pattern !== "" && new RegExp(`^${pattern}$`, "i").test("http");
  });
  if (enabled) {
    process.emitWarning(
      "Setting the NODE_DEBUG environment variable to 'http' can expose sensitive data " +
        "(such as passwords, tokens and authentication headers) in the resulting log.",
    );
  }
}
