/**
 * `http.request()` and `http.get()`.
 *
 * @module
 */

import { ClientRequest } from "./client_request.ts";
import type { ResponseListener } from "./client_request.ts";
import type { RequestOptions } from "./client_options.ts";

/**
 * Issues an HTTP request. `url` (a string or `URL`) and `options` are merged,
 * `options` winning; `callback` becomes a one-time 'response' listener. Call
 * `end()` on the returned request to send it.
 *
 * @example
 * ```ts
 * const req = request({ host: "127.0.0.1", port: 8080, method: "POST", path: "/echo" }, (res) => {
 *   res.on("data", (chunk) => console.log(String(chunk)));
 * });
 * req.end("hello");
 * ```
 */
export function request(
  url: string | URL | RequestOptions,
  options?: RequestOptions | ResponseListener,
  callback?: ResponseListener,
): ClientRequest {
  return new ClientRequest(url, options, callback);
}

/**
 * Like `request()` with the method set to GET, and `end()` already called.
 *
 * @example
 * ```ts
 * get("http://127.0.0.1:8080/", (res) => {
 *   res.setEncoding("utf8");
 *   let body = "";
 *   res.on("data", (c) => body += c);
 *   res.on("end", () => console.log(res.statusCode, body));
 * });
 * ```
 */
export function get(
  url: string | URL | RequestOptions,
  options?: RequestOptions | ResponseListener,
  callback?: ResponseListener,
): ClientRequest {
  const req = new ClientRequest(url, options, callback);
  req.end();
  return req;
}
