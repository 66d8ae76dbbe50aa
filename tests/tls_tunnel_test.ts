/**
 * TLS over anyhttp's sockets: the runtime's `tls` wraps them as any stream,
 * so HTTPS through a CONNECT proxy works on both ends (a client's
 * `tls.connect({ socket })` after 'connect', a proxy that terminates TLS on
 * the socket its 'connect' event hands over).
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as net from "node:net";
import * as tls from "node:tls";
import type { Duplex } from "node:stream";
import { createServer, request } from "../mod.ts";
import type { IncomingMessage } from "../src/incoming_message.ts";
import { findTestData, listen, stop } from "./server_util.ts";

function pem(name: string): string {
  const path = findTestData(`fixtures/${name}`);
  if (path === null) throw new Error(`fixtures/${name} not found`);
  return readFileSync(path, "latin1");
}

/** Sends CONNECT through the proxy; resolves with TLS's answer over the tunnel. */
function throughTunnel(proxyPort: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({
      port: proxyPort,
      host: "127.0.0.1",
      method: "CONNECT",
      path: "localhost:443",
      agent: false,
    });
    req.on("connect", (res: IncomingMessage, socket: Duplex) => {
      assert.equal(res.statusCode, 200);
      const secure = tls.connect({
        socket,
        servername: "localhost",
        ca: pem("localhost_cert.pem"),
      });
      let text = "";
      secure.setEncoding("latin1");
      secure.on("data", (d: string) => text += d);
      secure.on("end", () => {
        secure.destroy();
        socket.destroy();
        resolve(text);
      });
      secure.on("error", reject);
      secure.write("ping");
    });
    req.on("error", reject);
    req.end();
  });
}

describe("TLS over anyhttp sockets", () => {
  test("client: tls.connect({ socket }) through a CONNECT tunnel to a TLS server", async () => {
    const origin = tls.createServer(
      { key: pem("localhost_key.pem"), cert: pem("localhost_cert.pem") },
      (s: tls.TLSSocket) => s.once("data", (d: Uint8Array) => s.end(`secret ${d.length}`)),
    );
    await new Promise<void>((r) => origin.listen(0, "127.0.0.1", () => r()));
    const originPort = (origin.address() as net.AddressInfo).port;
    const proxy = createServer();
    proxy.on("connect", (_req: IncomingMessage, socket: Duplex, head: Uint8Array) => {
      const up = net.connect(originPort, "127.0.0.1", () => {
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length > 0) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on("error", () => socket.destroy());
      up.on("close", () => socket.destroy());
      socket.on("error", () => up.destroy());
      socket.on("close", () => up.destroy());
    });
    const port = await listen(proxy);
    try {
      assert.equal(await throughTunnel(port), "secret 4");
    } finally {
      await stop(proxy);
      await new Promise<void>((r) => origin.close(() => r()));
    }
  });

  test("proxy: TLS terminated on the socket 'connect' hands over", async () => {
    const proxy = createServer();
    proxy.on("connect", (_req: IncomingMessage, socket: Duplex) => {
      socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      const secure = new tls.TLSSocket(socket as net.Socket, {
        isServer: true,
        key: pem("localhost_key.pem"),
        cert: pem("localhost_cert.pem"),
      });
      secure.once("data", (d: Uint8Array) => secure.end(`terminated ${d.length}`));
      secure.on("error", () => socket.destroy());
    });
    const port = await listen(proxy);
    try {
      assert.equal(await throughTunnel(port), "terminated 4");
    } finally {
      await stop(proxy);
    }
  });
});
