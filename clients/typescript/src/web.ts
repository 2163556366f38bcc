// The transport for browsers: gRPC-Web over fetch to the hub's HTTP endpoint (default http://127.0.0.1:5081).
// A page on another origin needs that origin in the hub's Cors:AllowedOrigins.
import type { Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { hubInterceptors, type HubTransportOptions } from "./index.js";

/** A gRPC-Web transport to the hub with the bearer token, retries and request ids of {@link hubInterceptors}. */
export function createWebTransport(options: HubTransportOptions): Transport {
  return createGrpcWebTransport({
    baseUrl: options.address,
    interceptors: hubInterceptors(options),
    defaultTimeoutMs: options.defaultTimeoutMs,
  });
}
