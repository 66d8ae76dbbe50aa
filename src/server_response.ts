/**
 * `ServerResponse` (Node's `http.ServerResponse`): the response a server
 * writes for one request.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import { OutgoingMessage, type OutgoingMessageOptions } from "./outgoing_message.ts";
import type { IncomingMessage } from "./incoming_message.ts";
import type { Transport } from "./transport/transport.ts";
import type { HeadersInput, OutgoingHeaderValue } from "./core/serializer.ts";
import { STATUS_CODES } from "./core/constants.ts";
import { checkInvalidHeaderChar, validateHeaderName, validateHeaderValue } from "./core/headers.ts";
import {
  ERR_HTTP_HEADERS_SENT,
  ERR_HTTP_INVALID_STATUS_CODE,
  ERR_HTTP_SOCKET_ASSIGNED,
  ERR_INVALID_ARG_TYPE,
  ERR_INVALID_ARG_VALUE,
  ERR_INVALID_CHAR,
} from "./core/errors.ts";
import { attachConsumer } from "./socket.ts";

const encoder = new TextEncoder();
const CONTINUE = encoder.encode("HTTP/1.1 100 Continue\r\n\r\n");
const PROCESSING = encoder.encode("HTTP/1.1 102 Processing\r\n\r\n");
const chunkExpression = /(?:^|\W)chunked(?:$|\W)/i;
const linkValueRegExp = /^(?:<[^>]*>)(?:\s*;\s*[^;"\s]+(?:=(")?[^;"\s]*\1)?)*$/;
const LINK_FORMAT = 'must be an array or string of format "</styles.css>; rel=preload; as=style"';

function validateLinkFormat(value: unknown): void {
  // A CR or LF inside the <...> part would split the 103 head (newer Node refuses it).
  if (
    typeof value !== "string" || !linkValueRegExp.test(value) || checkInvalidHeaderChar(value)
  ) {
    throw ERR_INVALID_ARG_VALUE("hints", value, LINK_FORMAT);
  }
}

function linkHeaderValue(hints: unknown): string {
  if (typeof hints === "string") {
    validateLinkFormat(hints);
    return hints;
  }
  if (Array.isArray(hints)) {
    let out = "";
    for (let i = 0; i < hints.length; i++) {
      validateLinkFormat(hints[i]);
      out += (i === 0 ? "" : ", ") + hints[i];
    }
    return out;
  }
  throw ERR_INVALID_ARG_VALUE("hints", hints, LINK_FORMAT);
}

/** A fetch `Headers` as a header object (Set-Cookie lines kept apart, as a list). */
function headersToObject(h: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  h.forEach((value, name) => {
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  });
  return out;
}

/** True when the name at `arr[n]` (a rawHeaders-style list) already came at an earlier even index. */
function repeatsEarlier(arr: readonly unknown[], n: number): boolean {
  if (n === 0) return false;
  const name = String(arr[n]);
  let lower: string | null = null;
  for (let i = 0; i < n; i += 2) {
    const prev = arr[i];
    if (!prev) continue;
    const p = String(prev);
    if (p.length !== name.length) continue;
    if (p === name) return true;
    if (p.toLowerCase() === (lower ??= name.toLowerCase())) return true;
  }
  return false;
}

/** Status lines with their standard reason phrase, made once per code. */
const statusLines: (string | undefined)[] = [];

function statusLineOf(statusCode: number, reason: string): string {
  if (reason === STATUS_CODES[statusCode]) {
    return statusLines[statusCode] ??= `HTTP/1.1 ${statusCode} ${reason}\r\n`;
  }
  return `HTTP/1.1 ${statusCode} ${reason}\r\n`;
}

/** Options the server passes to the `ServerResponse` constructor. */
export interface ServerResponseOptions extends OutgoingMessageOptions {}

type HttpSocket = Duplex & { _httpMessage?: OutgoingMessage | null };

/**
 * The response to one request (Node's `http.ServerResponse`).
 *
 * @example
 * ```ts
 * import { createServer } from "../mod.ts";
 * createServer((req, res) => {
 *   res.writeHead(200, { "Content-Type": "text/plain" });
 *   res.end("ok");
 * });
 * ```
 */
export class ServerResponse extends OutgoingMessage {
  /** Status code sent with the implicit head (default 200). */
  statusCode: number = 200;
  /** Reason phrase; the standard one when unset. */
  statusMessage: string | undefined = undefined;
  /** The request this response answers. */
  req: IncomingMessage;
  /** `100 Continue` was written. */
  _sent100: boolean = false;
  /** The request carried `Expect: 100-continue`. */
  _expect_continue: boolean = false;

  /** Creates the response to `req`. */
  constructor(req: IncomingMessage, options?: ServerResponseOptions) {
    super(options);
    if (req.method === "HEAD") this._hasBody = false;
    this.req = req;
    this.sendDate = true;
    if ((req.httpVersionMajor ?? 1) < 1 || (req.httpVersionMinor ?? 1) < 1) {
      const te = req.headers.te;
      this.useChunkedEncodingByDefault = typeof te === "string" && chunkExpression.test(te);
      this.shouldKeepAlive = false;
    }
  }

  /**
   * Makes `socket` this response's connection (Node's `assignSocket`).
   * Throws `ERR_HTTP_SOCKET_ASSIGNED` when the socket serves another response.
   */
  assignSocket(socket: Duplex, transport?: Transport): void {
    const s = socket as HttpSocket;
    if (s._httpMessage) throw ERR_HTTP_SOCKET_ASSIGNED();
    s._httpMessage = this;
    const t = transport ?? attachConsumer(socket, {
      onData() {},
      onDrain: () => this._onDrain(),
      onEnd() {},
      onClose: () => this._emitClose(),
    });
    this.socket = socket as typeof this.socket;
    this._transport = t;
    this.emit("socket", socket);
    this._flush();
  }

  /** Lets go of `socket` (Node's `detachSocket`). */
  detachSocket(socket: Duplex): void {
    const s = socket as HttpSocket;
    if (s._httpMessage === this) s._httpMessage = null;
    this._detach();
  }

  /**
   * Writes `HTTP/1.1 100 Continue` now.
   *
   * @example
   * ```ts
   * server.on("checkContinue", (req, res) => { res.writeContinue(); req.pipe(sink); });
   * ```
   */
  writeContinue(cb?: (err?: Error | null) => void): void {
    const held = this._heldByTick();
    this._writeRaw(CONTINUE, cb);
    this._sent100 = true;
    // On the wire now, as Node (ahead of a 400 for a bad request pipelined behind).
    if (!held && this._corked === 0) this._flushOutput();
  }

  /** Writes `HTTP/1.1 102 Processing` now. */
  writeProcessing(cb?: (err?: Error | null) => void): void {
    const held = this._heldByTick();
    this._writeRaw(PROCESSING, cb);
    if (!held && this._corked === 0) this._flushOutput();
  }

  /**
   * Writes a `103 Early Hints` response with a `Link` header (string or list) and any other hints.
   *
   * @example
   * ```ts
   * res.writeEarlyHints({ link: "</styles.css>; rel=preload; as=style" });
   * ```
   */
  writeEarlyHints(
    hints: Record<string, string | string[]>,
    cb?: (err?: Error | null) => void,
  ): void {
    if (hints === null || typeof hints !== "object" || Array.isArray(hints)) {
      throw ERR_INVALID_ARG_TYPE("hints", "Object", hints);
    }
    if (hints.link === null || hints.link === undefined) return;
    const link = linkHeaderValue(hints.link);
    if (link.length === 0) return;
    let head = "HTTP/1.1 103 Early Hints\r\nLink: " + link + "\r\n";
    for (const key of Object.keys(hints)) {
      if (key === "link") continue;
      // Newer Node checks the other hints as it does any header (Node 20 wrote them as given).
      validateHeaderName(key);
      validateHeaderValue(key, hints[key]);
      head += key + ": " + hints[key] + "\r\n";
    }
    head += "\r\n";
    const held = this._heldByTick();
    this._writeRaw(Buffer.from(head, "latin1"), cb);
    if (!held && this._corked === 0) this._flushOutput();
  }

  /** Builds the head with the current `statusCode` (first write/end without `writeHead`). */
  override _implicitHeader(): void {
    this.writeHead(this.statusCode);
  }

  /**
   * Sets the status (and reason) and builds the head, merging `headers`
   * (object or flat `[name, value, ...]` array) with those set by `setHeader`.
   *
   * @example
   * ```ts
   * res.writeHead(404, "Nope", ["Content-Type", "text/plain"]).end("missing");
   * ```
   */
  writeHead(
    statusCode: number,
    reason?: string | HeadersInput | Headers | null,
    obj?: HeadersInput | Headers | null,
  ): this {
    if (this._header) throw ERR_HTTP_HEADERS_SENT("write");
    const original = statusCode;
    statusCode |= 0;
    if (statusCode < 100 || statusCode > 999) throw ERR_HTTP_INVALID_STATUS_CODE(original);

    if (typeof reason === "string") {
      this.statusMessage = reason;
    } else {
      if (!this.statusMessage) this.statusMessage = STATUS_CODES[statusCode] || "unknown";
      obj ??= reason;
    }
    this.statusCode = statusCode;
    // Newer Node takes a fetch `Headers` too (Node 20 saw no own keys in it).
    let given = obj as HeadersInput | null | undefined;
    if (obj && typeof Headers === "function" && obj instanceof Headers) {
      given = headersToObject(obj);
    }

    let headers: HeadersInput | null | undefined;
    if (this._outHeaders) {
      if (Array.isArray(given)) {
        const arr = given as readonly unknown[];
        if (arr.length % 2 !== 0) throw ERR_INVALID_ARG_VALUE("headers", given);
        // The list is in rawHeaders form: a name given again in it adds a line
        // (newer Node; Node 20 kept only its last value).
        for (let n = 0; n < arr.length; n += 2) {
          const k = arr[n] as string;
          if (!k) continue;
          if (repeatsEarlier(arr, n)) this.appendHeader(k, arr[n + 1] as OutgoingHeaderValue);
          else this.setHeader(k, arr[n + 1] as OutgoingHeaderValue);
        }
      } else if (given) {
        const rec = given as Record<string, OutgoingHeaderValue>;
        for (const k of Object.keys(rec)) {
          if (k) this.setHeader(k, rec[k]);
        }
      }
      headers = this._outHeaders;
    } else {
      headers = given;
    }

    if (checkInvalidHeaderChar(this.statusMessage)) throw ERR_INVALID_CHAR("statusMessage");

    const statusLine = statusLineOf(statusCode, this.statusMessage);
    if (statusCode === 204 || statusCode === 304 || (statusCode >= 100 && statusCode <= 199)) {
      this._hasBody = false;
    }
    if (this._expect_continue && !this._sent100) this.shouldKeepAlive = false;
    this._storeHeader(statusLine, headers);
    return this;
  }

  /** Alias of `writeHead` (legacy). */
  writeHeader(
    statusCode: number,
    reason?: string | HeadersInput | Headers | null,
    obj?: HeadersInput | Headers | null,
  ): this {
    return this.writeHead(statusCode, reason, obj);
  }
}
