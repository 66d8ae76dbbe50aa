/**
 * Node-style coded errors.
 *
 * One factory per Node error code, named by the code. Each returns an instance
 * of the built-in class Node uses for that code (`TypeError`, `RangeError` or
 * `Error`) with an own enumerable `code`, Node 20's exact message, `name` equal
 * to the class name, `toString()` giving `TypeError [ERR_X]: message`, and (on
 * V8 runtimes) a stack whose first line shows the code as Node's does.
 *
 * Also: Node's system-error shapes (`uvException`, `exceptionWithHostPort`,
 * `dnsException`), `connResetException`, `AbortError`, and the small value
 * formatters Node's messages use (`describeReceived`, `inspectValue`).
 *
 * @module
 */

/** An error carrying Node's `code` property. */
export type CodedError<E extends Error = Error> = E & { code: string };

/** A Node system error (`errno` is libuv's negative number). */
export interface SystemError extends Error {
  /** e.g. `EADDRINUSE`. */
  code: string;
  /** libuv error number (negative), e.g. -98 for EADDRINUSE on Linux. */
  errno: number | undefined;
  /** e.g. `listen`, `connect`, `getaddrinfo`. */
  syscall: string;
  /** Address involved, when known. */
  address?: string;
  /** Port involved, when known and non-zero. */
  port?: number;
  /** Host name that failed to resolve (DNS errors). */
  hostname?: string;
}

// ---------------------------------------------------------------------------
// Error classes

type AnyErrorConstructor = ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor;

/** Puts the code into the stack header (`TypeError [ERR_X]: msg`) as Node's errors show it. */
function finish<E extends Error>(err: E, code: string, baseName: string): CodedError<E> {
  (err as unknown as { code: string }).code = code;
  // V8 formats `stack` lazily from `name` and `message`: format it now under
  // the coded name, then drop the own `name` so `err.name` is the class name.
  err.name = `${baseName} [${code}]`;
  void err.stack;
  delete (err as { name?: string }).name;
  return err as CodedError<E>;
}

function codedToString(this: Error & { code?: string }): string {
  return `${this.name} [${this.code}]: ${this.message}`;
}

class NodeError extends Error {}
class NodeTypeError extends TypeError {}
class NodeRangeError extends RangeError {}

function decorate(klass: { prototype: object }, base: AnyErrorConstructor): void {
  // Node's coded errors report the base class as their constructor (so
  // `err.constructor.name` is "TypeError") and print the code in toString().
  Object.defineProperty(klass.prototype, "constructor", {
    get: () => base,
    configurable: true,
    enumerable: false,
  });
  Object.defineProperty(klass.prototype, "toString", {
    value: codedToString,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
decorate(NodeError, Error);
decorate(NodeTypeError, TypeError);
decorate(NodeRangeError, RangeError);

function error(code: string, message: string): CodedError<Error> {
  return finish(new NodeError(message), code, "Error");
}

function typeError(code: string, message: string): CodedError<TypeError> {
  return finish(new NodeTypeError(message), code, "TypeError");
}

function rangeError(code: string, message: string): CodedError<RangeError> {
  return finish(new NodeRangeError(message), code, "RangeError");
}

/**
 * True for errors made by this module's code factories (or Node's own coded errors):
 * an object that is an Error and has a string `code`.
 *
 * @example
 * ```ts
 * isCodedError(ERR_HTTP_HEADERS_SENT("set")); // true
 * ```
 */
export function isCodedError(value: unknown): value is CodedError {
  return value instanceof Error && typeof (value as { code?: unknown }).code === "string";
}

// ---------------------------------------------------------------------------
// Value formatting (Node's determineSpecificType and a small util.inspect)

/**
 * Formats a list as Node's messages do: `a`, `a or b`, `a, b, or c`.
 *
 * @example
 * ```ts
 * formatList(["a", "b", "c"], "or"); // "a, b, or c"
 * ```
 */
export function formatList(items: readonly string[], conjunction = "and"): string {
  if (items.length < 3) return items.join(` ${conjunction} `);
  return `${items.slice(0, -1).join(", ")}, ${conjunction} ${items[items.length - 1]}`;
}

/**
 * Describes a value the way Node's `ERR_INVALID_ARG_TYPE` ends its message
 * (the text after `Received `).
 *
 * @example
 * ```ts
 * describeReceived(5); // "type number (5)"
 * describeReceived(null); // "null"
 * describeReceived(new Map()); // "an instance of Map"
 * ```
 */
export function describeReceived(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  switch (typeof value) {
    case "bigint":
      return `type bigint (${value}n)`;
    case "number":
      if (value === 0) return 1 / value === -Infinity ? "type number (-0)" : "type number (0)";
      return `type number (${value})`;
    case "boolean":
      return `type boolean (${value})`;
    case "symbol":
      return `type symbol (${String(value)})`;
    case "function":
      return `function ${(value as { name?: unknown }).name}`;
    case "object": {
      const ctor = (value as { constructor?: unknown }).constructor;
      if (ctor && (typeof ctor === "function" || typeof ctor === "object") && "name" in ctor) {
        return `an instance of ${(ctor as { name: unknown }).name}`;
      }
      return inspectValue(value, -1);
    }
    case "string": {
      let s = value as string;
      if (s.length > 28) s = `${s.slice(0, 25)}...`;
      return s.indexOf("'") === -1 ? `type string ('${s}')` : `type string (${JSON.stringify(s)})`;
    }
    default:
      return `type ${typeof value} (${String(value)})`;
  }
}

const ESCAPES: Record<number, string> = {
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0c: "\\f",
  0x0d: "\\r",
  0x5c: "\\\\",
};

function hex2(c: number): string {
  return (c < 16 ? "0" : "") + c.toString(16).toUpperCase();
}

/** util.inspect's string quoting: prefer ', then ", then `; escape control characters. */
function quoteString(s: string): string {
  let quote = "'";
  if (s.includes("'")) {
    if (!s.includes('"')) quote = '"';
    else if (!s.includes("`") && !s.includes("${")) quote = "`";
  }
  const q = quote.charCodeAt(0);
  let out = "";
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      rep = ESCAPES[c] ?? `\\x${hex2(c)}`;
    } else if (c === 0x5c) {
      rep = "\\\\";
    } else if (c === q) {
      rep = `\\${quote}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const isHigh = c <= 0xdbff;
      const paired = isHigh
        ? i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00
        : i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800;
      if (!paired) rep = `\\u${c.toString(16)}`;
    }
    if (rep !== undefined) {
      out += s.slice(last, i) + rep;
      last = i + 1;
    }
  }
  return quote + out + s.slice(last) + quote;
}

const IDENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
const BREAK_LENGTH = 80;

function formatPrimitive(value: unknown): string | undefined {
  switch (typeof value) {
    case "string": {
      const s = value as string;
      if (s.length > 10000) {
        return `${quoteString(s.slice(0, 10000))}... ${s.length - 10000} more characters`;
      }
      return quoteString(s);
    }
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return String(value);
  }
  if (value === null) return "null";
  return undefined;
}

function functionTag(fn: (...args: never[]) => unknown): string {
  const name = fn.name;
  let src = "";
  try {
    src = Function.prototype.toString.call(fn);
  } catch {
    // ignore
  }
  if (src.startsWith("class") && /^class\b/.test(src)) {
    return name ? `[class ${name}]` : "[class (anonymous)]";
  }
  const kind = src.startsWith("async") ? "AsyncFunction" : "Function";
  return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
}

interface InspectCtx {
  depth: number;
  indent: number;
  seen: object[];
}

/**
 * Lays arrays of more than six short entries out in aligned columns, as
 * util.inspect does (numbers right-aligned, anything else left-aligned).
 * Returns `entries` unchanged when grouping does not apply.
 */
function groupColumns(
  ctx: InspectCtx,
  entries: string[],
  source: ArrayLike<unknown>,
  hasMore: boolean,
): string[] {
  const count = hasMore ? entries.length - 1 : entries.length;
  let total = 0;
  let widest = 0;
  for (let i = 0; i < count; i++) {
    const len = entries[i].length;
    total += len + 2;
    if (len > widest) widest = len;
  }
  const cell = widest + 2;
  if (cell * 3 + ctx.indent >= BREAK_LENGTH || (total / cell <= 5 && widest > 6)) return entries;
  const bias = Math.sqrt(cell - total / entries.length);
  const biasedCell = Math.max(cell - 3 - bias, 1);
  const columns = Math.min(
    Math.round(Math.sqrt(2.5 * biasedCell * count) / biasedCell),
    Math.floor((BREAK_LENGTH - ctx.indent) / cell),
    12,
    15,
  );
  if (columns <= 1) return entries;
  const columnWidth: number[] = [];
  for (let c = 0; c < columns; c++) {
    let w = 0;
    for (let j = c; j < entries.length; j += columns) {
      if (j < count && entries[j].length > w) w = entries[j].length;
    }
    columnWidth.push(w + 2);
  }
  let numeric = true;
  for (let i = 0; i < entries.length; i++) {
    const t = typeof source[i];
    if (t !== "number" && t !== "bigint") {
      numeric = false;
      break;
    }
  }
  const rows: string[] = [];
  for (let i = 0; i < count; i += columns) {
    const end = Math.min(i + columns, count);
    let row = "";
    let j = i;
    for (; j < end - 1; j++) {
      const cellText = `${entries[j]}, `;
      row += numeric
        ? cellText.padStart(columnWidth[j - i], " ")
        : cellText.padEnd(columnWidth[j - i], " ");
    }
    row += numeric ? entries[j].padStart(columnWidth[j - i] - 2, " ") : entries[j];
    rows.push(row);
  }
  if (hasMore) rows.push(entries[entries.length - 1]);
  return rows;
}

function joinEntries(
  ctx: InspectCtx,
  open: string,
  close: string,
  entries: string[],
  singleLineAllowed: boolean,
): string {
  if (entries.length === 0) return `${open}${close}`;
  if (singleLineAllowed) {
    const start = entries.length + ctx.indent + open.length + 10;
    let total = entries.length + start;
    let fits = total + entries.length <= BREAK_LENGTH;
    if (fits) {
      for (const e of entries) {
        total += e.length;
        if (total > BREAK_LENGTH) {
          fits = false;
          break;
        }
      }
    }
    if (fits) {
      const joined = entries.join(", ");
      if (!joined.includes("\n")) return `${open} ${joined} ${close}`;
    }
  }
  const pad = `\n${" ".repeat(ctx.indent)}`;
  return `${open}${pad}  ${entries.join(`,${pad}  `)}${pad}${close}`;
}

function formatKey(key: string | symbol): string {
  if (typeof key === "symbol") return `[${String(key)}]`;
  return IDENT.test(key) ? key : quoteString(key);
}

function formatInner(value: unknown, ctx: InspectCtx, level: number): string {
  ctx.indent += 2;
  try {
    return formatAny(value, ctx, level);
  } finally {
    ctx.indent -= 2;
  }
}

const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

function formatAny(value: unknown, ctx: InspectCtx, level: number): string {
  const prim = formatPrimitive(value);
  if (prim !== undefined) return prim;
  if (typeof value === "function") return functionTag(value as (...args: never[]) => unknown);
  const obj = value as object;
  if (ctx.seen.includes(obj)) return "[Circular *1]";

  const proto = Object.getPrototypeOf(obj);
  const ctor = proto === null ? null : (proto.constructor as { name?: string } | undefined);
  const ctorName = ctor && typeof ctor.name === "string" ? ctor.name : "";

  if (obj instanceof Date) {
    return Number.isNaN(obj.getTime()) ? "Invalid Date" : obj.toISOString();
  }
  if (obj instanceof RegExp) return String(obj);
  if (obj instanceof Error) return obj.stack || `[${String(obj)}]`;
  if (ctorName === "Buffer" && obj instanceof Uint8Array) {
    const shown = Math.min(obj.length, 50);
    let s = "<Buffer";
    for (let i = 0; i < shown; i++) s += ` ${obj[i] < 16 ? "0" : ""}${obj[i].toString(16)}`;
    if (obj.length > shown) s += ` ... ${obj.length - shown} more bytes`;
    return `${s}>`;
  }

  const isArray = Array.isArray(obj);
  const isTyped = ArrayBuffer.isView(obj) && !(obj instanceof DataView);
  const isMap = obj instanceof Map;
  const isSet = obj instanceof Set;
  const listLike = isArray || isTyped;

  // `open` includes the prefix ("Foo {", "Map(1) {", "Uint8Array(2) ["), as util.inspect's braces.
  let open: string;
  let close = "}";
  let size = -1;
  let shortName: string;
  if (listLike) {
    size = (obj as ArrayLike<unknown>).length;
    const prefix = isArray && ctorName === "Array"
      ? ""
      : `${ctorName || "[Array: null prototype]"}(${size}) `;
    open = `${prefix}[`;
    close = "]";
    shortName = ctorName || "Array";
  } else if (isMap || isSet) {
    size = (obj as Map<unknown, unknown>).size;
    open = `${ctorName}(${size}) {`;
    shortName = ctorName;
  } else if (proto === null) {
    open = "[Object: null prototype] {";
    shortName = "[Object: null prototype]";
  } else {
    open = ctorName === "Object" || ctorName === "" ? "{" : `${ctorName} {`;
    shortName = ctorName || "Object";
  }

  const keys: (string | symbol)[] = [];
  for (const key of Object.keys(obj)) {
    if (!(listLike && INDEX_KEY.test(key))) keys.push(key);
  }
  for (const sym of Object.getOwnPropertySymbols(obj)) {
    if (Object.prototype.propertyIsEnumerable.call(obj, sym)) keys.push(sym);
  }
  if (keys.length === 0 && size <= 0) return `${open}${close}`;
  if (level > ctx.depth) {
    return shortName.startsWith("[") ? shortName : `[${shortName}]`;
  }

  ctx.seen.push(obj);
  let entries: string[] = [];
  let singleLineAllowed = true;
  try {
    if (listLike) {
      const arr = obj as ArrayLike<unknown>;
      const shown = Math.min(arr.length, 100);
      let holes = 0;
      for (let i = 0; i < shown; i++) {
        if (isArray && !(i in arr)) {
          holes++;
          continue;
        }
        if (holes > 0) {
          entries.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
          holes = 0;
        }
        entries.push(formatInner(arr[i], ctx, level + 1));
      }
      if (holes > 0) entries.push(`<${holes} empty item${holes > 1 ? "s" : ""}>`);
      const more = arr.length - shown;
      if (more > 0) entries.push(`... ${more} more item${more > 1 ? "s" : ""}`);
      if (entries.length > 6) {
        const grouped = groupColumns(ctx, entries, arr, more > 0);
        if (grouped !== entries) {
          entries = grouped;
          singleLineAllowed = false;
        }
      }
    } else if (isMap) {
      for (const [k, v] of obj as Map<unknown, unknown>) {
        entries.push(`${formatInner(k, ctx, level + 1)} => ${formatInner(v, ctx, level + 1)}`);
      }
    } else if (isSet) {
      for (const v of obj as Set<unknown>) entries.push(formatInner(v, ctx, level + 1));
    }
    for (const key of keys) {
      const desc = Object.getOwnPropertyDescriptor(obj, key);
      let shown: string;
      if (desc && (desc.get || desc.set)) {
        shown = desc.get ? (desc.set ? "[Getter/Setter]" : "[Getter]") : "[Setter]";
      } else {
        shown = formatInner((obj as Record<string | symbol, unknown>)[key], ctx, level + 1);
      }
      entries.push(`${formatKey(key)}: ${shown}`);
    }
  } finally {
    ctx.seen.pop();
  }
  return joinEntries(ctx, open, close, entries, singleLineAllowed);
}

/**
 * A compact `util.inspect` for error messages: exact for primitives (Node's
 * string quoting and escaping, `-0`, `1n`), close to Node for arrays, plain
 * objects, class instances, Maps, Sets, typed arrays, Dates, RegExps and
 * functions. `depth` is how many levels of nesting are expanded (Node's default 2).
 *
 * @example
 * ```ts
 * inspectValue("it's"); // "\"it's\""
 * inspectValue({ a: [1, 2] }); // "{ a: [ 1, 2 ] }"
 * ```
 */
export function inspectValue(value: unknown, depth = 2): string {
  return formatAny(value, { depth, indent: 0, seen: [] }, 0);
}

/** Node's addNumericalSeparator: `4294967297` -> `4_294_967_297`. */
function addNumericalSeparator(val: string): string {
  let res = "";
  let i = val.length;
  const start = val[0] === "-" ? 1 : 0;
  for (; i >= start + 4; i -= 3) res = `_${val.slice(i - 3, i)}${res}`;
  return `${val.slice(0, i)}${res}`;
}

// ---------------------------------------------------------------------------
// Code factories (alphabetical within groups)

/**
 * `ERR_HTTP_BODY_NOT_ALLOWED` (Error): content written for a HEAD response, 204, 304...
 *
 * @example
 * ```ts
 * throw ERR_HTTP_BODY_NOT_ALLOWED();
 * ```
 */
export function ERR_HTTP_BODY_NOT_ALLOWED(): CodedError<Error> {
  return error(
    "ERR_HTTP_BODY_NOT_ALLOWED",
    "Adding content for this request method or response status is not allowed.",
  );
}

/**
 * `ERR_HTTP_CONTENT_LENGTH_MISMATCH` (Error): body size differs from the Content-Length header.
 *
 * @example
 * ```ts
 * ERR_HTTP_CONTENT_LENGTH_MISMATCH(5, 3).message;
 * // "Response body's content-length of 5 byte(s) does not match the content-length of 3 byte(s) set in header"
 * ```
 */
export function ERR_HTTP_CONTENT_LENGTH_MISMATCH(
  bodyLength: number,
  contentLength: number,
): CodedError<Error> {
  return error(
    "ERR_HTTP_CONTENT_LENGTH_MISMATCH",
    `Response body's content-length of ${bodyLength} byte(s) does not match the content-length of ${contentLength} byte(s) set in header`,
  );
}

/**
 * `ERR_HTTP_HEADERS_SENT` (Error): `Cannot ${action} headers after they are sent to the client`.
 *
 * @example
 * ```ts
 * ERR_HTTP_HEADERS_SENT("set").message; // "Cannot set headers after they are sent to the client"
 * ```
 */
export function ERR_HTTP_HEADERS_SENT(action: string): CodedError<Error> {
  return error(
    "ERR_HTTP_HEADERS_SENT",
    `Cannot ${action} headers after they are sent to the client`,
  );
}

/**
 * `ERR_HTTP_INVALID_HEADER_VALUE` (TypeError): `Invalid value "${value}" for header "${name}"`.
 *
 * @example
 * ```ts
 * ERR_HTTP_INVALID_HEADER_VALUE(undefined, "foo").message; // 'Invalid value "undefined" for header "foo"'
 * ```
 */
export function ERR_HTTP_INVALID_HEADER_VALUE(value: unknown, name: string): CodedError<TypeError> {
  return typeError(
    "ERR_HTTP_INVALID_HEADER_VALUE",
    `Invalid value "${String(value)}" for header "${name}"`,
  );
}

/**
 * `ERR_HTTP_INVALID_STATUS_CODE` (RangeError): `Invalid status code: ${code}`.
 *
 * @example
 * ```ts
 * ERR_HTTP_INVALID_STATUS_CODE(99).message; // "Invalid status code: 99"
 * ```
 */
export function ERR_HTTP_INVALID_STATUS_CODE(code: unknown): CodedError<RangeError> {
  return rangeError("ERR_HTTP_INVALID_STATUS_CODE", `Invalid status code: ${formatPercentS(code)}`);
}

/**
 * `util.format("%s", value)` for the values a status code can be given as:
 * `-0` keeps its sign, plain objects and arrays are inspected one level deep,
 * anything else is `String(value)`.
 */
function formatPercentS(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value !== "object" || value === null) return String(value);
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value) || proto === Object.prototype || proto === null) {
    return inspectValue(value, 0);
  }
  return String(value);
}

/**
 * `ERR_HTTP_REQUEST_TIMEOUT` (Error): the server's `requestTimeout`/`headersTimeout` elapsed.
 *
 * @example
 * ```ts
 * ERR_HTTP_REQUEST_TIMEOUT().message; // "Request timeout"
 * ```
 */
export function ERR_HTTP_REQUEST_TIMEOUT(): CodedError<Error> {
  return error("ERR_HTTP_REQUEST_TIMEOUT", "Request timeout");
}

/**
 * `ERR_HTTP_SOCKET_ASSIGNED` (Error): `assignSocket` on a response that already has one.
 *
 * @example
 * ```ts
 * ERR_HTTP_SOCKET_ASSIGNED().message; // "ServerResponse has an already assigned socket"
 * ```
 */
export function ERR_HTTP_SOCKET_ASSIGNED(): CodedError<Error> {
  return error("ERR_HTTP_SOCKET_ASSIGNED", "ServerResponse has an already assigned socket");
}

/**
 * `ERR_HTTP_SOCKET_ENCODING` (Error): `socket.setEncoding()` on an HTTP socket.
 *
 * @example
 * ```ts
 * ERR_HTTP_SOCKET_ENCODING().code; // "ERR_HTTP_SOCKET_ENCODING"
 * ```
 */
export function ERR_HTTP_SOCKET_ENCODING(): CodedError<Error> {
  return error(
    "ERR_HTTP_SOCKET_ENCODING",
    "Changing the socket encoding is not allowed per RFC7230 Section 3.",
  );
}

/**
 * `ERR_HTTP_TRAILER_INVALID` (Error): trailers on a message that is not chunked.
 *
 * @example
 * ```ts
 * ERR_HTTP_TRAILER_INVALID().message; // "Trailers are invalid with this transfer encoding"
 * ```
 */
export function ERR_HTTP_TRAILER_INVALID(): CodedError<Error> {
  return error("ERR_HTTP_TRAILER_INVALID", "Trailers are invalid with this transfer encoding");
}

/**
 * `ERR_INVALID_ARG_TYPE` (TypeError), with Node's full wording of the expected
 * types and the received value.
 *
 * `name` ending in " argument" is used as is; a name containing "." is called a property.
 *
 * @example
 * ```ts
 * ERR_INVALID_ARG_TYPE("name", "string", 5).message;
 * // 'The "name" argument must be of type string. Received type number (5)'
 * ERR_INVALID_ARG_TYPE("chunk", ["string", "Buffer", "Uint8Array"], null).message;
 * // 'The "chunk" argument must be of type string or an instance of Buffer or Uint8Array. Received null'
 * ```
 */
export function ERR_INVALID_ARG_TYPE(
  name: string,
  expected: string | readonly string[],
  actual: unknown,
): CodedError<TypeError> {
  const list = typeof expected === "string" ? [expected] : expected;
  let msg = "The ";
  if (name.endsWith(" argument")) msg += `${name} `;
  else msg += `"${name}" ${name.includes(".") ? "property" : "argument"} `;
  msg += "must be ";

  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of list) {
    if (PRIMITIVE_TYPE_NAMES.includes(value)) types.push(value.toLowerCase());
    else if (CLASS_NAME.test(value)) instances.push(value);
    else other.push(value);
  }
  if (instances.length > 0) {
    const pos = types.indexOf("object");
    if (pos !== -1) {
      types.splice(pos, 1);
      instances.push("Object");
    }
  }
  if (types.length > 0) {
    msg += `${types.length > 1 ? "one of type" : "of type"} ${formatList(types, "or")}`;
    if (instances.length > 0 || other.length > 0) msg += " or ";
  }
  if (instances.length > 0) {
    msg += `an instance of ${formatList(instances, "or")}`;
    if (other.length > 0) msg += " or ";
  }
  if (other.length > 0) {
    if (other.length > 1) {
      msg += `one of ${formatList(other, "or")}`;
    } else {
      if (other[0].toLowerCase() !== other[0]) msg += "an ";
      msg += other[0];
    }
  }
  msg += `. Received ${describeReceived(actual)}`;
  return typeError("ERR_INVALID_ARG_TYPE", msg);
}

const PRIMITIVE_TYPE_NAMES: readonly string[] = [
  "string",
  "function",
  "number",
  "object",
  "Function",
  "Object",
  "boolean",
  "bigint",
  "symbol",
];
const CLASS_NAME = /^([A-Z][a-z0-9]*)+$/;

/**
 * `ERR_INVALID_ARG_VALUE` (TypeError): `The argument 'x' is invalid. Received <inspected>`.
 *
 * @example
 * ```ts
 * ERR_INVALID_ARG_VALUE("options.method", 5).message;
 * // "The property 'options.method' is invalid. Received 5"
 * ```
 */
export function ERR_INVALID_ARG_VALUE(
  name: string,
  value: unknown,
  reason = "is invalid",
): CodedError<TypeError> {
  let inspected = inspectValue(value);
  if (inspected.length > 128) inspected = `${inspected.slice(0, 128)}...`;
  const kind = name.includes(".") ? "property" : "argument";
  return typeError(
    "ERR_INVALID_ARG_VALUE",
    `The ${kind} '${name}' ${reason}. Received ${inspected}`,
  );
}

/**
 * `ERR_INVALID_CHAR` (TypeError): `Invalid character in ${name}` plus ` ["${field}"]` when given.
 *
 * @example
 * ```ts
 * ERR_INVALID_CHAR("header content", "x-foo").message; // 'Invalid character in header content ["x-foo"]'
 * ```
 */
export function ERR_INVALID_CHAR(name: string, field?: string): CodedError<TypeError> {
  let msg = `Invalid character in ${name}`;
  if (field !== undefined) msg += ` ["${field}"]`;
  return typeError("ERR_INVALID_CHAR", msg);
}

/**
 * `ERR_INVALID_HTTP_TOKEN` (TypeError): `${label} must be a valid HTTP token ["${name}"]`.
 *
 * @example
 * ```ts
 * ERR_INVALID_HTTP_TOKEN("Header name", "x y").message; // 'Header name must be a valid HTTP token ["x y"]'
 * ```
 */
export function ERR_INVALID_HTTP_TOKEN(label: string, name: string): CodedError<TypeError> {
  return typeError(
    "ERR_INVALID_HTTP_TOKEN",
    `${label} must be a valid HTTP token ["${String(name)}"]`,
  );
}

/**
 * `ERR_INVALID_IP_ADDRESS` (TypeError): `Invalid IP address: ${ip}`.
 *
 * @example
 * ```ts
 * ERR_INVALID_IP_ADDRESS("1.2").message; // "Invalid IP address: 1.2"
 * ```
 */
export function ERR_INVALID_IP_ADDRESS(ip: string): CodedError<TypeError> {
  return typeError("ERR_INVALID_IP_ADDRESS", `Invalid IP address: ${ip}`);
}

/**
 * `ERR_INVALID_PROTOCOL` (TypeError): `Protocol "${protocol}" not supported. Expected "${expected}"`.
 *
 * @example
 * ```ts
 * ERR_INVALID_PROTOCOL("https:", "http:").message; // 'Protocol "https:" not supported. Expected "http:"'
 * ```
 */
export function ERR_INVALID_PROTOCOL(protocol: string, expected: string): CodedError<TypeError> {
  return typeError(
    "ERR_INVALID_PROTOCOL",
    `Protocol "${protocol}" not supported. Expected "${expected}"`,
  );
}

/**
 * `ERR_INVALID_STATE` (Error): `Invalid state: ${message}`.
 *
 * @example
 * ```ts
 * ERR_INVALID_STATE("closed").message; // "Invalid state: closed"
 * ```
 */
export function ERR_INVALID_STATE(message: string): CodedError<Error> {
  return error("ERR_INVALID_STATE", `Invalid state: ${message}`);
}

/**
 * `ERR_INVALID_URL` (TypeError): "Invalid URL", with `input` (and `base` when given) properties.
 *
 * @example
 * ```ts
 * const e = ERR_INVALID_URL("http://[");
 * e.message; // "Invalid URL"
 * e.input; // "http://["
 * ```
 */
export function ERR_INVALID_URL(
  input: string,
  base?: string,
): CodedError<TypeError> & { input: string; base?: string } {
  const err = new NodeTypeError("Invalid URL") as TypeError & { input: string; base?: string };
  (err as unknown as { code: string }).code = "ERR_INVALID_URL";
  err.input = input;
  if (base != null) err.base = base;
  return finish(err, "ERR_INVALID_URL", "TypeError") as
    & CodedError<TypeError>
    & { input: string; base?: string };
}

/**
 * `ERR_METHOD_NOT_IMPLEMENTED` (Error): `The ${method} method is not implemented`.
 *
 * @example
 * ```ts
 * ERR_METHOD_NOT_IMPLEMENTED("_write()").message; // "The _write() method is not implemented"
 * ```
 */
export function ERR_METHOD_NOT_IMPLEMENTED(method: string): CodedError<Error> {
  return error("ERR_METHOD_NOT_IMPLEMENTED", `The ${method} method is not implemented`);
}

/**
 * `ERR_MISSING_ARGS` (TypeError): `The "a", "b", and "c" arguments must be specified`.
 * An array argument means "one of these": `The "a" or "b" argument must be specified`.
 *
 * @example
 * ```ts
 * ERR_MISSING_ARGS("name").message; // 'The "name" argument must be specified'
 * ```
 */
export function ERR_MISSING_ARGS(...args: (string | readonly string[])[]): CodedError<TypeError> {
  const wrap = (a: string): string => `"${a}"`;
  const names = args.map((a) => (typeof a === "string" ? wrap(a) : a.map(wrap).join(" or ")));
  let msg = "The ";
  switch (names.length) {
    case 1:
      msg += `${names[0]} argument`;
      break;
    case 2:
      msg += `${names[0]} and ${names[1]} arguments`;
      break;
    default:
      msg += `${names.slice(0, -1).join(", ")}, and ${names[names.length - 1]} arguments`;
  }
  return typeError("ERR_MISSING_ARGS", `${msg} must be specified`);
}

/**
 * `ERR_MULTIPLE_CALLBACK` (Error): "Callback called multiple times".
 *
 * @example
 * ```ts
 * ERR_MULTIPLE_CALLBACK().code; // "ERR_MULTIPLE_CALLBACK"
 * ```
 */
export function ERR_MULTIPLE_CALLBACK(): CodedError<Error> {
  return error("ERR_MULTIPLE_CALLBACK", "Callback called multiple times");
}

/**
 * `ERR_OUT_OF_RANGE` (RangeError): `The value of "${name}" is out of range. It must be ${range}. Received ${input}`.
 * With `replaceDefaultBoolean`, `name` replaces the whole first sentence.
 *
 * @example
 * ```ts
 * ERR_OUT_OF_RANGE("timeout", ">= 0", -1).message;
 * // 'The value of "timeout" is out of range. It must be >= 0. Received -1'
 * ```
 */
export function ERR_OUT_OF_RANGE(
  name: string,
  range: string,
  input: unknown,
  replaceDefaultBoolean = false,
): CodedError<RangeError> {
  let msg = replaceDefaultBoolean ? name : `The value of "${name}" is out of range.`;
  let received: string;
  if (Number.isInteger(input) && Math.abs(input as number) > 2 ** 32) {
    received = addNumericalSeparator(String(input));
  } else if (typeof input === "bigint") {
    received = String(input);
    if (input > 2n ** 32n || input < -(2n ** 32n)) received = addNumericalSeparator(received);
    received += "n";
  } else {
    received = inspectValue(input);
  }
  msg += ` It must be ${range}. Received ${received}`;
  return rangeError("ERR_OUT_OF_RANGE", msg);
}

/**
 * `ERR_SERVER_ALREADY_LISTEN` (Error): `listen()` called twice.
 *
 * @example
 * ```ts
 * ERR_SERVER_ALREADY_LISTEN().message; // "Listen method has been called more than once without closing."
 * ```
 */
export function ERR_SERVER_ALREADY_LISTEN(): CodedError<Error> {
  return error(
    "ERR_SERVER_ALREADY_LISTEN",
    "Listen method has been called more than once without closing.",
  );
}

/**
 * `ERR_SERVER_NOT_RUNNING` (Error): `close()` on a server that is not listening.
 *
 * @example
 * ```ts
 * ERR_SERVER_NOT_RUNNING().message; // "Server is not running."
 * ```
 */
export function ERR_SERVER_NOT_RUNNING(): CodedError<Error> {
  return error("ERR_SERVER_NOT_RUNNING", "Server is not running.");
}

/**
 * `ERR_SOCKET_BAD_PORT` (RangeError): `${name} should be >= 0 and < 65536. Received ${described}.`
 * (`> 0` when `allowZero` is false).
 *
 * @example
 * ```ts
 * ERR_SOCKET_BAD_PORT("options.port", 99999).message;
 * // "options.port should be >= 0 and < 65536. Received type number (99999)."
 * ```
 */
export function ERR_SOCKET_BAD_PORT(
  name: string,
  port: unknown,
  allowZero = true,
): CodedError<RangeError> {
  const op = allowZero ? ">=" : ">";
  return rangeError(
    "ERR_SOCKET_BAD_PORT",
    `${name} should be ${op} 0 and < 65536. Received ${describeReceived(port)}.`,
  );
}

/**
 * `ERR_SOCKET_CLOSED` (Error): "Socket is closed".
 *
 * @example
 * ```ts
 * ERR_SOCKET_CLOSED().message; // "Socket is closed"
 * ```
 */
export function ERR_SOCKET_CLOSED(): CodedError<Error> {
  return error("ERR_SOCKET_CLOSED", "Socket is closed");
}

/**
 * `ERR_SOCKET_CLOSED_BEFORE_CONNECTION` (Error).
 *
 * @example
 * ```ts
 * ERR_SOCKET_CLOSED_BEFORE_CONNECTION().message; // "Socket closed before the connection was established"
 * ```
 */
export function ERR_SOCKET_CLOSED_BEFORE_CONNECTION(): CodedError<Error> {
  return error(
    "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
    "Socket closed before the connection was established",
  );
}

/**
 * `ERR_SOCKET_CONNECTION_TIMEOUT` (Error): "Socket connection timeout".
 *
 * @example
 * ```ts
 * ERR_SOCKET_CONNECTION_TIMEOUT().message; // "Socket connection timeout"
 * ```
 */
export function ERR_SOCKET_CONNECTION_TIMEOUT(): CodedError<Error> {
  return error("ERR_SOCKET_CONNECTION_TIMEOUT", "Socket connection timeout");
}

/**
 * `ERR_STREAM_ALREADY_FINISHED` (Error): `Cannot call ${method} after a stream was finished`.
 *
 * @example
 * ```ts
 * ERR_STREAM_ALREADY_FINISHED("end").message; // "Cannot call end after a stream was finished"
 * ```
 */
export function ERR_STREAM_ALREADY_FINISHED(method: string): CodedError<Error> {
  return error("ERR_STREAM_ALREADY_FINISHED", `Cannot call ${method} after a stream was finished`);
}

/**
 * `ERR_STREAM_CANNOT_PIPE` (Error): "Cannot pipe, not readable".
 *
 * @example
 * ```ts
 * ERR_STREAM_CANNOT_PIPE().message; // "Cannot pipe, not readable"
 * ```
 */
export function ERR_STREAM_CANNOT_PIPE(): CodedError<Error> {
  return error("ERR_STREAM_CANNOT_PIPE", "Cannot pipe, not readable");
}

/**
 * `ERR_STREAM_DESTROYED` (Error): `Cannot call ${method} after a stream was destroyed`.
 *
 * @example
 * ```ts
 * ERR_STREAM_DESTROYED("write").message; // "Cannot call write after a stream was destroyed"
 * ```
 */
export function ERR_STREAM_DESTROYED(method: string): CodedError<Error> {
  return error("ERR_STREAM_DESTROYED", `Cannot call ${method} after a stream was destroyed`);
}

/**
 * `ERR_STREAM_NULL_VALUES` (TypeError): "May not write null values to stream".
 *
 * @example
 * ```ts
 * ERR_STREAM_NULL_VALUES().message; // "May not write null values to stream"
 * ```
 */
export function ERR_STREAM_NULL_VALUES(): CodedError<TypeError> {
  return typeError("ERR_STREAM_NULL_VALUES", "May not write null values to stream");
}

/**
 * `ERR_STREAM_PREMATURE_CLOSE` (Error): "Premature close".
 *
 * @example
 * ```ts
 * ERR_STREAM_PREMATURE_CLOSE().message; // "Premature close"
 * ```
 */
export function ERR_STREAM_PREMATURE_CLOSE(): CodedError<Error> {
  return error("ERR_STREAM_PREMATURE_CLOSE", "Premature close");
}

/**
 * `ERR_STREAM_PUSH_AFTER_EOF` (Error): "stream.push() after EOF".
 *
 * @example
 * ```ts
 * ERR_STREAM_PUSH_AFTER_EOF().message; // "stream.push() after EOF"
 * ```
 */
export function ERR_STREAM_PUSH_AFTER_EOF(): CodedError<Error> {
  return error("ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF");
}

/**
 * `ERR_STREAM_WRITE_AFTER_END` (Error): "write after end".
 *
 * @example
 * ```ts
 * ERR_STREAM_WRITE_AFTER_END().message; // "write after end"
 * ```
 */
export function ERR_STREAM_WRITE_AFTER_END(): CodedError<Error> {
  return error("ERR_STREAM_WRITE_AFTER_END", "write after end");
}

/**
 * `ERR_UNESCAPED_CHARACTERS` (TypeError): `${name} contains unescaped characters`.
 *
 * @example
 * ```ts
 * ERR_UNESCAPED_CHARACTERS("Request path").message; // "Request path contains unescaped characters"
 * ```
 */
export function ERR_UNESCAPED_CHARACTERS(name: string): CodedError<TypeError> {
  return typeError("ERR_UNESCAPED_CHARACTERS", `${name} contains unescaped characters`);
}

/**
 * `ERR_UNKNOWN_ENCODING` (TypeError): `Unknown encoding: ${encoding}`.
 *
 * @example
 * ```ts
 * ERR_UNKNOWN_ENCODING("foo").message; // "Unknown encoding: foo"
 * ```
 */
export function ERR_UNKNOWN_ENCODING(encoding: unknown): CodedError<TypeError> {
  return typeError("ERR_UNKNOWN_ENCODING", `Unknown encoding: ${String(encoding)}`);
}

// ---------------------------------------------------------------------------
// System-ish errors

/**
 * Node's `ConnResetException`: a plain Error with `code: 'ECONNRESET'`, e.g.
 * the client's `socket hang up` or the server's `aborted`.
 *
 * @example
 * ```ts
 * const e = connResetException("socket hang up");
 * e.message; // "socket hang up"
 * e.code; // "ECONNRESET"
 * ```
 */
export function connResetException(message: string): CodedError<Error> {
  const err = new Error(message) as CodedError<Error>;
  err.code = "ECONNRESET";
  return err;
}

/**
 * Node's `AbortError`: name `AbortError`, code `ABORT_ERR`, default message
 * "The operation was aborted", optional `{ cause }`.
 *
 * @example
 * ```ts
 * const e = new AbortError(undefined, { cause: signal.reason });
 * ```
 */
export class AbortError extends Error {
  /** Always `ABORT_ERR`. */
  code: string;
  /** Creates the error; `options.cause` becomes `err.cause`. */
  constructor(message: string = "The operation was aborted", options?: { cause?: unknown }) {
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw ERR_INVALID_ARG_TYPE("options", "Object", options);
    }
    super(message, options as ErrorOptions | undefined);
    this.code = "ABORT_ERR";
    this.name = "AbortError";
  }
}

/**
 * Makes an `AbortError`, with `cause` when one is given (e.g. `signal.reason`).
 *
 * @example
 * ```ts
 * abortError().message; // "The operation was aborted"
 * ```
 */
export function abortError(cause?: unknown): AbortError {
  return cause === undefined ? new AbortError() : new AbortError(undefined, { cause });
}

/** libuv error numbers: [linux, darwin, windows] and the description. */
const UV_ERRORS: Record<string, [number, number, number, string]> = {
  EACCES: [-13, -13, -4092, "permission denied"],
  EADDRINUSE: [-98, -48, -4091, "address already in use"],
  EADDRNOTAVAIL: [-99, -49, -4090, "address not available"],
  ECANCELED: [-125, -89, -4081, "operation canceled"],
  ECONNABORTED: [-103, -53, -4079, "software caused connection abort"],
  ECONNREFUSED: [-111, -61, -4078, "connection refused"],
  ECONNRESET: [-104, -54, -4077, "connection reset by peer"],
  EHOSTUNREACH: [-113, -65, -4073, "host is unreachable"],
  EINVAL: [-22, -22, -4071, "invalid argument"],
  ENETUNREACH: [-101, -51, -4062, "network is unreachable"],
  ENOENT: [-2, -2, -4058, "no such file or directory"],
  ENOTCONN: [-107, -57, -4053, "socket is not connected"],
  EPERM: [-1, -1, -4048, "operation not permitted"],
  EPIPE: [-32, -32, -4047, "broken pipe"],
  ETIMEDOUT: [-110, -60, -4039, "connection timed out"],
  EOF: [-4095, -4095, -4095, "end of file"],
  EAI_AGAIN: [-3001, -3001, -3001, "temporary failure"],
  EAI_FAIL: [-3004, -3004, -3004, "permanent failure"],
  EAI_NODATA: [-3007, -3007, -3007, "no address"],
  EAI_NONAME: [-3008, -3008, -3008, "unknown node or service"],
};

interface DenoLike {
  build?: { os?: string };
}
interface ProcessLike {
  platform?: string;
}

let platformIndex = -1;
function platformColumn(): number {
  if (platformIndex !== -1) return platformIndex;
  const g = globalThis as unknown as { Deno?: DenoLike; process?: ProcessLike };
  const os = g.Deno?.build?.os ?? g.process?.platform ?? "linux";
  platformIndex = os === "darwin" ? 1 : os === "windows" || os === "win32" ? 2 : 0;
  return platformIndex;
}

/**
 * The libuv error number Node reports for a code on this platform (`undefined` if unknown).
 *
 * @example
 * ```ts
 * uvErrno("EADDRINUSE"); // -98 on Linux, -48 on macOS, -4091 on Windows
 * ```
 */
export function uvErrno(code: string): number | undefined {
  const row = UV_ERRORS[code];
  return row ? (row[platformColumn()] as number) : undefined;
}

/**
 * libuv's description of a code ("address already in use"), or "unknown error".
 *
 * @example
 * ```ts
 * uvErrorMessage("ECONNREFUSED"); // "connection refused"
 * ```
 */
export function uvErrorMessage(code: string): string {
  return UV_ERRORS[code]?.[3] ?? "unknown error";
}

/** Fields of a system error. */
export interface SystemErrorInit {
  /** e.g. `EADDRINUSE`. */
  code: string;
  /** libuv number; looked up from `code` when omitted. */
  errno?: number;
  /** e.g. `listen`. */
  syscall: string;
  /** Address involved. */
  address?: string;
  /** Port involved (shown and set only when non-zero). */
  port?: number;
}

function details(address: string | undefined, port: number | undefined): string {
  if (port && port > 0) return ` ${address}:${port}`;
  if (address) return ` ${address}`;
  return "";
}

/**
 * Node's `UVExceptionWithHostPort` shape, used for `listen` failures:
 * message `listen EADDRINUSE: address already in use 127.0.0.1:8080`, own
 * properties `code`, `errno`, `syscall`, `address` and (when non-zero) `port`.
 *
 * @example
 * ```ts
 * uvException({ code: "EADDRINUSE", syscall: "listen", address: "::", port: 80 }).message;
 * // "listen EADDRINUSE: address already in use :::80"
 * ```
 */
export function uvException(init: SystemErrorInit): SystemError {
  const { code, syscall, address, port } = init;
  const err = new Error(
    `${syscall} ${code}: ${uvErrorMessage(code)}${details(address, port)}`,
  ) as SystemError;
  err.code = code;
  err.errno = init.errno ?? uvErrno(code);
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

/**
 * Node's `ExceptionWithHostPort` shape, used for `connect` failures:
 * message `connect ECONNREFUSED 127.0.0.1:8080` (no description), own
 * properties `errno`, `code`, `syscall`, `address` and (when non-zero) `port`.
 *
 * @example
 * ```ts
 * exceptionWithHostPort({ code: "ECONNREFUSED", syscall: "connect", address: "127.0.0.1", port: 1 }).message;
 * // "connect ECONNREFUSED 127.0.0.1:1"
 * ```
 */
export function exceptionWithHostPort(
  init: SystemErrorInit & { additional?: string },
): SystemError {
  const { code, syscall, address, port } = init;
  let text = details(address, port);
  if (init.additional) text += ` - Local (${init.additional})`;
  const err = new Error(`${syscall} ${code}${text}`) as SystemError;
  err.errno = init.errno ?? uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  err.address = address;
  if (port) err.port = port;
  return err;
}

/**
 * Node's `DNSException` shape: message `getaddrinfo ENOTFOUND example.invalid`,
 * own properties `errno`, `code`, `syscall` and `hostname`. `ENOTFOUND` gets
 * libuv's EAI_NONAME number as Node reports it.
 *
 * @example
 * ```ts
 * dnsException("ENOTFOUND", "getaddrinfo", "nope.invalid").message;
 * // "getaddrinfo ENOTFOUND nope.invalid"
 * ```
 */
export function dnsException(code: string, syscall: string, hostname?: string): SystemError {
  const err = new Error(`${syscall} ${code}${hostname ? ` ${hostname}` : ""}`) as SystemError;
  err.errno = code === "ENOTFOUND" ? uvErrno("EAI_NONAME") : uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  if (hostname) err.hostname = hostname;
  return err;
}
