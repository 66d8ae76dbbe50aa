/**
 * The `TransportServer` an adapter returns when `listen()` failed at once (the
 * error goes to `onError`): it has no address and closing it does nothing.
 *
 * @module
 */

import type { AddressInfo, TransportServer } from "./transport.ts";

/** A listener that never listened. */
export class FailedServer implements TransportServer {
  /** Always null: nothing is bound. */
  address(): AddressInfo | string | null {
    return null;
  }
  /** Nothing to close. */
  close(): void {}
  /** Nothing to keep alive. */
  ref(): void {}
  /** Nothing to keep alive. */
  unref(): void {}
}
