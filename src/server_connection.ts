/**
 * One server-side HTTP connection: parses requests, emits them on the server,
 * answers them strictly in order, enforces keep-alive and timeouts, and hands
 * the socket over on upgrade/CONNECT (Node's `connectionListener` and friends
 * in `lib/_http_server.js`).
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Duplex } from "node:stream";
import type { Transport, TransportHandler } from "./transport/transport.ts";
import {
  HEADERS_BODY,
  HEADERS_UPGRADE,
  HTTPParser,
  type MessageHead,
  ParseError,
} from "./core/parser.ts";
import { MAX_HEADER_SIZE } from "./core/constants.ts";
import {
  connResetException,
  ERR_HTTP_REQUEST_TIMEOUT,
  ERR_HTTP_SOCKET_ENCODING,
} from "./core/errors.ts";
import { attachConsumer, detachConsumer, Socket } from "./socket.ts";
import type { IncomingMessage, ReadRequester } from "./incoming_message.ts";
import type { OutgoingMessage, OutgoingOwner } from "./outgoing_message.ts";
import type { ServerResponse, ServerResponseOptions } from "./server_response.ts";
import type { Server } from "./server.ts";
import { nextTick, nextTickWith } from "./next_tick.ts";
import { loopNow } from "./clock.ts";
import { insecureParserDefault } from "./process_options.ts";

/** Extra ms added to `keepAliveTimeout` when the server's `keepAliveTimeoutBuffer` is unusable. */
const KEEP_ALIVE_TIMEOUT_BUFFER = 1000;
const continueExpression = /(?:^|\W)100-continue(?:$|\W)/i;

const RESPONSES: Record<string, string> = {
  HPE_HEADER_OVERFLOW: "HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n",
  HPE_CHUNK_EXTENSIONS_OVERFLOW: "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n\r\n",
  ERR_HTTP_REQUEST_TIMEOUT: "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n",
};
const BAD_REQUEST = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n";

/** The socket as the HTTP layer decorates it (Node's fields). */
export type HttpSocket = Duplex & {
  server?: Server;
  _httpMessage?: ServerResponse | null;
  setTimeout?: (ms: number, cb?: () => void) => unknown;
  destroySoon?: () => void;
  writableHighWaterMark?: number;
};

function asBuffer(u8: Uint8Array): Buffer {
  return Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);
}

const noop = (): void => {};
/** Where a socket served over HTTP points back at its connection (for the shared listeners). */
const kConnection: unique symbol = Symbol("anyhttp.serverConnection");
type ConnectedSocket = { [kConnection]?: ServerConnection };
// Listeners shared by every connection (an emitter calls them with the socket as `this`).
function onTimeoutShared(this: ConnectedSocket): void {
  this[kConnection]?.onSocketTimeout();
}
function onSocketErrorShared(this: ConnectedSocket, e: Error): void {
  this[kConnection]?.onSocketError(e);
}
const emitCloseOf = (res: ServerResponse): void => res._emitClose();
const refuseEncoding = (): never => {
  throw ERR_HTTP_SOCKET_ENCODING();
};

/** Per-connection state; installed by the server's 'connection' listener. */
export class ServerConnection implements TransportHandler, ReadRequester, OutgoingOwner {
  /** The server this connection belongs to. */
  readonly server: Server;
  /** The user-visible socket (our `Socket` or any Duplex). */
  readonly socket: HttpSocket;
  /** Where the bytes go. */
  readonly transport: Transport;
  /** Request parser; null after upgrade/close. */
  parser: HTTPParser | null;
  /** Requests whose responses have not finished, oldest first. */
  incoming: IncomingMessage[] = [];
  /** Responses waiting for their turn. */
  outgoing: ServerResponse[] = [];
  /** The response writing to the connection now. */
  current: ServerResponse | null = null;
  /** The last request parsed (its body may still be arriving). */
  req: IncomingMessage | null = null;
  /** Bytes queued in responses waiting for their turn. */
  outgoingData = 0;
  /** Requests seen (for `maxRequestsPerSocket`). */
  requestsCount = 0;
  /** The keep-alive idle timeout is armed on the socket. */
  keepAliveTimeoutSet = false;
  /** `loopNow()` when the message being received started; 0 when between messages. */
  messageStart = 0;
  /** The head of the message being received is complete. */
  headersCompleted = false;
  /** The connection is closed. */
  closed = false;

  private reqPaused = false;
  private outPaused = false;
  private readingPaused = false;
  private leftover: Uint8Array | null = null;
  private errored = false;
  private detached = false;
  private ended = false;
  private executing = false;
  /**
   * While a chunk is parsed: the response that had ended before the chunk or
   * before its last body callback. Node's parser runs the next-tick queue after
   * each body callback (and between reads), so such a response has finished
   * and let go of the socket when a parse error follows; one that ended in the
   * same pass without a body callback after it is still the socket's message.
   */
  private settled: ServerResponse | null = null;
  private inChunk = false;
  /** Body bytes were handed to the request in the current parse pass. */
  private bodyInPass = false;
  /** Trailers of a completion waiting for the next-tick queue (see `onComplete`). */
  private heldTrailers: string[] | null = null;
  private readonly releaseBound = (): void => this.releaseComplete();
  /** A message that ends the connection was received: bytes after it are not parsed. */
  private lastMessage = false;
  private closeAfterMessage = false;
  private upgradeReq: IncomingMessage | null = null;
  private hwm: number;
  /** The options every response of this connection is made with. */
  private resOptions: ServerResponseOptions;
  private readonly onSocketErrorBound: (e: Error) => void = onSocketErrorShared;
  private readonly onTimeoutBound: () => void = onTimeoutShared;

  /** Takes over `socket` for HTTP. */
  constructor(server: Server, socket: Duplex) {
    this.server = server;
    const s = socket as HttpSocket;
    this.socket = s;
    s.server = server;
    this.hwm = typeof s.writableHighWaterMark === "number" ? s.writableHighWaterMark : 16384;
    this.resOptions = {
      highWaterMark: this.hwm,
      rejectNonStandardBodyWrites: server.rejectNonStandardBodyWrites,
    };
    if (server.timeout && typeof s.setTimeout === "function") s.setTimeout(server.timeout);
    (s as ConnectedSocket)[kConnection] = this;
    s.on("timeout", this.onTimeoutBound);
    s.on("error", this.onSocketErrorBound);
    (s as unknown as { setEncoding: () => never }).setEncoding = refuseEncoding;
    // The connection itself is the parser's callbacks object (no closures per connection).
    this.parser = new HTTPParser("request", this, {
      maxHeaderSize: server.maxHeaderSize || MAX_HEADER_SIZE,
      maxHeadersCount: typeof server.maxHeadersCount === "number"
        ? server.maxHeadersCount
        : undefined,
      lenient: server.insecureHTTPParser ?? insecureParserDefault(),
    });
    server._connections_.add(this);
    // As Node: a fresh connection counts as receiving a message, so one that
    // never sends a byte still meets headersTimeout.
    this.messageStart = loopNow();
    this.transport = attachConsumer(socket, this);
  }

  // ------------------------------------------------------ transport events

  /** Bytes from the peer. */
  onData(chunk: Uint8Array): void {
    if (this.errored) {
      // Node's parser stays failed: every later chunk reports the error again
      // ('clientError' with that chunk as rawPacket) while the socket lives.
      const prev = this.parser?.error;
      // (Not while our canned answer is on its way: that socket is closing.)
      if (prev && !this.ended && !this.detached && !this.closed && !this.socket.destroyed) {
        const err = new ParseError(prev.code, prev.reason, 0, chunk);
        this.prepareError(err, chunk);
        this.errored = false;
        this.onSocketError(err);
      }
      return;
    }
    if (this.detached || this.closed || this.lastMessage) return;
    if (this.outPaused || this.leftover !== null) {
      this.leftover = this.leftover === null ? chunk : concat(this.leftover, chunk);
      return;
    }
    this.execute(chunk);
  }

  private execute(chunk: Uint8Array): void {
    const parser = this.parser;
    if (parser === null) return;
    if (this.messageStart === 0) this.messageStart = loopNow();
    const cur = this.current;
    this.settled = cur !== null && cur.finished ? cur : null;
    this.bodyInPass = false;
    this.executing = true;
    let ret: number;
    try {
      ret = parser.execute(chunk);
    } finally {
      this.executing = false;
    }
    if (ret < 0 || parser.error) {
      const err = parser.error as ParseError;
      this.prepareError(err, chunk);
      this.inChunk = true;
      try {
        this.onSocketError(err);
      } finally {
        this.inChunk = false;
      }
      return;
    }
    if (this.upgradeReq !== null) {
      this.doUpgrade(chunk, ret);
      return;
    }
    if (ret < chunk.byteLength && !this.lastMessage) {
      const rest = chunk.subarray(ret);
      this.leftover = this.leftover === null ? rest : concat(rest, this.leftover);
    }
    if (parser.inMessage) {
      if (this.messageStart === 0) this.messageStart = loopNow();
    } else if (!this.headersCompleted) {
      this.messageStart = 0;
    }
  }

  /** The peer half-closed. */
  onEnd(): void {
    if (this.detached || this.closed) return;
    const parser = this.parser;
    const err = parser ? parser.finish() : null;
    if (err) {
      this.prepareError(err, null);
      this.onSocketError(err);
      return;
    }
    if (!this.server.httpAllowHalfOpen) {
      this.endSocket();
    } else if (this.outgoing.length) {
      this.outgoing[this.outgoing.length - 1]._last = true;
    } else if (this.current) {
      this.current._last = true;
    } else {
      this.endSocket();
    }
  }

  /** The transport can take more bytes. */
  onDrain(): void {
    if (this.detached) return;
    this.checkResume();
    const msg = this.current;
    if (msg) msg._onDrain();
  }

  /** The connection is gone. */
  onClose(_error: Error | null): void {
    if (this.closed || this.detached) return;
    this.closed = true;
    this.server._connections_.delete(this);
    this.parser = null;
    this.leftover = null;
    const incoming = this.incoming;
    this.incoming = [];
    const reqs = incoming.slice();
    if (this.req && !reqs.includes(this.req) && !this.req.complete) reqs.push(this.req);
    for (const req of reqs) req.destroy(connResetException("aborted"));
    const res = this.current;
    if (res) {
      res._failQueued(_error, true);
      res._emitClose();
    }
  }

  // -------------------------------------------------------- parser events

  /** @internal Parser callback: a request head is complete. */
  onHeaders(head: MessageHead): number {
    const server = this.server;
    const socket = this.socket;
    this.headersCompleted = true;
    const Incoming = server._IncomingMessage;
    const req = new Incoming(socket);
    req.httpVersionMajor = head.versionMajor;
    req.httpVersionMinor = head.versionMinor;
    req.httpVersion = head.versionMajor === 1
      ? (head.versionMinor === 1 ? "1.1" : "1.0")
      : `${head.versionMajor}.${head.versionMinor}`;
    req.joinDuplicateHeaders = !!server.joinDuplicateHeaders;
    req.url = head.url;
    req.method = head.method;
    req.upgrade = head.upgrade;
    req.rawHeaders = head.rawHeaders;
    const limit = (this.parser as HTTPParser).headerEntriesLimit;
    if (limit !== 0 && head.rawHeaders.length > limit) req._headersCount = limit;
    req._reader = this;
    this.req = req;

    this.resetSocketTimeout();

    if (head.upgrade) {
      req.upgrade = head.method === "CONNECT" || shouldUpgrade(server, req);
      if (req.upgrade) {
        this.upgradeReq = req;
        return HEADERS_UPGRADE;
      }
    }

    this.incoming.push(req);

    if (
      !this.outPaused &&
      (this.transport.writableNeedDrain || this.outgoingData >= this.hwm)
    ) {
      this.outPaused = true;
      this.parser?.pause();
      this.updateReading();
    }

    const Response = server._ServerResponse;
    let resOptions = this.resOptions;
    if (resOptions.rejectNonStandardBodyWrites !== server.rejectNonStandardBodyWrites) {
      resOptions = this.resOptions = {
        highWaterMark: this.hwm,
        rejectNonStandardBodyWrites: server.rejectNonStandardBodyWrites,
      };
    }
    const res = new Response(req, resOptions);
    res._keepAliveTimeout = server.keepAliveTimeout;
    res._maxRequestsPerSocket = server.maxRequestsPerSocket;
    res._owner = this;
    // HTTP/1.0 with Transfer-Encoding is faulty framing (RFC 9112 6.1): close after it.
    res.shouldKeepAlive = head.shouldKeepAlive &&
      !(head.versionMinor === 0 && head.transferEncoding);
    if (!res.shouldKeepAlive) this.closeAfterMessage = true;
    res._uniqueHeaders = server._uniqueHeaders;

    if (this.current) this.outgoing.push(res);
    else this.assign(res);

    if (
      server.optimizeEmptyRequests &&
      (head.method === "HEAD" ||
        (!head.transferEncoding && !hasField(head.rawHeaders, "content-length")))
    ) {
      req._startEnded();
    }

    let handled = false;
    if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1) {
      // The parser noted Host and Expect: req.headers stays lazy for the handler.
      const raw = head.rawHeaders;
      if (server.requireHostHeader && !head.host) {
        // The connection closes once this 400 is out. Node still parses what
        // was sent behind it (and runs handlers whose answers never go out);
        // here nothing after a refused request reaches a handler.
        this.closeAfterMessage = true;
        res.writeHead(400, ["Connection", "close"]);
        res.end();
        return HEADERS_BODY;
      }
      const limit = server.maxRequestsPerSocket;
      const limitSet = typeof limit === "number" && limit > 0;
      if (limitSet) {
        this.requestsCount++;
        res.maxRequestsOnConnectionReached = limit <= this.requestsCount;
      }
      if (limitSet && limit < this.requestsCount) {
        handled = true;
        server.emit("dropRequest", req, socket);
        res.writeHead(503);
        res.end();
      } else if (head.expect) {
        handled = true;
        if (continueExpression.test(joinedField(raw, "expect"))) {
          res._expect_continue = true;
          if (server.listenerCount("checkContinue") > 0) {
            server.emit("checkContinue", req, res);
          } else {
            res.writeContinue();
            server.emit("request", req, res);
          }
        } else if (server.listenerCount("checkExpectation") > 0) {
          server.emit("checkExpectation", req, res);
        } else {
          res.writeHead(417);
          res.end();
        }
      }
    }
    if (!handled) server.emit("request", req, res);
    return HEADERS_BODY;
  }

  /** @internal Parser callback: body bytes. */
  onBody(chunk: Uint8Array): void {
    const cur = this.current;
    if (cur !== null && cur.finished) this.settled = cur;
    this.bodyInPass = true;
    const req = this.req;
    if (req === null || req._dumped) return;
    if (!req.push(asBuffer(chunk))) {
      if (!this.reqPaused) {
        this.reqPaused = true;
        this.updateReading();
      }
    }
  }

  /** @internal Parser callback: the request is complete. */
  onComplete(rawTrailers: string[]): void {
    this.messageStart = 0;
    this.headersCompleted = false;
    if (this.closeAfterMessage) {
      // The connection ends with this message: whatever follows is not served.
      this.lastMessage = true;
      this.leftover = null;
      this.parser?.pause();
    }
    if (this.bodyInPass && this.parser !== null) {
      // Node's parser binding runs the next-tick queue after each body
      // callback, so the request ends (and a message after it starts) only once
      // what was queued until now has run: say a finished response's 'finish'
      // and 'close' come before the request's 'end' and the next 'request'.
      this.bodyInPass = false;
      this.heldTrailers = rawTrailers;
      this.parser.pause();
      queueMicrotask(this.releaseBound);
      return;
    }
    this.completeRequest(rawTrailers);
  }

  private completeRequest(rawTrailers: string[]): void {
    const req = this.req;
    if (req !== null && !req.complete) {
      req.complete = true;
      if (rawTrailers.length) req._addHeaderLines(rawTrailers, rawTrailers.length);
      req._pushEnd();
    }
    if (this.reqPaused) {
      this.reqPaused = false;
      this.updateReading();
    }
  }

  /** Completes a held request and parses on (after the next-tick queue ran). */
  private releaseComplete(): void {
    const trailers = this.heldTrailers;
    if (trailers === null) return;
    this.heldTrailers = null;
    if (this.closed || this.detached) return;
    this.completeRequest(trailers);
    if (this.lastMessage) return;
    this.resumeParsing();
  }

  // ------------------------------------------------------------ responses

  private assign(res: ServerResponse): void {
    this.socket._httpMessage = res;
    res.socket = this.socket as unknown as ServerResponse["socket"];
    res.emit("socket", this.socket);
    this.current = res;
    res._attach(this.socket, this.transport);
  }

  /** @internal A queued response's unsent bytes changed by `delta`. */
  pendingData(delta: number): void {
    this.outgoingData += delta;
    this.checkResume();
  }

  /** @internal A response finished (before its 'finish' listeners run, as Node's `resOnFinish`). */
  messageFinished(msg: OutgoingMessage): void {
    const res = msg as ServerResponse;
    this.resOnFinish(res.req, res);
  }

  private resOnFinish(req: IncomingMessage, res: ServerResponse): void {
    const incoming = this.incoming;
    if (incoming[0] === req) incoming.shift();
    else {
      const i = incoming.indexOf(req);
      if (i >= 0) incoming.splice(i, 1);
    }
    if (!req._consuming && !req._resumeScheduled) req._dump();
    if (this.socket._httpMessage === res) this.socket._httpMessage = null;
    if (this.current === res) this.current = null;
    // Done with both: an idle keep-alive connection holds on to neither.
    if (this.req === req && req.complete) this.req = null;
    res._detach();
    nextTickWith(emitCloseOf, res);
    if (this.closed) return;
    if (this.detached) {
      // As Node: responses queued before an upgrade hand-off still go out in
      // turn on the handed-off socket.
      if (!res._last && this.outgoing.length > 0 && !this.socket.destroyed) {
        this.assign(this.outgoing.shift() as ServerResponse);
      }
      return;
    }

    if (res._last) {
      const s = this.socket;
      if (typeof s.destroySoon === "function") s.destroySoon();
      else s.end();
      this.ended = true;
    } else if (this.outgoing.length === 0) {
      const server = this.server;
      if (server.keepAliveTimeout && typeof this.socket.setTimeout === "function") {
        const extra = server.keepAliveTimeoutBuffer;
        this.socket.setTimeout(
          server.keepAliveTimeout +
            (typeof extra === "number" && extra >= 0 ? extra : KEEP_ALIVE_TIMEOUT_BUFFER),
        );
        this.keepAliveTimeoutSet = true;
      }
    } else {
      const next = this.outgoing.shift() as ServerResponse;
      this.assign(next);
    }
  }

  private resetSocketTimeout(): void {
    if (!this.keepAliveTimeoutSet) return;
    if (typeof this.socket.setTimeout === "function") {
      this.socket.setTimeout(this.server.timeout || 0);
    }
    this.keepAliveTimeoutSet = false;
  }

  // -------------------------------------------------------- flow control

  /** @internal The request's consumer wants more body: resume reading. */
  readRequested(req: IncomingMessage): void {
    if (this.req === req && this.reqPaused) {
      this.reqPaused = false;
      this.updateReading();
    }
  }

  private updateReading(): void {
    if (this.closed || this.detached) return;
    const pause = this.reqPaused || this.outPaused;
    if (pause === this.readingPaused) return;
    this.readingPaused = pause;
    const socket = this.socket;
    // Our Socket pauses as Node's does (socket.pause(): 'pause'/'resume' events).
    if (socket instanceof Socket) {
      if (pause) socket.pause();
      else socket.resume();
    } else if (pause) this.transport.pause();
    else this.transport.resume();
  }

  private checkResume(): void {
    if (!this.outPaused) return;
    if (this.outgoingData > this.hwm || this.transport.writableNeedDrain) return;
    this.outPaused = false;
    nextTick(() => this.resumeParsing());
  }

  private resumeParsing(): void {
    if (
      this.closed || this.detached || this.outPaused || this.executing ||
      this.heldTrailers !== null
    ) return;
    this.parser?.resume();
    this.updateReading();
    const rest = this.leftover;
    if (rest !== null) {
      this.leftover = null;
      this.execute(rest);
    }
  }

  // --------------------------------------------------------------- errors

  private prepareError(err: ParseError, chunk: Uint8Array | null): void {
    const raw = chunk ?? err.rawPacket;
    (err as unknown as { rawPacket: Buffer | undefined }).rawPacket = raw
      ? asBuffer(raw)
      : undefined;
    if (typeof err.reason === "string") err.message = `Parse Error: ${err.reason}`;
  }

  /** Node's `socketOnError`: 'clientError', or a canned answer and destroy. */
  onSocketError(e: Error): void {
    const socket = this.socket;
    if (this.errored) return;
    this.errored = true;
    socket.removeListener("error", this.onSocketErrorBound);
    if (socket.listenerCount("error") === 0) socket.on("error", noop);
    if (this.server.emit("clientError", e, socket)) return;
    const writable = !this.transport.destroyed && !this.ended && !this.closed;
    // A response that already ended has handed all its bytes to the transport
    // (Node has detached it by now), so the canned answer can follow it; not
    // one ended in the same parse pass with no body callback since (Node's is
    // still the socket's message then: the socket is only destroyed), nor one
    // that closes the connection (Node has ended the socket after it).
    const cur = this.current;
    if (
      writable &&
      (!cur || !cur._headerSent ||
        (cur.finished && !cur._last && (!this.inChunk || this.settled === cur)))
    ) {
      const code = (e as { code?: string }).code ?? "";
      const text = RESPONSES[code] ?? BAD_REQUEST;
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      this.destroyWhenFlushed(e, (done) => {
        this.transport.write(bytes, done);
        // Nothing may follow the canned answer (Node destroys the socket at
        // once): a response still pending finds the socket no longer writable.
        if (!socket.destroyed) socket.end();
      });
      return;
    }
    if (writable && cur !== null && cur.finished && this.transport.writableLength > 0) {
      // An answer that ended is in the kernel on Node by now (its socket writes
      // synchronously); where the transport still holds some of it (Deno, Bun),
      // it goes out before the socket is destroyed.
      this.destroyWhenFlushed(e, (done) => socket.end(done));
      return;
    }
    socket.destroy(e);
  }

  /**
   * Ends the connection with `e`: `flush(done)` sends what must still go out
   * and calls `done`, which destroys the socket; 1 s at most, so a peer that
   * does not read cannot keep it open.
   */
  private destroyWhenFlushed(e: Error, flush: (done: () => void) => void): void {
    const socket = this.socket;
    this.ended = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      socket.destroy(e);
    };
    flush(done);
    if (!socket.destroyed && !this.transport.destroyed) timer = setTimeout(done, 1000);
  }

  /** The checker found the request too slow (headersTimeout/requestTimeout). */
  onRequestTimeout(): void {
    this.messageStart = 0;
    this.onSocketError(ERR_HTTP_REQUEST_TIMEOUT());
  }

  /** @internal The socket's idle timeout fired. */
  onSocketTimeout(): void {
    const socket = this.socket;
    const req = this.req;
    const reqTimeout = req !== null && !req.complete && req.emit("timeout", socket);
    const res = this.current;
    const resTimeout = res !== null && res.emit("timeout", socket);
    const serverTimeout = this.server.emit("timeout", socket);
    if (!reqTimeout && !resTimeout && !serverTimeout) socket.destroy();
  }

  private endSocket(): void {
    this.ended = true;
    this.socket.end();
  }

  // -------------------------------------------------------------- upgrade

  private doUpgrade(chunk: Uint8Array, consumed: number): void {
    const req = this.upgradeReq as IncomingMessage;
    this.upgradeReq = null;
    const socket = this.socket;
    this.detached = true;
    this.server._connections_.delete(this);
    socket.removeListener("error", this.onSocketErrorBound);
    socket.removeListener("timeout", this.onTimeoutBound);
    delete (socket as unknown as { setEncoding?: unknown }).setEncoding;
    if (this.readingPaused) {
      this.readingPaused = false;
      if (socket instanceof Socket) socket.resume();
      else this.transport.resume();
    }
    detachConsumer(socket);
    this.parser = null;
    if (!req.complete) {
      req.complete = true;
      req._pushEnd();
    }
    const eventName = req.method === "CONNECT" ? "connect" : "upgrade";
    // An upgrade accepted by a `shouldUpgradeCallback` with nobody listening
    // for it loses its socket, as a CONNECT without a 'connect' listener does.
    if (this.server.listenerCount(eventName) > 0) {
      let head = chunk.subarray(consumed);
      if (this.leftover !== null) {
        head = concat(head, this.leftover);
        this.leftover = null;
      }
      (socket as unknown as { readableFlowing: boolean | null }).readableFlowing = null;
      this.server.emit(eventName, req, socket, asBuffer(head));
    } else {
      socket.destroy();
    }
  }

  // ------------------------------------------------------ server helpers

  /** No message is being received and the current response (if any) is done. */
  isIdle(): boolean {
    // (A message that began in the chunk being parsed has no start time yet,
    // but a handler of its head, say 'dropRequest', runs while it is received.)
    if (this.messageStart !== 0 || this.headersCompleted) return false;
    const res = this.socket._httpMessage;
    return !(res && !res.finished);
  }
}

/** The server's `shouldUpgradeCallback` verdict (its default when the property is not a function). */
function shouldUpgrade(server: Server, req: IncomingMessage): boolean {
  const decide = server.shouldUpgradeCallback;
  if (typeof decide !== "function") return server.listenerCount("upgrade") > 0;
  return !!decide.call(server, req);
}

/** Whether `rawHeaders` holds a field named `lowerName` (any case). */
function hasField(rawHeaders: readonly string[], lowerName: string): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i];
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) return true;
  }
  return false;
}

function joinedField(rawHeaders: readonly string[], lowerName: string): string {
  let out = "";
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i];
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) {
      out = out === "" ? rawHeaders[i + 1] : out + ", " + rawHeaders[i + 1];
    }
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
