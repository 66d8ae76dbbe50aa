/**
 * Node's docs promise that the socket of a request, a response, 'connection',
 * 'upgrade' and 'connect' "is an instance of `net.Socket`". anyhttp's
 * `Socket` is a `stream.Duplex` of its own, over any transport, so the
 * runtime's `net.Socket` is taught to recognise it: `instanceof net.Socket`
 * is also true for an object whose prototype carries `NET_SOCKET_BRAND`.
 * Every other `instanceof` (subclasses such as `tls.TLSSocket` included)
 * answers as before. The runtime's own code that reaches into a real socket
 * checks its `_handle`, which anyhttp's sockets do not have.
 *
 * @module
 */

import * as net from "node:net";

/** Set (to `true`) on the prototype of a class whose instances count as `net.Socket`. */
export const NET_SOCKET_BRAND: unique symbol = Symbol.for("anyhttp.netSocket") as never;

const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

let claimed = false;

/**
 * Make `x instanceof net.Socket` true for branded objects (once per process;
 * another copy of anyhttp shares the brand and finds it done).
 */
export function claimNetSocketIdentity(): void {
  if (claimed) return;
  claimed = true;
  const NetSocket = (net as { Socket?: unknown }).Socket;
  if (typeof NetSocket !== "function") return;
  const own = Object.getOwnPropertyDescriptor(NetSocket, Symbol.hasInstance);
  if (own !== undefined && (own.value as { [NET_SOCKET_BRAND]?: boolean })?.[NET_SOCKET_BRAND]) {
    return;
  }
  const previous = typeof own?.value === "function"
    ? own.value as (value: unknown) => boolean
    : null;
  const hasInstance = function (this: unknown, value: unknown): boolean {
    if (
      this === NetSocket && value !== null && typeof value === "object" &&
      (value as { [NET_SOCKET_BRAND]?: boolean })[NET_SOCKET_BRAND] === true
    ) {
      return true;
    }
    return previous !== null
      ? previous.call(this, value)
      : ordinaryHasInstance.call(this as () => void, value);
  };
  Object.defineProperty(hasInstance, NET_SOCKET_BRAND, { value: true });
  try {
    Object.defineProperty(NetSocket, Symbol.hasInstance, {
      value: hasInstance,
      configurable: true,
      writable: false,
      enumerable: false,
    });
  } catch {
    // A frozen net.Socket keeps its own answer.
  }
}
