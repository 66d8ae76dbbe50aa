/**
 * Incremental HTTP/1.x parser for requests and responses (CONTRACT STUB:
 * the API below is fixed; the implementation is being written).
 *
 * @module
 */

/** Which side of the conversation the parser reads. */
export type ParserKind = "request" | "response";

/** Limits and leniency. */
export interface ParserOptions {
  /** Max bytes of start line + header lines (default 16384). Past it: HPE_HEADER_OVERFLOW. */
  maxHeaderSize?: number;
  /** Header pairs kept in `rawHeaders` (default 2000); extra pairs are parsed and dropped, as Node does. 0 = no limit. */
  maxHeadersCount?: number;
  /** Node's `insecureHTTPParser`: relax only what Node's lenient flags relax. */
  lenient?: boolean;
}

/** The head of a message, given to `onHeaders`. */
export interface MessageHead {
  versionMajor: number;
  versionMinor: number;
  /** `[name, value, name, value, ...]`, names as sent, values without OWS, bytes decoded latin1 (one char per byte). */
  rawHeaders: string[];
  /** Request method ("GET", ...); "" on responses. */
  method: string;
  /** Request target as sent; "" on responses. */
  url: string;
  /** Response status code; 0 on requests. */
  statusCode: number;
  /** Response reason phrase (latin1); "" on requests. */
  statusMessage: string;
  /**
   * Request: CONNECT, or an Upgrade header with an "upgrade" token in Connection.
   * Response: 101 with Upgrade. The owner decides with the return value of `onHeaders`.
   */
  upgrade: boolean;
  /** Whether the connection may carry another message after this one (llhttp's rules). */
  shouldKeepAlive: boolean;
}

/** What `onHeaders` answers. */
export const HEADERS_BODY = 0;
/** No body follows although the framing headers say so (response to HEAD, or to CONNECT that is not 2xx). */
export const HEADERS_SKIP_BODY = 1;
/** No body; stop parsing after the head: the rest of the bytes belong to another protocol. */
export const HEADERS_UPGRADE = 2;

/** Callbacks, called synchronously inside `execute()`/`finish()`. */
export interface ParserCallbacks {
  /** The head is complete. Return HEADERS_BODY, HEADERS_SKIP_BODY or HEADERS_UPGRADE. */
  onHeaders(head: MessageHead): number;
  /** A piece of body (de-chunked). A view into the input chunk: valid as long as the caller keeps that chunk. */
  onBody(chunk: Uint8Array): void;
  /** The message is complete. `rawTrailers` as rawHeaders (empty when none). */
  onComplete(rawTrailers: string[]): void;
}

/** A parse failure, carrying llhttp's code and reason as Node reports them. */
export class ParseError extends Error {
  /** `HPE_INVALID_METHOD`, `HPE_HEADER_OVERFLOW`, ... */
  code: string;
  /** llhttp's reason text, e.g. "Invalid method encountered". */
  reason: string;
  /** Bytes of the current `execute()` chunk consumed before the error. */
  bytesParsed: number;
  /** The chunk being parsed when the error happened. */
  rawPacket: Uint8Array | undefined;
  /** Creates the error; the message is `Parse Error: ${reason}` as in Node. */
  constructor(code: string, reason: string, bytesParsed = 0, rawPacket?: Uint8Array) {
    super(`Parse Error: ${reason}`);
    this.name = "Error";
    this.code = code;
    this.reason = reason;
    this.bytesParsed = bytesParsed;
    this.rawPacket = rawPacket;
  }
}

/** Incremental parser: feed bytes split anywhere; callbacks fire as messages are recognised. */
export class HTTPParser {
  /** Set once an error happened; `execute` then does nothing until `reset`. */
  error: ParseError | null = null;
  /** Set when a head was answered with HEADERS_UPGRADE: the bytes after it are not HTTP. */
  upgraded = false;

  /** Creates a parser of the given kind. */
  constructor(kind: ParserKind, callbacks: ParserCallbacks, options?: ParserOptions) {
    void kind;
    void callbacks;
    void options;
    throw new Error("HTTPParser: not implemented yet");
  }

  /**
   * Parse `data`. Returns the number of bytes consumed: all of them normally;
   * fewer after an upgrade (the rest is the upgrade `head`) or after `pause()`;
   * -1 on a parse error (see `error`).
   */
  execute(data: Uint8Array): number {
    void data;
    return -1;
  }

  /** The peer closed: completes a close-delimited body; returns an error if a message was cut short. */
  finish(): ParseError | null {
    return null;
  }

  /** Stop inside `execute()` after the current callback returns (it returns the bytes consumed so far). */
  pause(): void {}

  /** Allow parsing again after `pause()`. */
  resume(): void {}

  /** Start over for a new stream (or a new kind), clearing `error` and `upgraded`. */
  reset(kind?: ParserKind): void {
    void kind;
  }

  /** True between the first byte of a message and its completion. */
  get inMessage(): boolean {
    return false;
  }
}
